"""The attendance section, counted by hand on a small fixture: marks, sessions, reviews."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ipv.figures.definitions import Result
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections import attendance
from referrals.models import Milestone, Referral, TimelineEntry
from sessions_app.models import Attendance, Enrollment, Group, Session

pytestmark = pytest.mark.django_db

CURRENT = Period(date(2026, 7, 1), date(2026, 9, 30))
PREVIOUS = Period(date(2026, 4, 1), date(2026, 6, 30))


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def referral(world, name, *, agency=None, court=None, status="enrolled", **fields):
    """A referral put straight in `status` (the fixture's own history is written beside it)."""
    base = world.referral
    values = {
        "agency": agency or world.agency,
        "participant": base.participant,
        "program": "ipv",
        "stream": "early_intervention",
        "source_order": base.source_order,
        "court": court or world.court,
        "court_file_number": f"4811-998-26-{name}",
        "charges": "Assault (s. 266)",
        "order_date": date(2026, 1, 2),
        "received_on": date(2026, 1, 2),
        "complete_by": date(2026, 12, 1),
        "source": "court",
        "status": status,
        "submitted_by": world["intake"],
        "accepted_at": at(date(2026, 1, 2)),
    }
    return Referral.objects.create(**{**values, **fields})


def group(world, name, weekday):
    return Group.objects.create(
        agency=world.agency,
        name=name,
        program="ipv",
        language="fr",
        weekday=weekday,
        start_time=time(18, 30),
        start_date=date(2026, 4, 6),
        location="100 Main Street",
    )


def session(world, group, day, status="scheduled"):
    return Session.objects.create(
        agency=world.agency,
        group=group,
        module=world.session.module,
        date=day,
        start_time=time(18, 30),
        status=status,
    )


def mark(world, session, referral, status, **fields):
    if status == "late":
        fields["minutes_late"] = 5
    return Attendance.objects.create(
        agency=world.agency,
        session=session,
        referral=referral,
        status=status,
        recorded_by=world["facilitator"],
        **fields,
    )


def review(world, referral, opened: date, ended: tuple | None = None):
    """A review opened on `opened` (its milestone and its timeline line), and what ended it:
    (day, transition, status it led to), or None (still under review)."""
    Milestone.objects.create(
        agency=referral.agency,
        referral=referral,
        kind=Milestone.Kind.ABSENCE_REVIEW_OPENED,
        occurred_at=at(opened),
    )
    TimelineEntry.objects.create(
        agency=referral.agency,
        referral=referral,
        kind="flag_non_compliance",
        from_status="enrolled",
        to_status="non_compliant",
        reason_code="unexcused_absences",
        by=world["intake"],
        at=at(opened),
    )
    if ended:
        day, kind, status = ended
        TimelineEntry.objects.create(
            agency=referral.agency,
            referral=referral,
            kind=kind,
            from_status="non_compliant",
            to_status=status,
            reason="Fixture.",
            by=world["intake"],
            at=at(day),
        )


@pytest.fixture
def fixture(world):
    """Counted by hand (current: Q3 2026; previous: Q2 2026).

    Sessions: s0 G2 2026-06-11 cancelled; s1 G1 05-04; s2 G1 07-06; s3 G1 07-13 cancelled;
    s4 G2 08-06; s5 G1 08-10; s6 G1 10-05 (after both periods).
    Marks:  s1: A present, B unexcused                       -> previous 2 marks, 1 attended
            s2: A present, B late, C excused                  -> July 3 marks, 2 attended
            s3: A present, B unexcused  (cancelled: ignored)
            s4: B unexcused, A present as a make-up           -> August 2 marks, 1 attended
            s5: A present, C left early                       -> August 2 marks, 2 attended
            s6: A present                                     (outside)
    B moved from G1 to G2 on 07-20 (a re-enrolment): its marks follow the referral, counted
    once each. Current: 7 marks, 5 attended (5/7), 1 excused (C), 1 unexcused (B s4), 1
    make-up (A s4), July 2/3, August 3/4, September none; sessions held 3 (s2 s4 s5),
    cancelled 1 (s3). Previous: 2 marks, 1 attended (1/2), 0 excused, 1 unexcused, 0
    make-ups; held 1 (s1), cancelled 1 (s0).
    Reviews: B opened 07-20, resumed 07-27 (continued); B opened 08-15, discharged 08-25
    (discharged); D opened 09-10, nothing since (under review); E opened 05-20, withdrawn
    06-01 (closed otherwise, previous); F opened 06-25, resumed 07-02 (continued, previous:
    counted when opened). The other agency's review on 08-01 is not counted.
    Current: 3 (1 continued, 1 discharged, 0 closed, 1 under review).
    Previous: 2 (1 continued, 0 discharged, 1 closed, 0 under review).
    """
    a = referral(world, "A")
    b = referral(world, "B", status="discharged", discharge_reason="absences")
    c = referral(world, "C")
    d = referral(world, "D", status="non_compliant")
    e = referral(world, "E", status="withdrawn")
    f = referral(world, "F")
    g1, g2 = group(world, "Lundi", 0), group(world, "Jeudi", 3)
    Enrollment.objects.create(
        agency=world.agency,
        referral=b,
        group=g1,
        start_date=date(2026, 4, 6),
        ended_on=date(2026, 7, 20),
        end_reason="moved",
        created_by=world["intake"],
    )
    Enrollment.objects.create(
        agency=world.agency,
        referral=b,
        group=g2,
        start_date=date(2026, 7, 21),
        created_by=world["intake"],
    )
    session(world, g2, date(2026, 6, 11), status="cancelled")
    s1 = session(world, g1, date(2026, 5, 4))
    s2 = session(world, g1, date(2026, 7, 6))
    s3 = session(world, g1, date(2026, 7, 13), status="cancelled")
    s4 = session(world, g2, date(2026, 8, 6))
    s5 = session(world, g1, date(2026, 8, 10))
    s6 = session(world, g1, date(2026, 10, 5))
    mark(world, s1, a, "present")
    mark(world, s1, b, "unexcused")
    mark(world, s2, a, "present")
    mark(world, s2, b, "late")
    mark(world, s2, c, "excused")
    mark(world, s3, a, "present")
    mark(world, s3, b, "unexcused")
    mark(world, s4, b, "unexcused")
    mark(world, s4, a, "present", makeup=True)
    mark(world, s5, a, "present")
    mark(world, s5, c, "left_early")
    mark(world, s6, a, "present")
    review(world, b, date(2026, 7, 20), (date(2026, 7, 27), "resume", "enrolled"))
    review(world, b, date(2026, 8, 15), (date(2026, 8, 25), "discharge", "discharged"))
    review(world, d, date(2026, 9, 10))
    review(world, e, date(2026, 5, 20), (date(2026, 6, 1), "withdraw", "withdrawn"))
    review(world, f, date(2026, 6, 25), (date(2026, 7, 2), "resume", "enrolled"))
    elsewhere = referral(
        world, "Z", agency=world.other_agency, court=world.other_court, status="non_compliant"
    )
    review(world, elsewhere, date(2026, 8, 1))
    return {"a": a, "c": c, "g2": g2}


def computed(world) -> dict[str, Result]:
    results = attendance.compute(Scope.agency(world.agency), CURRENT, PREVIOUS)
    return {result.figure.key: result for result in results}


def test_every_attendance_figure_is_as_counted_by_hand_for_both_periods(world, fixture):
    results = computed(world)
    rate = results["attendance_rate"]
    assert (rate.current, rate.previous, rate.counted) == (5 / 7, 1 / 2, (7, 2))
    assert rate.months == [
        (date(2026, 7, 1), 2 / 3),
        (date(2026, 8, 1), 3 / 4),
        (date(2026, 9, 1), None),
    ]
    assert rate.figure.chart == "line"
    counts = {
        key: (results[key].current, results[key].previous)
        for key in (
            "absences_excused",
            "absences_unexcused",
            "makeups_attended",
            "sessions_held",
            "sessions_cancelled",
            "absence_reviews",
        )
    }
    assert counts == {
        "absences_excused": (1, 0),
        "absences_unexcused": (1, 1),
        "makeups_attended": (1, 0),
        "sessions_held": (3, 1),
        "sessions_cancelled": (1, 1),
        "absence_reviews": (3, 2),
    }
    assert [(r.by, r.current, r.previous) for r in results["absence_reviews"].rows] == [
        ("continued", 1, 1),
        ("discharged", 1, 0),
        ("closed", 0, 1),
        ("under_review", 1, 0),
    ]


def test_the_marks_of_a_cancelled_session_are_not_counted(world, fixture):
    before = computed(world)["attendance_rate"].counted
    cancelled = Session.objects.get(date=date(2026, 7, 13))
    Session.objects.filter(pk=cancelled.pk).update(status="scheduled")
    # Positive control: once held, its two marks (one attended) count.
    after = computed(world)
    assert after["attendance_rate"].counted == (before[0] + 2, before[1])
    assert after["attendance_rate"].current == 6 / 9


def test_attendance_figures_outside_the_agency_hide_small_counts(world, fixture):
    results = attendance.compute(Scope.province(), CURRENT, PREVIOUS)
    rate = next(r for r in results if r.figure.key == "attendance_rate").hidden_when_small()
    # 2 marks in the previous period: fewer than five, hidden; 7 shown.
    assert (rate.current, str(rate.previous)) == (5 / 7, "< 5")


def test_the_section_takes_the_same_number_of_queries_whatever_the_rows(world, fixture):
    with CaptureQueriesContext(connection) as small:
        computed(world)
    for n in range(5):
        extra = session(world, fixture["g2"], date(2026, 7, 20) + timedelta(weeks=n))
        mark(world, extra, fixture["a"], "present")
        mark(world, extra, fixture["c"], "unexcused")
        review(world, referral(world, f"X{n}"), date(2026, 9, 1))
    with CaptureQueriesContext(connection) as large:
        results = computed(world)
    assert results["attendance_rate"].counted == (17, 2)
    assert len(small.captured_queries) == len(large.captured_queries) == 4
