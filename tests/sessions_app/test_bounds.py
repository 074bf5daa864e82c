"""Dates and minutes within reason in the groups: a group starts, a session moves and a person
joins within a year; nobody is later than the session lasts; and no path stores a day that
breaks the group's pages or the calendar feed."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from referrals.models import Referral
from sessions_app.models import Attendance, Group, Session
from sessions_app.services.enrollment import enroll
from sessions_app.services.groups import group_create, session_move
from tests.sessions_app.conftest import intake_done, sessions, take
from tests.sessions_app.test_attendance import marks, roster_url, row
from tests.sessions_app.test_groups import _feed, _ics

pytestmark = pytest.mark.django_db

GROUP = {
    "name": "Jeudi soir",
    "program": "ipv",
    "language": "fr",
    "format": "open",
    "weekday": "3",
    "start_time": "19:00",
    "duration_minutes": "120",
    "capacity": "12",
    "location": "200 Elgin Street",
}


def test_a_group_starting_in_9999_is_refused_and_what_was_typed_stays(client, world):
    client.force_login(world["manager"])
    url = f"/en/a/{world.agency.slug}/groups/new/"
    refused = client.post(url, {**GROUP, "start_date": "9999-12-31"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "start_date": ["Choose a day within a year: by 24 Nov 2027."]
    }
    assert 'value="9999-12-31"' in refused.content.decode()
    assert not Group.objects.filter(name="Jeudi soir").exists()
    assert client.post(url, {**GROUP, "start_date": "2027-11-24"}).status_code == 302
    group = Group.objects.get(name="Jeudi soir")
    assert client.get(f"/en/a/{world.agency.slug}/groups/{group.pk}/").status_code == 200


def test_the_service_opens_no_group_further_than_a_year(world, english):
    with pytest.raises(ValidationError) as refused:
        group_create(
            agency=world.agency,
            by=world["manager"],
            name="Jeudi soir",
            program="ipv",
            language="fr",
            weekday=3,
            start_time=time(19, 0),
            start_date=date(9999, 12, 31),
            location="200 Elgin Street",
        )
    assert refused.value.message_dict == {
        "start_date": ["Choose a day within a year: by 24 Nov 2027."]
    }


def test_a_session_moved_to_9999_is_refused_and_the_calendar_still_answers(client, world):
    second = sessions(world.group)[1]
    client.force_login(world["manager"])
    url = f"/en/a/{world.agency.slug}/sessions/{second.pk}/move/"
    data = {"date": "9999-12-31", "start_time": "18:30", "reason": "Room taken."}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "date": ["Choose a day within a year: by 24 Nov 2027."]
    }
    with pytest.raises(ValidationError):
        session_move(
            session=second,
            by=world["manager"],
            date=date(9999, 12, 31),
            start_time=time(18, 30),
            reason="Room taken.",
        )
    assert Session.objects.get(pk=second.pk).date == date(2026, 12, 1)
    assert client.post(url, {**data, "date": "2026-12-02"}).status_code == 302
    assert _ics(client, _feed(client, world)).status_code == 200


def test_the_database_refuses_a_session_or_a_group_in_year_9999(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=world.session.pk).update(date=date(9999, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.filter(pk=world.group.pk).update(start_date=date(1, 1, 1))


def test_an_enrolment_starting_in_9999_is_refused(client, world, english):
    referral = intake_done(world, name="Paul Girard")
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/referrals/{referral.pk}/group/"
    refused = client.post(url, {"group": world.group.pk, "start_date": "9999-12-31"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "start_date": ["Choose a day within a year: by 24 Nov 2027."]
    }
    with pytest.raises(ValidationError) as by_the_service:
        enroll(
            referral=referral, group=world.group, start_date=date(9999, 1, 1), by=world["intake"]
        )
    assert by_the_service.value.message_dict == {
        "start_date": ["Choose a day within a year: by 24 Nov 2027."]
    }
    assert Referral.objects.get(pk=referral.pk).status == "intake_done"
    assert (
        client.post(url, {"group": world.group.pk, "start_date": "2026-12-01"}).status_code == 302
    )


def test_99999_minutes_late_says_the_real_limit_once(clock, client, world, english):
    clock.move_to(world.session.starts_at)
    client.force_login(world["facilitator"])
    refused = client.post(roster_url(world, world.session), row(world.referral, "late", "99999"))
    assert refused.status_code == 400
    [line] = refused.context["rows"]
    assert line.errors == {"minutes_late": ["At most 480 minutes: no session lasts longer."]}
    assert not Attendance.objects.exists()
    saved = client.post(roster_url(world, world.session), row(world.referral, "late", "20"))
    assert saved.status_code == 302
    assert marks(world.session) == {(world.referral.pk, "late", 20, "")}


def test_nobody_is_later_than_the_session_lasts(clock, world, english):
    refused = take(clock, world, world.session, world.referral, "late", minutes_late=121)
    assert refused == {
        world.referral.pk: (
            "The session lasts 120 minutes: later than that is an absence, not a delay."
        )
    }
    assert take(clock, world, world.session, world.referral, "late", minutes_late=120) == {}
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.filter(referral=world.referral).update(minutes_late=1000)
