"""The agency's reminder hours, on the managers' settings page."""

from datetime import time

import pytest
from django.db import IntegrityError, transaction

from ipv.audit.models import AuditEvent
from tests.conftest import AGENCY_NUMBERS

pytestmark = pytest.mark.django_db


def _url(world):
    return f"/en/a/{world.agency.slug}/settings/"


def test_the_defaults_are_eight_to_eight_and_five_the_day_before(world):
    agency = world.agency
    assert (agency.quiet_hours_start, agency.quiet_hours_end) == (time(8), time(20))
    assert agency.session_reminder_time == time(17)


def test_a_manager_sets_the_hours_on_the_settings_page(client, world):
    client.force_login(world["manager"])
    page = client.get(_url(world)).content.decode()
    assert 'name="quiet_hours_start"' in page
    assert "No reminder leaves before this time" in page
    response = client.post(
        _url(world),
        {
            **AGENCY_NUMBERS,
            "quiet_hours_start": "00:00",
            "quiet_hours_end": "23:59",
            "session_reminder_time": "18:30",
        },
    )
    assert response.status_code == 302
    world.agency.refresh_from_db()
    assert (world.agency.quiet_hours_start, world.agency.quiet_hours_end) == (time(0), time(23, 59))
    assert world.agency.session_reminder_time == time(18, 30)
    change = AuditEvent.objects.get(action=AuditEvent.Action.SETTINGS_CHANGED)
    assert change.details["quiet_hours_end"] == {"before": "20:00", "after": "23:59"}


@pytest.mark.parametrize(("start", "end"), [("20:00", "08:00"), ("09:00", "09:00")])
def test_the_hours_must_start_before_they_end(client, world, start, end):
    client.force_login(world["manager"])
    response = client.post(
        _url(world), {**AGENCY_NUMBERS, "quiet_hours_start": start, "quiet_hours_end": end}
    )
    assert response.status_code == 400
    assert "Reminders must start before they end in the day." in response.content.decode()
    world.agency.refresh_from_db()
    assert world.agency.quiet_hours_start == time(8)


def test_a_time_that_is_not_one_is_refused(client, world):
    client.force_login(world["manager"])
    response = client.post(_url(world), {**AGENCY_NUMBERS, "session_reminder_time": "25:00"})
    assert response.status_code == 400


def test_the_database_refuses_hours_in_the_wrong_order(world):
    world.agency.quiet_hours_start = time(21)
    with pytest.raises(IntegrityError, match="reminder_hours_order"), transaction.atomic():
        world.agency.save()
