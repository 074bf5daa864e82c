"""After an unexcused absence, the participant is told how to book a make-up (a consumer of
the milestones stream)."""

from datetime import datetime

import pytest

from ipv.notifications.models import OutboxMessage
from ipv.pages.tasks import CONSUMERS
from referrals.models import Milestone, Referral
from referrals.services.milestones import consume, milestone_record
from sessions_app.consumers import MAKE_UP_REMINDERS
from tests.notifications.participants.conftest import (
    AGENCY_WORDS,
    NOW,
    PROGRAM_WORDS,
    TORONTO,
    agree,
)

pytestmark = pytest.mark.django_db


def _absence(world, *, excused):
    return milestone_record(
        referral=Referral.objects.get(pk=world.referral.pk),
        kind=Milestone.Kind.ABSENCE_RECORDED,
        by=world["facilitator"],
        session=world.session.pk,
        excused=excused,
    )


def test_the_consumer_runs_with_the_others():
    assert MAKE_UP_REMINDERS in CONSUMERS


def test_an_unexcused_absence_brings_a_make_up_message(enrolled):
    milestone = _absence(enrolled, excused=False)
    consume(MAKE_UP_REMINDERS)
    messages = {m.channel: m for m in OutboxMessage.objects.filter(kind="make_up")}
    participant_id = enrolled.referral.participant_id
    assert messages["sms"].key == f"participant:{participant_id}:sms:make_up:{milestone.pk}"
    assert set(messages) == {"email", "sms"}
    assert "613-555-0100" in messages["sms"].body_text
    assert "/fr/reminders/stop/" in messages["email"].body_text
    for word in PROGRAM_WORDS + AGENCY_WORDS:
        assert word.lower() not in messages["sms"].body_text.lower()
    # Read once: the consumer's cursor moved on.
    consume(MAKE_UP_REMINDERS)
    assert OutboxMessage.objects.filter(kind="make_up").count() == 2


def test_an_excused_absence_brings_none(enrolled):
    _absence(enrolled, excused=True)
    consume(MAKE_UP_REMINDERS)
    assert not OutboxMessage.objects.filter(kind="make_up").exists()


def test_none_once_the_referral_is_no_longer_active(enrolled):
    _absence(enrolled, excused=False)
    Referral.objects.filter(pk=enrolled.referral.pk).update(
        status="discharged", discharge_reason="absences"
    )
    consume(MAKE_UP_REMINDERS)
    assert not OutboxMessage.objects.filter(kind="make_up").exists()


def test_the_message_waits_for_quiet_hours(enrolled, clock):
    clock.move_to(datetime(2026, 11, 30, 21, 0, tzinfo=TORONTO))
    _absence(enrolled, excused=False)
    consume(MAKE_UP_REMINDERS)
    morning = datetime(2026, 12, 1, 8, 0, tzinfo=TORONTO)
    assert {m.send_after for m in OutboxMessage.objects.filter(kind="make_up")} == {morning}


def test_within_hours_the_message_goes_at_once(enrolled):
    # Positive control of the previous test (the clock says 17:05).
    _absence(enrolled, excused=False)
    consume(MAKE_UP_REMINDERS)
    assert {m.send_after for m in OutboxMessage.objects.filter(kind="make_up")} == {NOW}


def test_the_message_is_in_english_for_an_english_participant(enrolled):
    agree(enrolled.referral.participant, language="en")
    _absence(enrolled, excused=False)
    consume(MAKE_UP_REMINDERS)
    email = OutboxMessage.objects.get(kind="make_up", channel="email")
    assert "/en/reminders/stop/" in email.body_text
    assert email.subject == "Booking a make-up session"
