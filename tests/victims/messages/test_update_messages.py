"""News of the participant's program (intake done, group started, completed) goes to a person
who agreed to updates as a text or an email, at the first moment their rules and the agency's
hours allow, instead of a task; any rule that forbids it makes the task, which says why."""

from datetime import datetime, time

import pytest

from referrals.models import Milestone, MilestoneCursor
from tests.victims.messages.conftest import (
    NOW,
    allow,
    consume,
    contacts_of,
    messages_to,
    milestone_of,
    record,
    tasks_of,
)
from victims.rls import confidential
from victims.services.outreach import rules_set

pytestmark = pytest.mark.django_db

Kind = Milestone.Kind
TORONTO = NOW.tzinfo


def update_tasks(referral):
    return [
        (task.kind, task.no_message, task.state)
        for task in tasks_of(referral)
        if task.kind != "accepted"
    ]


def test_an_update_goes_as_a_text_at_once_when_the_rules_allow_it(world, referral, sophie):
    allow(world, sophie)
    consume()
    (message,) = messages_to(sophie)
    intake = milestone_of(referral, Kind.INTAKE_DONE)
    assert message.key == f"victim:{sophie.pk}:sms:update:{intake.pk}"
    assert (message.kind, message.audience, message.channel) == ("victim_update", "victim", "sms")
    assert (message.state, message.sensitive, message.agency) == ("pending", True, world.agency)
    assert message.to == "+16135550142"
    assert message.send_after == NOW
    # Not later than the agency's hours for messages that day (20:00), and within 7 days.
    assert message.expires_at == datetime(2026, 11, 24, 20, 0, tzinfo=TORONTO)
    # The message is the update: no task to call (the first contact's task stays).
    assert update_tasks(referral) == []
    assert [task.kind for task in tasks_of(referral)] == ["accepted"]


def test_the_message_is_on_the_persons_record_as_an_automatic_contact_without_its_words(
    world, referral, sophie
):
    allow(world, sophie)
    consume()
    (message,) = messages_to(sophie)
    (contact,) = contacts_of(sophie)
    assert (contact.automatic, contact.by, contact.inbound) == (True, None, False)
    assert (contact.channel, contact.outcome, contact.at) == ("text", "message_left", NOW)
    assert contact.message_key == message.key
    assert contact.milestone == milestone_of(referral, Kind.INTAKE_DONE)
    assert contact.note == ""


def test_by_email_in_the_persons_language(world, referral, sophie):
    allow(world, sophie, channels=["email"])
    consume()
    (message,) = messages_to(sophie)
    assert (message.channel, message.to) == ("email", "sophie@example.org")
    # Sophie reads French, whoever recorded the milestone.
    assert message.body_text.startswith("Bonjour,")


def test_an_english_reader_gets_english(world, referral, sophie):
    with confidential(world.agency):
        sophie.language = "en"
        sophie.save(update_fields=["language"])
    allow(world, sophie, channels=["email"])
    consume()
    (message,) = messages_to(sophie)
    assert message.body_text.startswith("Hello,")
    assert "Please call 613-555-" in message.body_text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"contact": None}, "consent_contact"),  # never asked: no message
        ({"updates": None}, "consent_updates"),
        ({"channels": ["phone"]}, "no_channel"),
        ({"message_ok": False}, "message_not_ok"),
        # No Canadian mobile number: no text can go.
        ({"channels": ["text"], "phone_number": ""}, "no_address"),
        # No safe day at all: no moment within 7 days.
        ({"safe_days": []}, "no_safe_moment"),
        # Safe only late at night: never inside the agency's hours (08:00–20:00).
        ({"safe_from": "22:00", "safe_until": "02:00"}, "no_safe_moment"),
    ],
)
def test_a_rule_that_forbids_the_message_makes_the_task_and_says_why(
    world, referral, sophie, changes, reason
):
    changes = dict(changes)
    phone = changes.pop("phone_number", None)
    if phone is not None:
        with confidential(world.agency):
            sophie.phone = phone
            sophie.save(update_fields=["phone"])
    for field in ("safe_from", "safe_until"):
        if field in changes:
            changes[field] = datetime.strptime(changes[field], "%H:%M").time()
    allow(world, sophie, **changes)
    consume()
    assert messages_to(sophie) == []
    assert contacts_of(sophie) == []
    assert update_tasks(referral) == [("intake_done", reason, "open")]


def test_do_not_contact_stops_the_message_and_the_task(world, referral, sophie):
    allow(world, sophie, do_not_contact=True)
    consume()
    assert messages_to(sophie) == []
    assert tasks_of(referral) == []


def test_consent_withdrawn_stops_the_message_and_the_task(world, referral, sophie):
    allow(world, sophie, contact=False)
    consume()
    assert messages_to(sophie) == []
    assert tasks_of(referral) == []


def test_outside_the_safe_days_the_message_waits_for_the_next_one(world, referral, sophie):
    allow(world, sophie, safe_days=[3])  # Thursdays only; today is a Tuesday
    consume()
    (message,) = messages_to(sophie)
    # Thursday from midnight is safe for her, the agency's hours start at 08:00.
    assert message.send_after == datetime(2026, 11, 26, 8, 0, tzinfo=TORONTO)
    # Not after Thursday's safe stretch: the agency's hours end at 20:00.
    assert message.expires_at == datetime(2026, 11, 26, 20, 0, tzinfo=TORONTO)
    (contact,) = contacts_of(sophie)
    assert contact.at == message.send_after
    assert update_tasks(referral) == []


def test_outside_the_safe_hours_the_message_waits_for_them(world, referral, sophie):
    allow(world, sophie, safe_from=time(18), safe_until=time(22))
    consume()
    (message,) = messages_to(sophie)
    assert message.send_after == datetime(2026, 11, 24, 18, 0, tzinfo=TORONTO)
    assert message.expires_at == datetime(2026, 11, 24, 20, 0, tzinfo=TORONTO)


def test_safe_hours_across_midnight_open_the_evening_before(world, referral, sophie):
    # 19:00 until 01:00: the stretch inside the agency's hours is 19:00–20:00.
    allow(world, sophie, safe_from=time(19), safe_until=time(1))
    consume()
    (message,) = messages_to(sophie)
    assert message.send_after == datetime(2026, 11, 24, 19, 0, tzinfo=TORONTO)
    assert message.expires_at == datetime(2026, 11, 24, 20, 0, tzinfo=TORONTO)


def test_before_the_agencys_hours_the_message_waits_for_them(clock, world, referral, sophie):
    clock.move_to(NOW.replace(hour=6, minute=30))
    allow(world, sophie)  # every hour of every day is safe for her
    consume()
    (message,) = messages_to(sophie)
    assert message.send_after == datetime(2026, 11, 24, 8, 0, tzinfo=TORONTO)


def test_a_completion_keeps_its_follow_up_task_when_the_message_goes(world, referral, sophie):
    allow(world, sophie)
    consume()
    completed = record(referral, Kind.COMPLETED)
    consume()
    keys = [message.key for message in messages_to(sophie)]
    assert keys[-1] == f"victim:{sophie.pk}:sms:update:{completed.pk}"
    assert update_tasks(referral) == [("completed", "sent", "open")]


def test_the_group_start_goes_as_a_message_too(world, referral, sophie):
    allow(world, sophie)
    consume()
    enrolled = record(referral, Kind.ENROLLED)
    consume()
    assert [m.key.rsplit(":", 1)[1] for m in messages_to(sophie)][-1] == str(enrolled.pk)
    assert update_tasks(referral) == []


@pytest.mark.parametrize("kind", [Kind.DISCHARGED, Kind.RETURNED_TO_COURT])
def test_a_mandatory_notice_stays_a_task_for_a_person_to_call(world, referral, sophie, kind):
    allow(world, sophie)
    consume()
    before = len(messages_to(sophie))
    record(referral, kind)
    consume()
    assert len(messages_to(sophie)) == before  # the control: the intake's update went
    assert before == 1
    mandatory = [task for task in tasks_of(referral) if task.mandatory]
    assert [(task.no_message, task.state) for task in mandatory] == [("", "open")]


def test_the_consumer_run_twice_writes_one_message_and_one_contact(world, referral, sophie):
    allow(world, sophie)
    consume()
    MilestoneCursor.objects.filter(consumer="victims.outreach_tasks").update(last_id=0)
    # Even when the rules changed between the two readings.
    rules_set(victim=sophie, by=world["partner_contact"], channels=["text"], message_ok=True)
    consume()
    assert len(messages_to(sophie)) == 1
    assert len(contacts_of(sophie)) == 1
