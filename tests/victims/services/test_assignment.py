"""Who carries a referral's outreach: a partner-contact worker of the agency who does not run
the participant's group (unless the agency allows one person in both roles); the open tasks
nobody holds go to them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ipv.accounts.models import Membership, Role
from tests.conftest import make_person
from tests.victims.services.conftest import NOW, consume, named, tasks_of
from victims.models import Assignment
from victims.rls import confidential
from victims.services.outreach import assignment_set, check_outreach_worker, task_add, task_assign

pytestmark = pytest.mark.django_db

RUNS_THE_GROUP = "This person runs the participant's group: they cannot also contact the victims."
NOT_OUTREACH = "Only a partner-contact worker of the agency can carry outreach."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def referral(world):
    """In world.group, which world's facilitator runs, and who became a partner-contact worker
    too while the agency allowed one person in both roles (it no longer does)."""
    allowing(world, True)
    Membership.objects.create(
        user=world["facilitator"], agency=world.agency, role=Role.PARTNER_CONTACT
    )
    allowing(world, False)
    referral = named(world, name="Marc-André Poirier", enrolled=True)
    consume()
    return referral


def allowing(world, allowed: bool) -> None:
    world.agency.allow_facilitator_partner_contact = allowed
    world.agency.save()


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


def test_the_facilitator_of_the_participants_group_cannot_carry_their_outreach(world, referral):
    assert refusal(
        lambda: assignment_set(referral=referral, by=world["manager"], worker=world["facilitator"])
    ) == [RUNS_THE_GROUP]
    with confidential(world.agency):
        assert not Assignment.objects.filter(referral=referral).exists()
    assert {task.assignee for task in tasks_of(referral)} == {None}


def test_unless_the_agency_allows_one_person_in_both_roles(world, referral):
    allowing(world, True)
    referral.agency.refresh_from_db()
    assignment = assignment_set(referral=referral, by=world["manager"], worker=world["facilitator"])
    assert assignment.worker == world["facilitator"]


def test_a_facilitator_of_another_group_may_carry_it(world, referral):
    allowing(world, True)
    other = make_person(
        "second@riviere.test",
        "Sam Second",
        agency=world.agency,
        roles=[Role.FACILITATOR, Role.PARTNER_CONTACT],
    )
    allowing(world, False)
    referral.agency.refresh_from_db()
    check_outreach_worker(agency_id=world.agency.pk, referral=referral, worker=other)


def test_someone_who_is_not_a_partner_contact_worker_is_refused(world, referral):
    for someone in ("intake", "manager", "other_partner_contact"):
        assert refusal(
            lambda someone=someone: assignment_set(
                referral=referral, by=world["manager"], worker=world[someone]
            )
        ) == [NOT_OUTREACH]


def test_a_partner_contact_worker_who_left_the_agency_is_refused(world, referral):
    Membership.objects.filter(user=world["partner_contact"], agency=world.agency).update(
        is_active=False, ended_at=NOW
    )
    assert refusal(
        lambda: assignment_set(
            referral=referral, by=world["manager"], worker=world["partner_contact"]
        )
    ) == [NOT_OUTREACH]


def test_the_open_tasks_nobody_holds_go_to_the_worker_named(world, referral):
    other = make_person(
        "second@riviere.test", "Sam Second", agency=world.agency, roles=[Role.PARTNER_CONTACT]
    )
    held = task_add(
        victim=tasks_of(referral)[0].victim,
        by=other,
        due_on=date(2026, 12, 1),
        assignee=other,
    )
    assignment_set(referral=referral, by=world["manager"], worker=world["partner_contact"])
    tasks = tasks_of(referral)
    assert {task.assignee for task in tasks if task.pk != held.pk} == {world["partner_contact"]}
    assert next(task for task in tasks if task.pk == held.pk).assignee == other
    # Named again, another worker: the tasks already held stay with whoever holds them.
    assignment_set(referral=referral, by=world["manager"], worker=other)
    with confidential(world.agency):
        assert Assignment.objects.get(referral=referral).worker == other


def test_a_task_goes_only_to_a_partner_contact_worker_who_does_not_run_the_group(world, referral):
    task = tasks_of(referral)[0]
    assert refusal(
        lambda: task_assign(task=task, by=world["manager"], assignee=world["facilitator"])
    ) == [RUNS_THE_GROUP]
    assert refusal(
        lambda: task_assign(task=task, by=world["manager"], assignee=world["intake"])
    ) == [NOT_OUTREACH]
    assert (
        task_assign(task=task, by=world["manager"], assignee=world["partner_contact"]).assignee
        == (world["partner_contact"])
    )
    assert task_assign(task=task, by=world["manager"], assignee=None).assignee is None


def test_a_follow_up_goes_only_to_a_partner_contact_worker_who_does_not_run_the_group(
    world, referral
):
    sophie = tasks_of(referral)[0].victim
    for someone, reason in (("facilitator", RUNS_THE_GROUP), ("intake", NOT_OUTREACH)):
        assert refusal(
            lambda someone=someone: task_add(
                victim=sophie,
                by=world["partner_contact"],
                due_on=date(2026, 12, 1),
                assignee=world[someone],
            )
        ) == [reason]
    task = task_add(
        victim=sophie,
        by=world["partner_contact"],
        due_on=date(2026, 12, 1),
        assignee=world["partner_contact"],
    )
    assert (task.kind, task.assignee, task.state) == ("follow_up", world["partner_contact"], "open")
