"""Someone the participant names once the referral exists (a new current partner), recorded by
the intake worker for outreach: write-only, never shown back, and outreach asked to make a
first contact."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import translation

from referrals.models import Referral, Status
from victims.models import OutreachTask, Victim
from victims.models.outreach import TaskKind
from victims.rls import confidential

pytestmark = pytest.mark.django_db

# A Friday: the next business day is Monday.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
MONDAY = date(2026, 11, 30)
PARTNER = "Ottoline Brackenbury"
FORM = {
    "full_name": PARTNER,
    "relationship": "current_partner",
    "phone": "613-555-0177",
    "email": "",
    "safe_contact_notes": "Weekday mornings only.",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(world, agency=None):
    return f"/en/a/{(agency or world.agency).slug}/referrals/{world.referral.pk}/named-people/new/"


def people(world):
    with confidential(world.agency):
        return list(Victim.objects.filter(referral=world.referral))


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(url(world))
    with translation.override("en"):
        assert response["Location"].startswith(reverse("account_login"))


def test_another_agency_gets_404(client, world):
    client.force_login(world["other_intake"])
    assert client.post(url(world, agency=world.other_agency), FORM).status_code == 404
    assert people(world) == []


@pytest.mark.parametrize("role", ["facilitator", "partner_contact"])
def test_only_the_case_workers_record_someone_here(client, world, role):
    client.force_login(world[role])
    assert client.get(url(world)).status_code == 403


def test_the_referral_page_leads_to_it(client, world):
    client.force_login(world["intake"])
    html = client.get(f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/").content.decode()
    assert url(world) in html


def test_the_person_is_recorded_for_outreach_and_never_shown_back(client, world):
    client.force_login(world["intake"])
    response = client.post(url(world), FORM)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Recorded for the partner-contact team." in html
    assert PARTNER not in html
    (person,) = people(world)
    assert (person.full_name, person.relationship, person.created_by) == (
        PARTNER,
        "current_partner",
        world["intake"],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name::text FROM victims_victim WHERE id = %s", [person.pk])
        (stored,) = cursor.fetchone()
    assert "Brackenbury" not in stored
    # The referral is accepted: outreach is asked for a first contact, the next business day.
    with confidential(world.agency):
        task = OutreachTask.objects.get(victim=person)
    assert (task.kind, task.due_on, task.urgent) == (TaskKind.ACCEPTED, MONDAY, False)


def test_bad_input_is_refused_with_what_was_typed_kept(client, world):
    client.force_login(world["intake"])
    response = client.post(url(world), {**FORM, "phone": "12", "relationship": ""})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"phone", "relationship"}
    assert form["full_name"].value() == PARTNER
    assert people(world) == []


def test_a_closed_referral_takes_nobody_new(client, world):
    Referral.objects.filter(pk=world.referral.pk).update(status=Status.WITHDRAWN)
    client.force_login(world["intake"])
    response = client.post(url(world), FORM)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "A closed referral cannot be changed." in html
    assert people(world) == []
