"""Where outreach stops: a worker who left holds nothing new and leaves their tasks to the
team; no task asks to contact someone who must not be; a referral transferred out is worked
at the receiving agency only; a plan is not saved empty or unchanged; a finished task keeps
who held it; news of the program goes only to those who accepted it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from ipv.accounts.services import staff_deactivate
from referrals.models import Referral, Status
from tests.victims.services.conftest import NADIA, NOW, SOPHIE, consume, named, person, tasks_of
from victims import selectors
from victims.services import alerts, outreach, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(call) -> ValidationError:
    with pytest.raises(ValidationError) as refusal:
        call()
    return refusal.value


def test_a_worker_who_left_gets_no_new_task_and_their_open_ones_are_nobodys(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE])
    worker = world["partner_contact"]
    outreach.assignment_set(referral=referral, by=world["manager"], worker=worker)
    consume()
    held = [task for task in tasks_of(referral) if task.state == "open"]
    assert held and {task.assignee for task in held} == {worker}
    staff_deactivate(user=worker, agency=world.agency, by=world["manager"])
    concern = tasks.concern_raise(referral=referral, by=world["facilitator"], note="A threat.")
    assert {t.assignee for t in tasks_of(referral, concern=concern)} == {None}
    home = selectors.outreach_home(agency=world.agency, user=world["manager"])
    # The tasks the worker held before leaving are listed with those nobody holds.
    assert {task.pk for task in held} <= {task.pk for task in home.unassigned}
    assert worker not in selectors.outreach_workers(agency=world.agency)


def test_no_task_asks_to_contact_someone_who_must_not_be_or_withdrew(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE, NADIA])
    worker = world["partner_contact"]
    sophie, nadia = person(referral, "Sophie Lachance"), person(referral, "Nadia Cardinal")
    outreach.rules_set(victim=sophie, by=worker, do_not_contact=True)
    outreach.consent_record(
        victim=nadia, by=worker, topic="contact", given=False, how="phone", on=NOW.date()
    )
    due = NOW.date() + timezone.timedelta(days=2)
    for someone in (person(referral, "Sophie Lachance"), person(referral, "Nadia Cardinal")):
        assert refused(lambda p=someone: outreach.task_add(victim=p, by=worker, due_on=due))
    # Positive control: once consent is given again, a follow-up may be set.
    outreach.consent_record(
        victim=nadia, by=worker, topic="contact", given=True, how="phone", on=NOW.date()
    )
    assert outreach.task_add(victim=person(referral, "Nadia Cardinal"), by=worker, due_on=due)


def test_a_referral_transferred_out_is_not_worked_at_the_sending_agency(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE])
    worker = world["partner_contact"]
    sophie = person(referral, "Sophie Lachance")
    Referral.objects.filter(pk=referral.pk).update(status=Status.TRANSFERRED)
    referral.refresh_from_db()
    sophie = person(referral, "Sophie Lachance")
    calls = [
        lambda: outreach.person_add(
            agency=world.agency,
            referral=referral,
            by=worker,
            full_name="Lise Roy",
            relationship="family",
        ),
        lambda: outreach.contact_log(
            victim=sophie, by=worker, at=NOW, channel="phone", outcome="reached"
        ),
        lambda: outreach.plan_save(victim=sophie, by=worker, warning_signs="He drinks."),
        lambda: tasks.concern_raise(referral=referral, by=world["facilitator"], note="A threat."),
        lambda: alerts.risk_alert_send(referral=referral, by=worker),
    ]
    for call in calls:
        assert refused(call).code == "transferred"


def test_a_plan_is_not_saved_empty_nor_unchanged(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE])
    worker = world["partner_contact"]
    sophie = person(referral, "Sophie Lachance")
    assert refused(lambda: outreach.plan_save(victim=sophie, by=worker)).code == "empty"
    first = outreach.plan_save(victim=sophie, by=worker, warning_signs="He drinks.")
    again = refused(
        lambda: outreach.plan_save(victim=sophie, by=worker, warning_signs="He drinks.")
    )
    assert again.code == "unchanged"
    assert first.number == 1
    # Positive control: a change makes version 2.
    second = outreach.plan_save(victim=sophie, by=worker, warning_signs="He drinks; he follows.")
    assert second.number == 2


def test_a_finished_task_keeps_who_held_it(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE])
    worker = world["partner_contact"]
    consume()
    task = tasks_of(referral)[0]
    outreach.task_assign(task=task, by=worker, assignee=worker)
    outreach.task_close(task=task, by=worker)
    assert refused(lambda: outreach.task_assign(task=task, by=worker, assignee=None))
    assert tasks_of(referral, pk=task.pk)[0].assignee == worker


def test_no_news_of_the_program_for_someone_who_refused_updates(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE, NADIA])
    worker = world["partner_contact"]
    outreach.consent_record(
        victim=person(referral, "Nadia Cardinal"),
        by=worker,
        topic="updates",
        given=False,
        how="phone",
        on=NOW.date(),
    )
    consume()
    news = [(t.victim.full_name, t.kind) for t in tasks_of(referral, kind="intake_done")]
    # Sophie, who did not refuse them, is the positive control.
    assert news == [("Sophie Lachance", "intake_done")]
