"""The outreach section of the agency's figures, counted by hand on a small fixed set of
people (two referrals of the first agency, and the other agency's people as a control that
must not be counted), for the third quarter of 2026 and the second before it."""

from datetime import date, datetime
from itertools import count

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ipv.figures import definitions, selectors
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections import outreach
from ipv.figures.selectors import result_of
from tests.conftest import make_referral
from victims.models import Contact, OutreachTask, SafetyPlanVersion, SafetyView, Victim
from victims.models.outreach import TaskKind
from victims.rls import confidential

pytestmark = pytest.mark.django_db

CURRENT = Period(date(2026, 7, 1), date(2026, 9, 30))
PREVIOUS = CURRENT.previous()  # 2026-04-01 to 2026-06-30
HIDDEN = "< 5"
_keys = count()


def at(year, month, day, hour=10, minute=0):
    """A moment in the agency's time zone (Toronto)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


class People:
    """Writes the confidential rows of one agency directly, as they stand after the work."""

    def __init__(self, world, agency, referrals, worker):
        self.world, self.agency, self.referrals, self.worker = world, agency, referrals, worker

    def person(self, number):
        with confidential(self.agency):
            return Victim.objects.create(
                agency=self.agency,
                referral=self.referrals[number % len(self.referrals)],
                relationship="victim",
                full_name=f"Person {number}",
                created_by=self.worker,
            )

    def first_contact_task(self, victim, due_on, *, kind=TaskKind.ACCEPTED, cancelled_on=None):
        state = OutreachTask.State.CANCELLED if cancelled_on else OutreachTask.State.OPEN
        with confidential(self.agency):
            return OutreachTask.objects.create(
                agency=self.agency,
                referral_id=victim.referral_id,
                victim=victim,
                kind=kind,
                due_on=due_on,
                state=state,
                done_at=at(*cancelled_on) if cancelled_on else None,
                done_by=self.worker if cancelled_on else None,
            )

    def contact(self, victim, moment, outcome, services=(), *, automatic=False):
        with confidential(self.agency):
            return Contact.objects.create(
                agency=self.agency,
                referral_id=victim.referral_id,
                victim=victim,
                at=moment,
                channel="phone",
                outcome=outcome,
                services=list(services),
                by=None if automatic else self.worker,
                automatic=automatic,
                message_key=f"test:{next(_keys)}" if automatic else "",
            )

    def plan(self, victim, number, saved_at):
        with confidential(self.agency):
            return SafetyPlanVersion.objects.create(
                agency=self.agency,
                victim=victim,
                number=number,
                warning_signs=f"Version {number}",
                saved_by=self.worker,
                saved_at=saved_at,
            )

    def view(self, victim, moment, feels_safe, abuse, on):
        with confidential(self.agency):
            return SafetyView.objects.create(
                agency=self.agency,
                victim=victim,
                moment=moment,
                feels_safe=feels_safe,
                abuse=abuse,
                on=on,
                recorded_by=self.worker,
            )

    def viewed(self, number, first_feels, exit_feels, abuse, exit_on):
        """A person who gave their view at first contact and at the exit."""
        victim = self.person(number)
        self.view(victim, "first_contact", first_feels, "continued", date(2026, 1, 15))
        self.view(victim, "exit", exit_feels, abuse, exit_on)
        return victim


def build(world, agency=None, referrals=None, worker=None, start=0):
    """The hand-counted fixture (see the expectations below for the counts)."""
    agency = agency or world.agency
    worker = worker or world["partner_contact"]
    if referrals is None:
        second = make_referral(
            agency, world["intake"], world.court, court_file_number="4811-998-26-00077"
        )
        referrals = [world.referral, second]
    p = People(world, agency, referrals, worker)
    p1, p2, p3, p4, p5, p6 = (p.person(start + n) for n in range(1, 7))
    # First-contact tasks.
    p.first_contact_task(p1, date(2026, 7, 10))  # now; reached that evening: on time
    p.first_contact_task(p2, date(2026, 7, 15))  # now; reached the day after: late
    p.first_contact_task(p3, date(2026, 8, 1), cancelled_on=(2026, 7, 20))  # cancelled first
    p.first_contact_task(p4, date(2026, 8, 5), cancelled_on=(2026, 8, 20))  # cancelled late
    p.first_contact_task(p5, date(2026, 6, 20))  # before; reached two days early
    p.first_contact_task(p6, date(2026, 10, 5))  # after both periods
    p.first_contact_task(p1, date(2026, 7, 12), kind=TaskKind.FOLLOW_UP)  # not a first contact
    # Contacts. 20:00 in Toronto on 10 July is already 11 July in UTC: still on time.
    p.contact(p1, at(2026, 7, 10, 20), "reached", ["safety_planning", "information"])
    p.contact(p2, at(2026, 7, 14), "no_answer")
    p.contact(p2, at(2026, 7, 16, 9), "reached", ["safety_planning", "isolation", "referral"])
    p.contact(p5, at(2026, 6, 18), "reached", ["information"])
    p.contact(p6, at(2026, 9, 1), "reached", ["safety_planning"])
    p.contact(p1, at(2026, 8, 2), "reached", ["isolation"])  # P1 reached again
    p.contact(p6, at(2026, 9, 30, 23, 30), "message_left")  # the period's last half hour
    p.contact(p5, at(2026, 10, 1, 0, 30), "reached", ["accompaniment"])  # the next period
    p.contact(p3, at(2026, 7, 5), "message_left", automatic=True)  # the system's own
    p.contact(p5, at(2026, 4, 1, 0, 30), "no_answer")  # the previous period's first hour
    # Safety plans.
    p.plan(p1, 1, at(2026, 5, 10))
    p.plan(p1, 2, at(2026, 7, 3))
    p.plan(p1, 3, at(2026, 8, 15))
    p.plan(p2, 1, at(2026, 9, 29))
    p.plan(p5, 1, at(2026, 3, 31))
    p.plan(p5, 2, at(2026, 4, 2))
    # The victims' view: six with an exit in the period, two with one in the period before.
    for number, (first, last, abuse) in enumerate(
        [
            (2, 4, "stopped"),
            (1, 5, "stopped"),
            (3, 4, "reduced"),
            (4, 5, "reduced"),
            (2, 3, "continued"),
            (4, 2, "not_said"),
        ],
        start=start + 11,
    ):
        p.viewed(number, first, last, abuse, date(2026, 9, 1))
    p.viewed(start + 17, 4, 2, "continued", date(2026, 6, 1))
    p.viewed(start + 18, 2, 2, "not_said", date(2026, 5, 1))
    # Not counted: an exit view without a first-contact one; one dated after the period; a
    # first-contact view alone.
    p.view(p.person(start + 19), "exit", 5, "stopped", date(2026, 9, 2))
    p.viewed(start + 20, 1, 5, "stopped", date(2026, 10, 2))
    p.view(p.person(start + 21), "first_contact", 1, "continued", date(2026, 9, 3))
    return referrals


def other_agency_everything(world):
    """The other agency, with some of each thing in the period: never counted here."""
    build(
        world,
        agency=world.other_agency,
        referrals=[world.other_referral],
        worker=world["other_partner_contact"],
        start=100,
    )


# By hand, for the third quarter (now) and the second (before):
# first contacts due: now P1, P2, P4 (P3 cancelled by its due date; P6 due in October; the
#   follow-up is not a first contact) = 3; before P5 = 1.
# reached by the due date: now P1 (20:00 on the due day) = 1; P2 the day after, P4 never;
#   before P5 = 1. Share: 1/3 and 1.
# people reached: now P1 (twice), P2, P6 = 3; before P5 = 1.
# contacts and attempts: now P1 ×2, P2 ×2, P6 ×2 (the last at 23:30 on 30 September) = 6, the
#   system's message left out; before P5 ×2 (18 June, and 00:30 on 1 April) = 2.
# services: now safety planning 3 (P1, P2, P6), information 1, isolation 2, accompaniment 0
#   (October), referral 1 = 7; before information 1 = 1.
# plans made: now P2 = 1; before P1 = 1. Updates: now P1 v2 and v3 = 2; before P5 v2 = 1.
# the victims' view: see SAFETY_ROWS and ABUSE_ROWS below.
EXPECTED = {
    "outreach_first_contacts_due": (3, 1),
    "outreach_reached_on_time": (1, 1),
    "outreach_reached_on_time_share": (1 / 3, 1.0),
    "outreach_people_reached": (3, 1),
    "outreach_attempts": (6, 2),
    "outreach_services": (7, 1),
    "outreach_plans_made": (1, 1),
    "outreach_plans_updated": (2, 1),
    # Six people, of whom five feel safer and one less safe: shown beside 6, "hidden" (five or
    # more) would leave the "< 5" one alone (1), and four counts of 1 to 4 making 6 would each be
    # 3 at most. Those people's total is hidden, in both figures.
    "outreach_views_safety": (definitions.HIDDEN, HIDDEN),
    "outreach_views_abuse": (definitions.HIDDEN, HIDDEN),
}
# The victims' view, now: 2→4, 1→5, 3→4, 4→5 and 2→3 feel safer (5), 4→2 less safe (1), none
# the same; at exit 2 stopped, 2 reduced, 1 continued, 1 prefers not to say. Before: 4→2 less
# safe, 2→2 as safe; 1 continued, 1 prefers not to say. Counts of 1 to 4 read "< 5".
SAFETY_ROWS = {
    # 5 would give the single "< 5" away beside the total of 6: hidden too (and the total).
    "safer": (definitions.HIDDEN, 0),
    "same": (0, HIDDEN),
    "less_safe": (HIDDEN, HIDDEN),
}
ABUSE_ROWS = {
    "stopped": (HIDDEN, 0),
    "reduced": (HIDDEN, 0),
    "continued": (HIDDEN, HIDDEN),
    "not_said": (HIDDEN, HIDDEN),
}
SERVICE_ROWS = {
    "safety_planning": (3, 0),
    "information": (1, 1),
    "isolation": (2, 0),
    "accompaniment": (0, 0),
    "referral": (1, 0),
}


def compute(world):
    return outreach.compute(Scope.agency(world.agency), CURRENT, PREVIOUS)


def rows(result):
    return {row.by: (row.current, row.previous) for row in result.rows}


def test_every_outreach_figure_matches_the_hand_count_for_both_periods(world):
    build(world)
    other_agency_everything(world)
    results = compute(world)
    assert [r.figure.key for r in results] == list(EXPECTED)
    for key, (now, before) in EXPECTED.items():
        result = result_of(results, key)
        assert (result.current, result.previous) == (now, before), key
    assert result_of(results, "outreach_reached_on_time_share").counted == (3, 1)
    assert rows(result_of(results, "outreach_services")) == SERVICE_ROWS
    assert rows(result_of(results, "outreach_views_safety")) == SAFETY_ROWS
    assert rows(result_of(results, "outreach_views_abuse")) == ABUSE_ROWS


def test_the_other_agency_counts_its_own_people_alone(world):
    build(world)
    other_agency_everything(world)
    results = outreach.compute(Scope.agency(world.other_agency), CURRENT, PREVIOUS)
    # Its fixture is the same: the same counts, none of the first agency's added.
    for key, (now, before) in EXPECTED.items():
        result = result_of(results, key)
        assert (result.current, result.previous) == (now, before), key


def test_an_empty_agency_counts_zero_and_no_share(world):
    results = compute(world)
    assert result_of(results, "outreach_first_contacts_due").current == 0
    assert result_of(results, "outreach_reached_on_time_share").current is None
    # Zero tells nothing about anyone: it is shown.
    assert result_of(results, "outreach_views_safety").current == 0


def test_the_section_takes_the_same_few_queries_whatever_the_number_of_people(world):
    build(world)
    with CaptureQueriesContext(connection) as small:
        compute(world)
    build(world, referrals=[world.referral], start=200)
    build(world, referrals=[world.referral], start=300)
    with CaptureQueriesContext(connection) as large:
        results = compute(world)
    assert result_of(results, "outreach_attempts").current == 18
    assert len(small.captured_queries) == len(large.captured_queries)
    # Naming the agency to the row-level security, then one aggregate each for tasks,
    # contacts, plans and views (savepoints aside).
    sent = [q["sql"] for q in large.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sent) == 5, sent
    assert "set_config" in sent[0]
    assert all(query.startswith("SELECT COUNT") for query in sent[1:])


@pytest.mark.parametrize(
    "scope", [Scope.province(), Scope.of_courts({1}), Scope(agencies=frozenset({1, 2}))]
)
def test_what_victims_say_is_never_counted_beyond_one_agency(scope):
    with pytest.raises(ValueError):
        outreach.compute(scope, CURRENT, PREVIOUS)


def test_no_outreach_figure_lists_the_people_behind_it():
    for key in EXPECTED:
        with pytest.raises(Http404):
            selectors.listed_figure(key, {"cases", "fees", "outreach"})


def _figures_page(client, world, person):
    client.force_login(world[person])
    response = client.get(f"/en/a/{world.agency.slug}/figures/?{CURRENT.query()}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_partner_contact_worker_reads_outreach_and_not_the_referrals(client, world):
    build(world)
    page = _figures_page(client, world, "partner_contact")
    assert "Outreach to victims and partners" in page
    assert "People with a first contact due" in page
    assert "How safe they feel at exit, compared with first contact" in page
    assert "&lt; 5" in page
    assert "Referrals received" not in page
    # Counts only: nobody's name.
    assert "Person 1" not in page


def test_the_intake_worker_does_not_read_outreach(client, world):
    build(world)
    page = _figures_page(client, world, "intake")
    assert "Referrals received" in page  # positive control: the page has its sections
    assert "Outreach to victims and partners" not in page
    assert "People with a first contact due" not in page
