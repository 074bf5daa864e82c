"""The outcomes section, counted by hand on a small fixture: completions, discharges by
reason, the completion rate, days to completion and the way from referral to outcome."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipv.figures import selectors
from ipv.figures.catalogue import FIGURES
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections import outcomes
from referrals.models import Milestone
from tests.figures.test_attendance import at, referral

pytestmark = pytest.mark.django_db

CURRENT = Period(date(2026, 7, 1), date(2026, 9, 30))
PREVIOUS = Period(date(2026, 4, 1), date(2026, 6, 30))


def case(world, name, received, *, status="received", closed=None, steps=(), **fields):
    """A referral received on `received`, now in `status` since `closed`, having gone
    through `steps` (contacted, intake, started; started twice for a re-enrolment)."""
    made = referral(
        world,
        name,
        status=status,
        order_date=received,
        received_on=received,
        status_changed_at=at(closed or received),
        first_contact_at=at(received) if "contacted" in steps else None,
        **fields,
    )
    kinds = {"intake": Milestone.Kind.INTAKE_DONE, "started": Milestone.Kind.ENROLLED}
    for step in steps:
        if step in kinds:
            Milestone.objects.create(
                agency=made.agency, referral=made, kind=kinds[step], occurred_at=at(received)
            )
    return made


ALL_STEPS = ("contacted", "intake", "started")


@pytest.fixture
def fixture(world):
    """Counted by hand (current: Q3 2026; previous: Q2 2026). EI, CP, OT: the streams.

    Received in Q3:  R1 07-02 EI all steps (moved group: started twice) completed 09-20 (80 d)
                     R2 08-01 EI all steps, still enrolled
                     R3 08-15 EI contacted, returned to court 08-30
                     R4 09-01 by transfer, enrolled (not in the cohort)
                     R5 09-05 EI not contacted yet
                     R6 09-10 OT all steps, withdrawn 09-25 (after starting)
    Received in Q2:  P1 05-10 CP all steps, completed 08-04 (86 d: in Q3, the completion's)
                     P2 04-15 CP all steps, discharged 06-20 for absences
                     P3 05-01 EI all steps, transferred 07-15 (not in the rate)
                     P4 06-01 EI contacted, withdrawn 06-10 (never started: not in the rate)
                     P5 04-02 EI IPIV all steps, completed 06-28 (87 d)
                     P6 04-20 EI all steps, discharged 08-20 for conduct
    Received in Q1:  P7 01-10 CP all steps, discharged 09-15 for absences
    The other agency's completion on 08-10 is not counted.

    Completions: now R1 P1 = 2 (July 0, August 1, September 1); before P5 = 1.
    Discharges: now P6 P7 = 2 (absences 1, conduct 1); before P2 = 1 (absences 1).
    Completion rate: now R1 P1 of R1 P1 R6 P6 P7 = 2/5; before P5 of P2 P5 = 1/2.
      by stream: EI now R1 of R1 P6 = 1/2, before P5 of P5 = 1/1; CP now P1 of P1 P7 = 1/2,
      before 0 of P2 = 0/1; Other now 0 of R6 = 0/1, before none.
      by program: IPV now 2/5, before 0 of P2 = 0/1; IPIV now none, before P5 = 1/1.
    Median days to completion: now (80 + 86) / 2 = 83 of 2; before 87 of 1.
    Flow: now received 5 (R1 R2 R3 R5 R6), contacted 4, intake 3, started 3, completed 1,
      closed otherwise 2 (R3 R6); before received 6 (P1-P6), contacted 6, intake 5, started 5,
      completed 2 (P1 P5), closed otherwise 4 (P2 P3 P4 P6).
    """
    ei, cp, ot = "early_intervention", "coordinated_prosecution", "other"
    case(world, "R1", date(2026, 7, 2), status="completed", closed=date(2026, 9, 20),
         steps=(*ALL_STEPS, "started"), stream=ei)  # fmt: skip
    case(world, "R2", date(2026, 8, 1), status="enrolled", steps=ALL_STEPS, stream=ei)
    case(world, "R3", date(2026, 8, 15), status="returned_to_court", closed=date(2026, 8, 30),
         steps=("contacted",), stream=ei)  # fmt: skip
    case(world, "R4", date(2026, 9, 1), status="enrolled", steps=ALL_STEPS, via="transfer")
    case(world, "R5", date(2026, 9, 5), stream=ei)
    case(world, "R6", date(2026, 9, 10), status="withdrawn", closed=date(2026, 9, 25),
         steps=ALL_STEPS, stream=ot)  # fmt: skip
    case(world, "P1", date(2026, 5, 10), status="completed", closed=date(2026, 8, 4),
         steps=ALL_STEPS, stream=cp)  # fmt: skip
    case(world, "P2", date(2026, 4, 15), status="discharged", closed=date(2026, 6, 20),
         steps=ALL_STEPS, stream=cp, discharge_reason="absences")  # fmt: skip
    case(world, "P3", date(2026, 5, 1), status="transferred", closed=date(2026, 7, 15),
         steps=ALL_STEPS, stream=ei)  # fmt: skip
    case(world, "P4", date(2026, 6, 1), status="withdrawn", closed=date(2026, 6, 10),
         steps=("contacted",), stream=ei)  # fmt: skip
    case(world, "P5", date(2026, 4, 2), status="completed", closed=date(2026, 6, 28),
         steps=ALL_STEPS, stream=ei, program="ipiv")  # fmt: skip
    case(world, "P6", date(2026, 4, 20), status="discharged", closed=date(2026, 8, 20),
         steps=ALL_STEPS, stream=ei, discharge_reason="conduct")  # fmt: skip
    case(world, "P7", date(2026, 1, 10), status="discharged", closed=date(2026, 9, 15),
         steps=ALL_STEPS, stream=cp, discharge_reason="absences")  # fmt: skip
    case(world, "Z1", date(2026, 7, 3), status="completed", closed=date(2026, 8, 10),
         steps=ALL_STEPS, agency=world.other_agency, court=world.other_court)  # fmt: skip


def computed(world):
    results = outcomes.compute(Scope.agency(world.agency), CURRENT, PREVIOUS)
    return {result.figure.key: result for result in results}


def rows(result):
    return [(row.by, row.current, row.previous) for row in result.rows]


def test_every_outcome_figure_is_as_counted_by_hand_for_both_periods(world, fixture, english):
    results = computed(world)
    completions = results["completions"]
    assert (completions.current, completions.previous) == (2, 1)
    assert completions.months == [
        (date(2026, 7, 1), 0),
        (date(2026, 8, 1), 1),
        (date(2026, 9, 1), 1),
    ]
    discharges = results["discharges"]
    assert (discharges.current, discharges.previous) == (2, 1)
    assert rows(discharges) == [("absences", 1, 1), ("conduct", 1, 0)]
    assert [row.label for row in discharges.rows] == ["Absences", "Conduct in the group"]
    rate = results["completion_rate"]
    assert (rate.current, rate.previous, rate.counted) == (2 / 5, 1 / 2, (5, 2))
    by_stream = results["completion_rate_by_stream"]
    assert (by_stream.current, by_stream.previous) == (2 / 5, 1 / 2)
    assert rows(by_stream) == [
        ("early_intervention", 1 / 2, 1.0),
        ("coordinated_prosecution", 1 / 2, 0.0),
        ("other", 0.0, None),
    ]
    assert [row.counted for row in by_stream.rows] == [(2, 1), (2, 1), (1, 0)]
    assert rows(results["completion_rate_by_program"]) == [
        ("ipv", 2 / 5, 0.0),
        ("ipiv", None, 1.0),
    ]
    days = results["days_to_completion"]
    assert (days.current, days.previous, days.counted) == (83, 87, (2, 1))
    flow = results["outcome_flow"]
    assert flow.figure.chart == "funnel"
    assert (flow.current, flow.previous) == (5, 6)
    assert [(row.label, row.current, row.previous) for row in flow.rows] == [
        ("Contacted", 4, 6),
        ("Intake done", 3, 5),
        ("Started a group", 3, 5),
        ("Completed", 1, 2),
        ("Closed otherwise", 2, 4),
    ]


STARTED_NOW, STARTED_BEFORE = {"R1", "R2", "R6"}, {"P1", "P2", "P3", "P5", "P6"}


@pytest.mark.parametrize(
    ("key", "by", "expected"),
    [
        ("completions", "", {CURRENT: {"R1", "P1"}, PREVIOUS: {"P5"}}),
        ("discharges", "", {CURRENT: {"P6", "P7"}, PREVIOUS: {"P2"}}),
        ("discharges", "conduct", {CURRENT: {"P6"}, PREVIOUS: set()}),
        ("discharges", "absences", {CURRENT: {"P7"}, PREVIOUS: {"P2"}}),
        (
            "outcome_flow",
            "",
            {
                CURRENT: {"R1", "R2", "R3", "R5", "R6"},
                PREVIOUS: {"P1", "P2", "P3", "P4", "P5", "P6"},
            },
        ),
        (
            "outcome_flow_intake",
            "",
            {CURRENT: {"R1", "R2", "R6"}, PREVIOUS: {"P1", "P2", "P3", "P5", "P6"}},
        ),
        (
            "outcome_flow_started",
            "",
            {CURRENT: {"R1", "R2", "R6"}, PREVIOUS: {"P1", "P2", "P3", "P5", "P6"}},
        ),
        ("outcome_flow_completed", "", {CURRENT: {"R1"}, PREVIOUS: {"P1", "P5"}}),
        ("outcome_flow_closed", "", {CURRENT: {"R3", "R6"}, PREVIOUS: {"P2", "P3", "P4", "P6"}}),
    ],
)
def test_the_cases_behind_each_count_are_the_ones_counted(world, fixture, key, by, expected):
    scope = Scope.agency(world.agency)
    for period, names in expected.items():
        listed = selectors.cases(scope=scope, figure=FIGURES[key], period=period, by=by)
        # The re-enrolled R1 (started twice) is listed once.
        assert sorted(r.court_file_number[-2:] for r in listed) == sorted(names), period


def test_the_outcome_figures_are_in_the_catalogue_after_attendance(world):
    from ipv.figures.catalogue import SECTIONS

    keys = [section.key for section in SECTIONS]
    assert keys.index("attendance") < keys.index("outcomes")
    assert FIGURES["outcome_flow_contacted"].lists_referrals
    assert not FIGURES["completion_rate"].lists_referrals


def test_the_section_takes_the_same_number_of_queries_whatever_the_rows(world, fixture):
    with CaptureQueriesContext(connection) as small:
        computed(world)
    for n in range(6):
        case(world, f"X{n}", date(2026, 7, 5), status="completed", closed=date(2026, 9, 1),
             steps=ALL_STEPS, stream="other", program="ipiv")  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        results = computed(world)
    assert results["completions"].current == 8
    assert len(small.captured_queries) == len(large.captured_queries) == 6
