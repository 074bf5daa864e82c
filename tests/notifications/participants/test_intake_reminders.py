"""The intake reminder by email and text: within quiet hours, under a key that names the
appointment, and saying "today" or "tomorrow" as of the day it is sent."""

from datetime import datetime, time, timedelta

import pytest

from ipv.notifications.models import OutboxMessage
from referrals.services.intake import intake_book, intake_reminders_send, intake_reschedule
from tests.notifications.participants.conftest import (
    AGENCY_WORDS,
    PROGRAM_WORDS,
    TORONTO,
    agree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paul(clock, world):
    """The world's first person, in English, agreeing to both channels."""
    return agree(world.referral.participant, language="en")


def _book(world, at):
    return intake_book(
        referral=world.referral,
        by=world["intake"],
        scheduled_at=at,
        mode="in_person",
        location="100 Main Street, Ottawa",
    )


def _messages():
    return {m.channel: m for m in OutboxMessage.objects.filter(kind="intake_reminder")}


def test_the_reminder_goes_by_email_and_text_under_the_appointments_key(world, paul):
    at = datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO)
    intake = _book(world, at)
    assert intake_reminders_send() == 2
    messages = _messages()
    assert messages["email"].key == (
        f"participant:{paul.pk}:email:intake:{intake.pk}:2026-12-01T09:00-05:00"
    )
    assert messages["sms"].to == "+16135550142"
    assert messages["email"].expires_at == at
    assert "/en/reminders/stop/" in messages["email"].body_text


def test_a_rebooked_intake_is_reminded_again_and_the_old_reminder_cancelled(clock, world, paul):
    _book(world, datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO))
    intake_reminders_send()
    intake_reschedule(
        referral=world.referral,
        by=world["intake"],
        reason="Works that morning.",
        scheduled_at=datetime(2026, 12, 1, 15, 0, tzinfo=TORONTO),
        mode="phone",
    )
    assert {m.state for m in _messages().values()} == {"cancelled"}
    clock.shift(timedelta(minutes=5))
    assert intake_reminders_send() == 2
    pending = OutboxMessage.objects.filter(kind="intake_reminder", state="pending")
    assert [m.key.endswith("2026-12-01T15:00-05:00") for m in pending] == [True, True]


def test_written_at_night_for_a_morning_appointment_it_waits_and_says_today(clock, world, paul):
    clock.move_to(datetime(2026, 11, 30, 21, 0, tzinfo=TORONTO))
    _book(world, datetime(2026, 12, 1, 10, 0, tzinfo=TORONTO))
    intake_reminders_send()
    messages = _messages()
    morning = datetime(2026, 12, 1, 8, 0, tzinfo=TORONTO)
    assert {m.send_after for m in messages.values()} == {morning}
    assert messages["email"].subject == "Your appointment today at River Services"
    assert "today at 10 a.m." in messages["sms"].body_text
    assert "tomorrow" not in messages["sms"].body_text


def test_written_in_the_day_for_the_next_morning_it_goes_at_once_and_says_tomorrow(
    clock, world, paul
):
    # Positive control of the previous test: within hours, the next day's appointment.
    _book(world, datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO))
    intake_reminders_send()
    messages = _messages()
    assert {m.send_after for m in messages.values()} == {
        datetime(2026, 11, 30, 17, 5, tzinfo=TORONTO)
    }
    assert messages["email"].subject == "Your appointment tomorrow at River Services"
    assert "tomorrow at 9 a.m." in messages["sms"].body_text


@pytest.mark.parametrize(
    ("written", "word"),
    [
        (datetime(2026, 11, 30, 23, 30, tzinfo=TORONTO), "tomorrow"),
        (datetime(2026, 12, 1, 0, 10, tzinfo=TORONTO), "today"),
    ],
    ids=["before-midnight", "after-midnight"],
)
def test_across_midnight_the_word_follows_the_day_it_is_sent(clock, world, paul, written, word):
    # An agency whose reminders may leave at any hour.
    world.agency.quiet_hours_start, world.agency.quiet_hours_end = time(0), time(23, 59)
    world.agency.save()
    _book(world, datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO))
    clock.move_to(written)
    intake_reminders_send()
    messages = _messages()
    assert {m.send_after for m in messages.values()} == {written}
    assert f"{word} at 9 a.m." in messages["sms"].body_text
    assert f"appointment {word} at" in messages["email"].subject


def test_the_reminder_is_in_the_participants_language(clock, world):
    agree(world.referral.participant)  # French
    _book(world, datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO))
    intake_reminders_send()
    messages = _messages()
    assert "/fr/reminders/stop/" in messages["email"].body_text
    assert "Services Rivière" in messages["email"].subject
    # The French time format (the sentence's exact French is checked once translated).
    assert "9\xa0h" in messages["sms"].body_text
    assert "a.m." not in messages["sms"].body_text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_text_never_names_the_program_or_the_agency(clock, world, language):
    agree(world.referral.participant, language=language)
    _book(world, datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO))
    intake_reminders_send()
    body = _messages()["sms"].body_text
    assert body  # positive control
    for word in PROGRAM_WORDS + AGENCY_WORDS:
        assert word.lower() not in body.lower(), (word, body)


def test_without_agreement_nothing_is_written(clock, world):
    agree(world.referral.participant, consent_email=False, consent_sms=False)
    _book(world, datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO))
    assert intake_reminders_send() == 0
    assert OutboxMessage.objects.filter(kind="intake_reminder").count() == 0
