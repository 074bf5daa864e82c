"""The morning digests' scene: the test World at 07:30 on Tuesday 1 December 2026, with work
waiting in each role, every count below written by hand.

River Services (riviere):
- referrals overdue: 3 — the World's two (received 3 Nov, no contact within 7 days) and
  "Overdue Complete-By" (received 28 Nov, complete by 15 Jan: twelve weeks no longer fit);
- intakes to record: 1 ("Booked Yesterday"; "Booked Tomorrow" is still to come);
- e-referrals waiting: 1 ("Court Sent");
- absence reviews: 1 ("Under Review");
- fee proposals waiting: 1 (the World's reduction, proposed by the intake worker);
- transfers waiting for it: 0 (the World's transfer goes from it to Lakehead);
- the facilitator's past sessions without attendance: 2 (17 and 30 Nov; 24 Nov was taken,
  10 Nov cancelled, 3 Nov before anyone was enrolled, 1 Dec is today);
- outreach, for the partner-contact worker: 1 due today and 2 overdue of theirs; 1 due today
  unassigned and 1 overdue held by a former worker (so nobody's); one due tomorrow, one done.
Lakehead Centre: 1 overdue referral (the World's), 1 transfer waiting; nothing else.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from ipv.accounts.models import Membership, Role
from referrals.models import Intake, Referral
from referrals.services.intake import intake_book
from sessions_app.models import Attendance, Enrollment, Session
from tests.conftest import make_person, make_referral
from tests.victims.outreach import SOPHIE, add_outreach
from victims.models import OutreachTask
from victims.rls import confidential
from victims.services.outreach import task_add, task_close

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 12, 1, 7, 30, tzinfo=TORONTO)
TODAY = date(2026, 12, 1)
BEFORE_TIME = datetime(2026, 12, 1, 6, 55, tzinfo=TORONTO)

# What no digest may ever hold: the named victim's details, the participants' names.
VICTIM_DETAILS = [SOPHIE["full_name"], SOPHIE["phone"], "613-555-0188", SOPHIE["email"]]
PARTICIPANT_NAMES = ["Jean-Marc Tremblay", "Jean Marc Tremblay", "Other Person"]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _referral(world, name, number, **order):
    return make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": name, "date_of_birth": date(1990, 1, 1)},
        court_file_number=f"4811-998-26-{number:05d}",
        received_on=order.pop("received_on", date(2026, 11, 30)),
        **order,
    )


def _sessions(world):
    """The facilitator's group met before today: two sessions left without attendance."""
    group, module = world.group, world.session.module
    Enrollment.objects.filter(referral=world.referral).update(start_date=date(2026, 11, 10))
    sessions = {}
    for day in (3, 10, 17, 24, 30):
        sessions[day] = Session.objects.create(
            agency=world.agency,
            group=group,
            module=module,
            date=date(2026, 11, day),
            start_time=time(18, 30),
        )
    Session.objects.filter(pk=sessions[10].pk).update(status=Session.Status.CANCELLED)
    Attendance.objects.create(
        agency=world.agency,
        session=sessions[24],
        referral=world.referral,
        status=Attendance.Status.PRESENT,
        recorded_by=world["facilitator"],
    )


def _tasks(world):
    partner = world["partner_contact"]
    former = make_person(
        "former@riviere.test", "Fernand Parti", agency=world.agency, roles=[Role.PARTNER_CONTACT]
    )
    world.people["former"] = former
    due = {
        "mine today": (partner, TODAY),
        "mine 28 Nov": (partner, date(2026, 11, 28)),
        "mine 25 Nov": (partner, date(2026, 11, 25)),
        "nobody today": (None, TODAY),
        "former's 20 Nov": (former, date(2026, 11, 20)),
        "mine tomorrow": (partner, TODAY + timedelta(days=1)),
        "mine done": (partner, date(2026, 11, 20)),
    }
    tasks = {
        name: task_add(victim=world.victim, by=partner, due_on=TODAY, assignee=assignee)
        for name, (assignee, _day) in due.items()
    }
    with confidential(world.agency):
        for name, (_assignee, day) in due.items():
            OutreachTask.objects.filter(pk=tasks[name].pk).update(due_on=day)
    task_close(task=tasks["mine done"], by=partner)
    Membership.objects.filter(user=former).update(is_active=False, ended_at=timezone.now())


@pytest.fixture
def scene(clock, world):
    add_outreach(world)
    _referral(
        world,
        "Overdue Complete-By",
        11,
        received_on=date(2026, 11, 28),
        complete_by=date(2027, 1, 15),
    )
    _referral(world, "Recent Arrival", 12)
    yesterday = _referral(world, "Booked Yesterday", 13)
    intake_book(
        referral=yesterday,
        by=world["intake"],
        scheduled_at=NOW + timedelta(hours=2),
        mode="in_person",
    )
    Intake.objects.filter(referral=yesterday).update(
        scheduled_at=datetime(2026, 11, 30, 10, 0, tzinfo=TORONTO)
    )
    tomorrow = _referral(world, "Booked Tomorrow", 14)
    intake_book(
        referral=tomorrow,
        by=world["intake"],
        scheduled_at=NOW + timedelta(days=1),
        mode="in_person",
    )
    _referral(world, "Court Sent", 15, via="e_referral")
    review = _referral(world, "Under Review", 16)
    Referral.objects.filter(pk=review.pk).update(status="non_compliant")
    _sessions(world)
    _tasks(world)
    return world
