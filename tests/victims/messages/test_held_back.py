"""A change of the person's rules or consent, or outreach closed: every message of theirs not
yet sent is cancelled in the same transaction, and each becomes a task so that nothing is lost
(open when the person may still be contacted, recorded as cancelled when not)."""

import pytest

from ipv.notifications.sending import send_due
from tests.victims.messages.conftest import NOW, allow, consume, messages_to, tasks_of
from victims.services.outreach import consent_record, outreach_close, rules_set

pytestmark = pytest.mark.django_db

THURSDAY = [3]  # today is a Tuesday: the message waits


def held_back(referral):
    return [
        (task.kind, task.no_message, task.state, task.message_key)
        for task in tasks_of(referral)
        if task.message_key
    ]


@pytest.fixture
def waiting(world, referral, sophie):
    """Sophie's update, written and waiting for Thursday."""
    allow(world, sophie, safe_days=THURSDAY)
    consume()
    (message,) = messages_to(sophie)
    assert message.state == "pending"  # the control: it would have gone
    return message


def test_a_change_of_rules_cancels_the_waiting_message_and_makes_a_task(
    world, referral, sophie, waiting
):
    # Any change: the message was written for the rules as they were.
    rules_set(
        victim=sophie,
        by=world["partner_contact"],
        channels=["text"],
        message_ok=True,
        safe_days=[4],
    )
    (message,) = messages_to(sophie)
    assert (message.state, message.last_error) == ("cancelled", "rules_changed")
    assert (message.to, message.body_text) == ("", "")
    assert held_back(referral) == [("intake_done", "held_back", "open", waiting.key)]
    # Held back once: the next change finds nothing more to hold back.
    rules_set(victim=sophie, by=world["partner_contact"], message_ok=False)
    assert len(held_back(referral)) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda world, sophie: consent_record(
            victim=sophie,
            by=world["partner_contact"],
            topic="contact",
            given=False,
            how="phone",
            on=NOW.date(),
        ),
        lambda world, sophie: consent_record(
            victim=sophie,
            by=world["partner_contact"],
            topic="updates",
            given=False,
            how="phone",
            on=NOW.date(),
        ),
        lambda world, sophie: rules_set(
            victim=sophie, by=world["partner_contact"], do_not_contact=True
        ),
        lambda world, sophie: outreach_close(
            victim=sophie, by=world["partner_contact"], because="declined"
        ),
    ],
    ids=["consent withdrawn", "updates refused", "do not contact", "outreach closed"],
)
def test_when_the_person_may_not_be_asked_the_task_is_kept_cancelled(
    world, referral, sophie, waiting, change
):
    change(world, sophie)
    (message,) = messages_to(sophie)
    assert message.state == "cancelled"
    assert held_back(referral) == [("intake_done", "held_back", "cancelled", waiting.key)]


def test_giving_consent_again_holds_nothing_back(world, referral, sophie, waiting):
    consent_record(
        victim=sophie,
        by=world["partner_contact"],
        topic="updates",
        given=True,
        how="phone",
        on=NOW.date(),
    )
    assert messages_to(sophie)[0].state == "pending"
    assert held_back(referral) == []


def test_a_message_already_sent_is_left_as_it_is(clock, world, referral, sophie):
    allow(world, sophie)
    consume()
    assert send_due(now=NOW).sent == 1
    rules_set(victim=sophie, by=world["partner_contact"], message_ok=False)
    assert messages_to(sophie)[0].state == "sent"
    assert held_back(referral) == []


def test_a_transfer_cancels_the_sending_agencys_waiting_messages(world, referral, sophie, waiting):
    from sessions_app.services.program import transfer_accept, transfer_request

    transfer = transfer_request(
        referral=referral,
        by=world["intake"],
        to_agency=world.other_agency,
        reason="Moved to Thunder Bay.",
        consent_signed_on=NOW.date(),
    )
    transfer_accept(transfer=transfer, by=world["other_intake"])
    consume()
    assert messages_to(sophie)[0].state == "cancelled"
    # Kept on the sending agency's record, asking nobody there to call.
    assert held_back(referral) == [("intake_done", "held_back", "cancelled", waiting.key)]
