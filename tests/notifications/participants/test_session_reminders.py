"""The day-before reminder of a group session: who gets it, on which channel, when it leaves,
in which language, and that it is written once however often (or at once) the sweep runs."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection

from ipv.notifications.models import OutboxMessage
from referrals.models import Participant
from sessions_app.services.groups import session_cancel, session_move
from sessions_app.services.reminders import session_reminders_prepare
from sessions_app.tasks import prepare_session_reminders
from tests.conftest import at_once, make_world
from tests.notifications.participants.conftest import (
    AGENCY_WORDS,
    NOW,
    PROGRAM_WORDS,
    TORONTO,
    agree,
    enrol,
)

pytestmark = pytest.mark.django_db


def _reminders():
    return {
        message.channel: message
        for message in OutboxMessage.objects.filter(kind="session_reminder").order_by("pk")
    }


def _key(world, channel):
    session = world.session
    return (
        f"participant:{world.referral.participant_id}:{channel}:session:{session.pk}:"
        f"{session.date.isoformat()}T18:30"
    )


def test_a_session_is_reminded_the_day_before_by_email_and_text(enrolled):
    world = enrolled
    assert session_reminders_prepare() == 2
    reminders = _reminders()
    assert set(reminders) == {"email", "sms"}
    email, text = reminders["email"], reminders["sms"]
    assert email.key == _key(world, "email")
    assert (email.to, text.to) == ("jm.tremblay@example.org", "+16135550142")
    assert (email.audience, email.agency_id) == ("participant", world.agency.pk)
    assert email.send_after == NOW
    # No use once the session has begun.
    assert email.expires_at == datetime(2026, 12, 1, 18, 30, tzinfo=TORONTO)
    assert "100 Main Street" in text.body_text
    assert "613-555-0100" in text.body_text
    assert "100 Main Street" in email.body_text
    assert "/reminders/stop/" in email.body_text
    assert "/reminders/stop/" in email.body_html


def test_the_reminder_is_in_the_participants_language(enrolled):
    world = enrolled
    english = enrol(
        world,
        {"legal_name": "Paul Girard", "language": "en"},
        file_number="4811-998-26-00031",
    )
    agree(english.participant, email="paul.girard@example.org")
    session_reminders_prepare()
    by_key = {message.key: message for message in OutboxMessage.objects.all()}
    english_email = by_key[
        _key(world, "email").replace(
            f"participant:{world.referral.participant_id}:",
            f"participant:{english.participant_id}:",
        )
    ]
    french_email = by_key[_key(world, "email")]
    # The same session, each in the reader's language (exact French checked at merge).
    assert "/en/reminders/stop/" in english_email.body_text
    assert "/fr/reminders/stop/" in french_email.body_text
    assert "Dec 2026" in english_email.subject
    assert "décembre 2026" in french_email.subject
    assert english_email.subject != french_email.subject


def test_nothing_is_written_before_the_agencys_reminder_time(enrolled, clock):
    clock.move_to(NOW.replace(hour=16, minute=55))
    assert session_reminders_prepare() == 0
    # Positive control: the agency's time has come.
    clock.move_to(NOW.replace(hour=17, minute=0))
    assert session_reminders_prepare() == 2


def test_the_agencys_own_reminder_time_is_followed(enrolled, clock):
    world = enrolled
    world.agency.session_reminder_time = time(18, 0)
    world.agency.save()
    assert session_reminders_prepare() == 0
    clock.move_to(NOW.replace(hour=18, minute=5))
    assert session_reminders_prepare() == 2


def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(enrolled, clock):
    world = enrolled
    world.agency.session_reminder_time = time(21, 0)
    world.agency.save()
    clock.move_to(NOW.replace(hour=21, minute=5))
    assert session_reminders_prepare() == 2
    morning = datetime(2026, 12, 1, 8, 0, tzinfo=TORONTO)
    assert {message.send_after for message in _reminders().values()} == {morning}


def test_a_reminder_due_within_hours_goes_at_once(enrolled, clock):
    # Positive control of the previous test: the same agency, a time inside its hours.
    world = enrolled
    world.agency.session_reminder_time = time(10, 0)
    world.agency.save()
    clock.move_to(NOW.replace(hour=10, minute=5))
    session_reminders_prepare()
    assert {message.send_after for message in _reminders().values()} == {
        NOW.replace(hour=10, minute=5)
    }


@pytest.mark.parametrize(
    ("fields", "channels"),
    [
        ({}, {"email", "sms"}),
        ({"consent_email": False}, {"sms"}),
        ({"consent_sms": False}, {"email"}),
        ({"consent_email": False, "consent_sms": False}, set()),
        ({"email": ""}, {"sms"}),
        # A landline-only number (toll-free) cannot take texts.
        ({"phone": "+18005550199"}, {"email"}),
    ],
    ids=["both", "no-email-consent", "no-text-consent", "neither", "no-address", "no-mobile"],
)
def test_only_the_agreed_channels_are_written(enrolled, fields, channels):
    agree(enrolled.referral.participant, **fields)
    session_reminders_prepare()
    assert set(_reminders()) == channels


def test_nobody_is_reminded_whose_referral_is_not_enrolled(enrolled):
    from referrals.models import Referral

    Referral.objects.filter(pk=enrolled.referral.pk).update(
        status="discharged", discharge_reason="absences"
    )
    assert session_reminders_prepare() == 0


def test_the_sweep_run_twice_writes_each_reminder_once(enrolled, clock):
    assert prepare_session_reminders() == 2
    clock.shift(timedelta(seconds=1))
    assert prepare_session_reminders() == 0
    clock.shift(timedelta(minutes=5))
    assert session_reminders_prepare() == 0
    assert OutboxMessage.objects.filter(kind="session_reminder").count() == 2


def test_a_cancelled_session_cancels_its_reminders(enrolled):
    world = enrolled
    session_reminders_prepare()
    session_cancel(session=world.session, by=world["manager"], reason="Snow storm.")
    assert {message.state for message in _reminders().values()} == {"cancelled"}


def test_a_moved_session_cancels_the_old_reminders_and_is_reminded_again(enrolled, clock):
    world = enrolled
    session_reminders_prepare()
    session_move(
        session=world.session,
        by=world["manager"],
        date=world.session.date + timedelta(days=1),
        start_time=time(19, 0),
        reason="The room is taken.",
    )
    old = set(OutboxMessage.objects.filter(kind="session_reminder").values_list("state", flat=True))
    assert old == {"cancelled"}
    # The day before its new date, at the agency's time.
    clock.move_to(NOW + timedelta(days=1))
    assert session_reminders_prepare() == 2
    new = OutboxMessage.objects.filter(kind="session_reminder", state="pending")
    assert [message.key.endswith(":2026-12-02T19:00") for message in new] == [True, True]


def test_a_text_never_names_the_program_or_the_agency(enrolled):
    world = enrolled
    english = enrol(
        world, {"legal_name": "Paul Girard", "language": "en"}, file_number="4811-998-26-00032"
    )
    agree(english.participant, phone="+16135550143")
    session_reminders_prepare()
    texts = [m.body_text for m in OutboxMessage.objects.filter(channel="sms")]
    assert len(texts) == 2  # positive control: both languages were written
    for body in texts:
        for word in PROGRAM_WORDS + AGENCY_WORDS:
            assert word.lower() not in body.lower(), (word, body)


def test_an_email_never_names_the_charge(enrolled):
    session_reminders_prepare()
    email = _reminders()["email"]
    assert "Assault" not in email.body_text + email.body_html + email.subject


def test_a_group_meeting_by_video_gives_its_link(enrolled):
    world = enrolled
    world.group.video_link = "https://video.example.org/mardi"
    world.group.location = ""
    world.group.save()
    session_reminders_prepare()
    assert "https://video.example.org/mardi" in _reminders()["sms"].body_text


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_each_reminder_once(clock):
    world = make_world()
    from referrals.models import Referral

    Referral.objects.filter(pk=world.referral.pk).update(status="enrolled")
    agree(Participant.objects.get(pk=world.referral.participant_id))
    results = at_once(session_reminders_prepare, session_reminders_prepare)
    assert sorted(results) == [0, 2]
    assert OutboxMessage.objects.filter(kind="session_reminder").count() == 2
    connection.close()
