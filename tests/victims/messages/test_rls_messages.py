"""Run as the application role (as the site and the worker run), the consumer writes the
update and its contact, a change of rules holds a message back, and the sweep makes a task:
each names its agency to the confidential store's policies, or it would see no row.

Transactional: the milestones' consumers run after each commit (eagerly, in tests)."""

import pytest
from django.db import connection, transaction

from ipv.notifications.models import OutboxMessage
from referrals.models import Milestone
from tests.conftest import make_world
from tests.victims.messages.conftest import (
    SOPHIE,
    allow,
    contacts_of,
    messages_to,
    named,
    person,
    record,
    tasks_of,
)
from victims.services.outreach import rules_set
from victims.tasks import tasks_for_undelivered_messages

pytestmark = pytest.mark.django_db(transaction=True)


def message_tasks(referral):
    return [(t.kind, t.no_message, t.state) for t in tasks_of(referral) if t.message_key]


def test_messages_and_their_tasks_are_written_inside_the_agencys_policy(as_app):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (as_app.role,)
    world = make_world()
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,))
    sophie = person(referral, "Sophie Lachance")
    allow(world, sophie, safe_days=[3])
    with transaction.atomic():
        record(referral, Milestone.Kind.ENROLLED)
    (message,) = messages_to(sophie)
    assert message.state == "pending"
    assert [contact.message_key for contact in contacts_of(sophie)] == [message.key]

    OutboxMessage.objects.filter(pk=message.pk).update(state="failed")
    assert tasks_for_undelivered_messages() == 1
    assert message_tasks(referral) == [("enrolled", "failed", "open")]

    with transaction.atomic():
        record(referral, Milestone.Kind.COMPLETED)
    assert messages_to(sophie)[-1].state == "pending"
    rules_set(victim=sophie, by=world["partner_contact"], message_ok=False)
    assert messages_to(sophie)[-1].state == "cancelled"
    assert message_tasks(referral) == [
        ("enrolled", "failed", "open"),
        ("completed", "held_back", "open"),
    ]
    assert tasks_for_undelivered_messages() == 0
