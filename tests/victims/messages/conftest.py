"""What the tests of messages to victims and partners share: the fixed clock of the outreach
tests (Tuesday 2026-11-24, 10:00 in Toronto), a referral through its intake naming Sophie,
her rules set so that a written update may reach her, and the outbox read by key."""

import pytest
import time_machine

from ipv.notifications.models import OutboxMessage
from referrals.models import Milestone
from referrals.services.milestones import milestone_record
from tests.sessions_app.conftest import NOW
from tests.victims.services.conftest import consume, named, person, tasks_of
from victims.models import Contact
from victims.rls import confidential
from victims.services.outreach import consent_record, rules_set

__all__ = ["NOW", "consume", "named", "person", "tasks_of"]

PARTICIPANT = "Marc-André Poirier"
SOPHIE = {
    "relationship": "victim",
    "full_name": "Sophie Lachance",
    "phone": "613-555-0142",
    "email": "sophie@example.org",
    "language": "fr",
}
# Rules under which a written update may go at once: the positive control of every test.
ALLOWED = {"channels": ["text"], "message_ok": True}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def allow(world, victim, *, contact=True, updates=True, **rules):
    """Give Sophie's consent (to contact, to updates) and set her rules: ALLOWED, changed by
    `rules`."""
    worker = world["partner_contact"]
    for topic, given in (("contact", contact), ("updates", updates)):
        if given is not None:
            consent_record(
                victim=victim, by=worker, topic=topic, given=given, how="phone", on=NOW.date()
            )
    return rules_set(victim=victim, by=worker, **{**ALLOWED, **rules})


@pytest.fixture
def referral(world):
    """A referral through its intake naming Sophie (its milestones not yet read)."""
    return named(world, name=PARTICIPANT, people=(SOPHIE,))


@pytest.fixture
def sophie(referral):
    return person(referral, "Sophie Lachance")


def messages_to(victim) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith=f"victim:{victim.pk}:").order_by("pk"))


def contacts_of(victim) -> list[Contact]:
    with confidential(victim.agency_id):
        return list(Contact.objects.filter(victim_id=victim.pk).order_by("pk"))


def milestone_of(referral, kind) -> Milestone:
    return Milestone.objects.get(referral=referral, kind=kind)


def record(referral, kind, by=None) -> Milestone:
    """A milestone of `referral` written as the program's services write it."""
    return milestone_record(referral=referral, kind=kind, by=by)
