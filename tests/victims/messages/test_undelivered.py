"""A message to a victim or partner that fails for good, or could not go out in its safe
stretch, becomes a task for the partner-contact worker: a beat sweep, once at a time, one task
per message however often it runs."""

from datetime import timedelta

import pytest

from ipv.notifications.models import OutboxMessage
from ipv.notifications.sending import send_due
from tests.victims.messages.conftest import NOW, allow, consume, messages_to, tasks_of
from victims.tasks import tasks_for_undelivered_messages

pytestmark = pytest.mark.django_db


def message_tasks(referral):
    return [
        (task.kind, task.no_message, task.state, task.message_key)
        for task in tasks_of(referral)
        if task.message_key
    ]


@pytest.fixture
def written(world, referral, sophie):
    allow(world, sophie)
    consume()
    (message,) = messages_to(sophie)
    return message


def test_a_failed_message_becomes_a_task_once(world, referral, written):
    assert tasks_for_undelivered_messages() == 0  # the control: waiting is not failing
    OutboxMessage.objects.filter(pk=written.pk).update(state="failed", last_error="SMSError")
    assert tasks_for_undelivered_messages() == 1
    assert tasks_for_undelivered_messages() == 0
    assert message_tasks(referral) == [("intake_done", "failed", "open", written.key)]


def test_a_message_past_its_safe_stretch_becomes_a_task(world, referral, written):
    outcome = send_due(now=written.expires_at + timedelta(minutes=1))
    assert outcome.expired == 1
    tasks_for_undelivered_messages()
    assert message_tasks(referral) == [("intake_done", "expired", "open", written.key)]


def test_a_sent_message_makes_no_task(world, referral, written):
    assert send_due(now=NOW).sent == 1
    assert tasks_for_undelivered_messages() == 0
    assert message_tasks(referral) == []


def test_the_task_goes_to_the_referrals_worker(world, referral, written):
    from victims.services.outreach import assignment_set

    assignment_set(referral=referral, by=world["manager"], worker=world["partner_contact"])
    OutboxMessage.objects.filter(pk=written.pk).update(state="failed")
    tasks_for_undelivered_messages()
    (task,) = [task for task in tasks_of(referral) if task.message_key]
    assert task.assignee == world["partner_contact"]
