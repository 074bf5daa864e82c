"""What the outreach tests share: the sessions tests' fixed clock (a Tuesday morning, world.group
meeting tonight), referrals naming people, the milestones consumed as the beat would, and the
confidential store read inside its agency's transaction."""

import pytest
import time_machine

from referrals.models import Referral
from sessions_app.services.enrollment import enroll
from tests.sessions_app.conftest import NOW, intake_done
from victims.models import OutreachTask, Victim
from victims.rls import confidential

SOPHIE = {"relationship": "victim", "full_name": "Sophie Lachance", "phone": "613-555-0142"}
NADIA = {"relationship": "current_partner", "full_name": "Nadia Cardinal", "phone": "613-555-0143"}


@pytest.fixture(autouse=True)
def clock():
    """Every test starts at NOW (Tuesday 2026-11-24, 10:00 in Toronto)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def consume() -> dict:
    """Run every consumer of the milestones, as the beat sweep does."""
    from ipv.pages.tasks import milestones_consume

    return milestones_consume()


def named(world, *, name, people=(SOPHIE, NADIA), enrolled=False, **order):
    """A referral of the first agency, through its intake, naming `people`; enrolled in
    world.group from today when asked."""
    referral = intake_done(world, name=name, named_people=list(people), **order)
    if enrolled:
        enroll(referral=referral, group=world.group, start_date=NOW.date(), by=world["intake"])
    return Referral.objects.get(pk=referral.pk)


def people_of(referral) -> list[Victim]:
    with confidential(referral.agency_id):
        return list(Victim.objects.filter(referral=referral).order_by("pk"))


def person(referral, full_name) -> Victim:
    return next(victim for victim in people_of(referral) if victim.full_name == full_name)


def tasks_of(referral, **filters) -> list[OutreachTask]:
    with confidential(referral.agency_id):
        return list(
            OutreachTask.objects.filter(referral=referral, **filters)
            .select_related("victim", "milestone")
            .order_by("pk")
        )
