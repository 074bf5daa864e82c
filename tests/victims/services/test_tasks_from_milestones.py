"""The participant's milestones, read by the outreach consumer (through the beat's sweep), each
call for one task per person who may be contacted, due the next business day, for the
referral's partner-contact worker or for no one yet; once, however often they are read."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fees import services as fees
from referrals.models import Milestone, MilestoneCursor
from sessions_app.services.enrollment import enroll
from sessions_app.services.program import referral_return, referral_transition
from tests.sessions_app.conftest import attended, sessions, status_of, take
from tests.victims.services.conftest import NOW, SOPHIE, consume, named, people_of, person, tasks_of
from victims.models import OutreachTask
from victims.rls import confidential
from victims.services.outreach import (
    assignment_set,
    consent_record,
    outreach_close,
    rules_set,
)

pytestmark = pytest.mark.django_db

JADE = {"relationship": "family", "full_name": "Jade Morin", "phone": "613-555-0144"}
NADIA = {"relationship": "current_partner", "full_name": "Nadia Cardinal"}
WEDNESDAY = date(2026, 11, 25)


def summary(tasks) -> list[tuple]:
    return [(task.victim.full_name, task.kind, task.due_on, task.mandatory) for task in tasks]


def withdraw(world, victim):
    consent_record(
        victim=victim,
        by=world["partner_contact"],
        topic="contact",
        given=False,
        how="phone",
        on=NOW.date(),
    )


def stop(world, victim):
    rules_set(victim=victim, by=world["partner_contact"], do_not_contact=True)


@pytest.fixture
def three(world):
    """A referral through its intake, naming three people: Nadia withdrew her consent, Jade
    must never be contacted."""
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE, NADIA, JADE))
    withdraw(world, person(referral, "Nadia Cardinal"))
    stop(world, person(referral, "Jade Morin"))
    return referral


def test_each_milestone_calls_for_one_task_per_person_who_may_be_contacted(world, three):
    consume()
    assert summary(tasks_of(three)) == [
        ("Sophie Lachance", "accepted", WEDNESDAY, False),
        ("Sophie Lachance", "intake_done", WEDNESDAY, False),
    ]
    (accepted, intake) = tasks_of(three)
    assert accepted.milestone.kind == "accepted" and intake.milestone.kind == "intake_done"
    assert (accepted.assignee, accepted.state, accepted.agency) == (None, "open", world.agency)


def test_the_tasks_go_to_the_referrals_partner_contact_worker(world, three):
    assignment_set(referral=three, by=world["manager"], worker=world["partner_contact"])
    consume()
    assert {task.assignee for task in tasks_of(three)} == {world["partner_contact"]}


def test_a_milestone_on_a_friday_is_due_on_monday(clock, world):
    clock.move_to(NOW + timedelta(days=3))  # Friday 27 November
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,))
    consume()
    assert {task.due_on for task in tasks_of(referral)} == {date(2026, 11, 30)}


def test_read_again_from_the_start_nothing_is_made_twice(world, three):
    first = consume()
    assert first["victims.outreach_tasks"] > 0
    made = [task.pk for task in tasks_of(three)]
    MilestoneCursor.objects.filter(consumer="victims.outreach_tasks").update(last_id=0)
    consume()
    assert [task.pk for task in tasks_of(three)] == made


def test_read_again_a_milestone_does_not_reopen_outreach_closed_since(world):
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,))
    consume()
    sophie = person(referral, "Sophie Lachance")
    outreach_close(victim=sophie, by=world["partner_contact"], because="declined")
    MilestoneCursor.objects.filter(consumer="victims.outreach_tasks").update(last_id=0)
    consume()
    again = person(referral, "Sophie Lachance")
    assert (again.outreach, again.closed_because) == ("closed", "declined")
    assert {task.state for task in tasks_of(referral)} == {"cancelled"}


def test_a_closed_outreach_reopens_on_a_new_milestone(world):
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,))
    consume()
    outreach_close(
        victim=person(referral, "Sophie Lachance"), by=world["partner_contact"], because="declined"
    )
    enroll(referral=referral, group=world.group, start_date=NOW.date(), by=world["intake"])
    consume()
    sophie = person(referral, "Sophie Lachance")
    assert (sophie.outreach, sophie.closed_because, sophie.closed_at) == ("open", "", None)
    assert summary(tasks_of(referral, state="open")) == [
        ("Sophie Lachance", "enrolled", WEDNESDAY, False)
    ]


def absence_tasks(referral):
    return tasks_of(referral, kind="absences")


def test_absences_call_for_a_task_when_they_reach_the_agencys_limit_and_not_after(clock, world):
    world.agency.unexcused_absence_limit = 3
    world.agency.absence_limit = 12
    world.agency.save()
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,), enrolled=True)
    first, second, third, fourth, fifth = sessions(world.group)[:5]
    assert take(clock, world, first, referral, "unexcused") == {}
    assert take(clock, world, second, referral, "excused") == {}
    assert take(clock, world, third, referral, "unexcused") == {}
    consume()
    assert absence_tasks(referral) == []  # two unexcused: not yet
    assert take(clock, world, fourth, referral, "unexcused") == {}
    consume()
    (task,) = absence_tasks(referral)  # the third: the limit
    assert task.milestone.params == {"session": fourth.pk, "excused": False}
    assert task.due_on == date(2026, 12, 16)  # the fourth Tuesday's session → Wednesday
    assert status_of(referral) == "non_compliant"
    assert take(clock, world, fifth, referral, "unexcused") == {}
    consume()
    assert len(absence_tasks(referral)) == 1  # the fourth: none again
    assert len(tasks_of(referral, kind="absence_review")) == 1


def test_a_discharge_is_a_mandatory_notice_even_to_someone_who_withdrew(world, three):
    enroll(referral=three, group=world.group, start_date=NOW.date(), by=world["intake"])
    referral_transition(
        referral=three, name="flag_non_compliance", by=world["intake"], reason="Absences."
    )
    referral_transition(
        referral=three,
        name="discharge",
        by=world["intake"],
        reason="Stopped coming.",
        discharge_reason="absences",
    )
    consume()
    assert summary(tasks_of(three, kind="discharged")) == [
        ("Sophie Lachance", "discharged", WEDNESDAY, True),
        ("Nadia Cardinal", "discharged", WEDNESDAY, True),
    ]
    # Jade must never be contacted: nothing for her, even mandatory.
    assert not [task for task in tasks_of(three) if task.victim.full_name == "Jade Morin"]


def test_a_return_to_the_court_is_a_mandatory_notice(world):
    from tests.conftest import make_referral

    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        named_people=[SOPHIE, NADIA],
        court_file_number="4811-998-26-00090",
    )
    withdraw(world, person(referral, "Nadia Cardinal"))
    referral_return(referral=referral, by=world["intake"], court_reason="Lives in Montréal.")
    consume()
    assert summary(tasks_of(referral)) == [
        ("Sophie Lachance", "accepted", WEDNESDAY, False),
        ("Sophie Lachance", "returned_to_court", WEDNESDAY, True),
        ("Nadia Cardinal", "returned_to_court", WEDNESDAY, True),
    ]


def test_the_twelfth_module_calls_for_a_completion_follow_up(clock, world):
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,), enrolled=True)
    attended(world, referral, sessions(world.group)[:11])
    assert take(clock, world, sessions(world.group)[11], referral) == {}
    assert status_of(referral) == "completed"
    consume()
    (task,) = tasks_of(referral, kind="completed")
    assert task.victim.full_name == "Sophie Lachance" and not task.mandatory
    assert task.due_on == fees_day_after(task.milestone)


def fees_day_after(milestone):
    from django.utils import timezone

    from victims.rules import business_day_after

    return business_day_after(timezone.localdate(milestone.occurred_at))


def test_a_fee_paid_in_full_calls_for_no_task(world):
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,))
    consume()
    before = [task.pk for task in tasks_of(referral)]
    assessment = fees.assessment_create(
        referral=referral,
        by=world["intake"],
        household_income=Decimal("45000"),
        household_size=2,
        employment="full_time",
    )
    fees.proposal_create(referral=referral, by=world["intake"], amount=assessment.standard_fee)
    fees.payment_record(
        referral=referral, by=world["intake"], amount=assessment.standard_fee, method="debit"
    )
    assert Milestone.objects.filter(referral=referral, kind="fee_settled").exists()
    consume()
    assert [task.pk for task in tasks_of(referral)] == before


def test_the_tasks_are_the_agencys_own(world, three):
    consume()
    with confidential(world.agency):
        agencies = set(OutreachTask.objects.filter(referral=three).values_list("agency", flat=True))
    assert agencies == {world.agency.pk}
    assert len(people_of(three)) == 3


def test_an_absence_excused_on_second_thought_is_not_counted(clock, world):
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,), enrolled=True)
    first, second, third = sessions(world.group)[:3]
    assert take(clock, world, first, referral, "unexcused") == {}
    assert take(clock, world, first, referral, "excused") == {}  # a doctor's note came
    assert take(clock, world, second, referral, "unexcused") == {}
    consume()
    assert absence_tasks(referral) == []  # one unexcused absence, under the limit of 2
    assert status_of(referral) == "enrolled"
    assert take(clock, world, third, referral, "unexcused") == {}
    consume()
    (task,) = absence_tasks(referral)
    assert task.milestone.params == {"session": third.pk, "excused": False}
    assert status_of(referral) == "non_compliant"


def test_one_by_one_or_in_a_batch_the_same_absence_reaches_the_limit(clock, world):
    from referrals.services.milestones import consume as read
    from victims.consumers import OUTREACH_TASKS

    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,), enrolled=True)
    for session in sessions(world.group)[:3]:
        assert take(clock, world, session, referral, "unexcused") == {}
    read(OUTREACH_TASKS, batch=1)
    one_by_one = [(t.kind, t.milestone_id) for t in tasks_of(referral)]
    with confidential(world.agency):
        OutreachTask.objects.filter(referral=referral).delete()
    MilestoneCursor.objects.filter(consumer=OUTREACH_TASKS.name).update(last_id=0)
    read(OUTREACH_TASKS)
    assert [(t.kind, t.milestone_id) for t in tasks_of(referral)] == one_by_one
    assert [kind for kind, _milestone in one_by_one].count("absences") == 1


# A facilitator's concern ------------------------------------------------------------------


def test_a_concern_is_an_urgent_task_due_today_for_each_person_but_who_must_not_be_contacted(
    world, three
):
    from victims.models import Concern
    from victims.services.tasks import concern_raise

    assignment_set(referral=three, by=world["manager"], worker=world["partner_contact"])
    concern = concern_raise(
        referral=three, by=world["facilitator"], note="He said he would find her."
    )
    assert [
        (t.victim.full_name, t.urgent, t.mandatory, t.due_on, t.assignee, t.concern_id)
        for t in tasks_of(three, kind="concern")
    ] == [
        ("Sophie Lachance", True, True, NOW.date(), world["partner_contact"], concern.pk),
        ("Nadia Cardinal", True, True, NOW.date(), world["partner_contact"], concern.pk),
    ]
    with confidential(world.agency):
        assert Concern.objects.get(pk=concern.pk).note == "He said he would find her."


def test_a_concern_raised_on_a_saturday_is_due_that_day(clock, world, three):
    from victims.services.tasks import concern_raise

    clock.move_to(NOW + timedelta(days=4))
    concern_raise(referral=three, by=world["facilitator"], note="A threat in group.")
    assert {t.due_on for t in tasks_of(three, kind="concern")} == {date(2026, 11, 28)}
