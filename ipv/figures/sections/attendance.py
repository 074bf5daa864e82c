"""Attendance: the marks taken at the group sessions of the period, and the absence reviews."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from ipv.figures.definitions import SHARE, Figure, Result, Section
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Milestone, Status, TimelineEntry
from sessions_app.models import Attendance, Session

ATTENDED = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.LEFT_EARLY,
)

ATTENDANCE_RATE = Figure(
    "attendance_rate",
    _("Attendance rate"),
    _(
        "Of the attendance marks taken at the sessions dated in the period, the share that says "
        "the person came (present, late or left early). Cancelled sessions are left out; a "
        "make-up counts at the session the person came to."
    ),
    unit=SHARE,
    chart="line",
)
EXCUSED = Figure(
    "absences_excused",
    _("Excused absences"),
    _("Marks of an excused absence at the sessions dated in the period (cancelled left out)."),
)
UNEXCUSED = Figure(
    "absences_unexcused",
    _("Unexcused absences"),
    _("Marks of an unexcused absence at the sessions dated in the period (cancelled left out)."),
)
MAKEUPS = Figure(
    "makeups_attended",
    _("Make-ups attended"),
    _(
        "Sessions dated in the period that a person attended in another group than their own "
        "to make up a module they missed."
    ),
)
SESSIONS_HELD = Figure(
    "sessions_held",
    _("Sessions held"),
    _("Group sessions dated in the period and not cancelled."),
)
SESSIONS_CANCELLED = Figure(
    "sessions_cancelled",
    _("Sessions cancelled"),
    _("Group sessions dated in the period that were cancelled."),
)
REVIEWS = Figure(
    "absence_reviews",
    _("Absence reviews opened"),
    _(
        "Referrals flagged for a non-compliance review in the period, by what followed: the "
        "person continued in the program, was discharged, left otherwise (withdrawn or "
        "transferred), or is still under review today."
    ),
)

# What ended a review: the status the referral took when it left "under review".
REVIEW_OUTCOMES = (
    ("continued", _("Continued in the program"), Q(outcome=Status.ENROLLED)),
    ("discharged", _("Discharged"), Q(outcome=Status.DISCHARGED)),
    (
        "closed",
        _("Closed otherwise (withdrawn or transferred)"),
        Q(outcome__in=[Status.WITHDRAWN, Status.TRANSFERRED]),
    ),
    ("under_review", _("Still under review"), Q(outcome__isnull=True)),
)


def dated_in(period: Period, field: str = "session__date") -> Q:
    return Q(**{f"{field}__range": (period.start, period.end)})


def opened_in(period: Period) -> Q:
    return Q(occurred_at__gte=period.starts_at, occurred_at__lt=period.ends_before)


def _marks(scope: Scope, current: Period, previous: Period) -> dict:
    """Every count of marks, for both periods, in one query."""
    marks = scope.rows(Attendance.objects.all()).filter(
        dated_in(current) | dated_in(previous), session__status=Session.Status.SCHEDULED
    )
    kinds = {
        "all": Q(),
        "attended": Q(status__in=ATTENDED),
        EXCUSED.key: Q(status=Attendance.Status.EXCUSED),
        UNEXCUSED.key: Q(status=Attendance.Status.UNEXCUSED),
        MAKEUPS.key: Q(status__in=ATTENDED, makeup=True),
    }
    wanted = {}
    for name, condition in kinds.items():
        for when, period in (("now", current), ("before", previous)):
            wanted[f"{name}__{when}"] = Count("pk", filter=condition & dated_in(period))
    return marks.aggregate(**wanted)


def _rate(attended: int, marks: int) -> float | None:
    return attended / marks if marks else None


def _months(scope: Scope, period: Period) -> list:
    """The attendance rate of each month of the period, in one query."""
    rows = (
        scope.rows(Attendance.objects.all())
        .filter(dated_in(period), session__status=Session.Status.SCHEDULED)
        .annotate(month=TruncMonth("session__date"))
        .values("month")
        .annotate(marks=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
        .order_by()
    )
    found = {row["month"]: _rate(row["attended"], row["marks"]) for row in rows}
    return [(month, found.get(month)) for month in period.months()]


def _sessions(scope: Scope, current: Period, previous: Period) -> dict:
    """Sessions held and cancelled, for both periods, in one query. Outside an agency (a
    court's scope), the sessions where someone referred by those courts had a mark."""
    sessions = scope.rows(Session.objects.all(), court="attendance__referral__court").filter(
        dated_in(current, "date") | dated_in(previous, "date")
    )
    wanted = {}
    for figure, status in (
        (SESSIONS_HELD, Session.Status.SCHEDULED),
        (SESSIONS_CANCELLED, Session.Status.CANCELLED),
    ):
        for when, period in (("now", current), ("before", previous)):
            wanted[f"{figure.key}__{when}"] = Count(
                "pk", distinct=True, filter=Q(status=status) & dated_in(period, "date")
            )
    return sessions.aggregate(**wanted)


def _reviews(scope: Scope, current: Period, previous: Period) -> Result:
    """The reviews opened in each period by what followed, in one query: the status the
    referral took on leaving "under review" after the review opened (none yet: still under
    review)."""
    left_review = TimelineEntry.objects.filter(
        referral=OuterRef("referral"),
        from_status=Status.NON_COMPLIANT,
        at__gte=OuterRef("occurred_at"),
    ).order_by("at", "pk")
    reviews = (
        scope.rows(Milestone.objects.all())
        .filter(kind=Milestone.Kind.ABSENCE_REVIEW_OPENED)
        .filter(opened_in(current) | opened_in(previous))
        .annotate(outcome=Subquery(left_review.values("to_status")[:1]))
    )
    wanted = {}
    for key, _label, condition in REVIEW_OUTCOMES:
        wanted[f"{key}__now"] = Count("pk", filter=condition & opened_in(current))
        wanted[f"{key}__before"] = Count("pk", filter=condition & opened_in(previous))
    totals = reviews.aggregate(**wanted)
    rows = [
        Result(REVIEWS, totals[f"{key}__now"], totals[f"{key}__before"], label=label, by=key)
        for key, label, _condition in REVIEW_OUTCOMES
    ]
    return Result(REVIEWS, sum(r.current for r in rows), sum(r.previous for r in rows), rows=rows)


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    marks = _marks(scope, current, previous)
    sessions = _sessions(scope, current, previous)
    rate = Result(
        ATTENDANCE_RATE,
        _rate(marks["attended__now"], marks["all__now"]),
        _rate(marks["attended__before"], marks["all__before"]),
        months=_months(scope, current),
        counted=(marks["all__now"], marks["all__before"]),
    )
    results = [rate]
    for figure in (EXCUSED, UNEXCUSED, MAKEUPS):
        results.append(Result(figure, marks[f"{figure.key}__now"], marks[f"{figure.key}__before"]))
    for figure in (SESSIONS_HELD, SESSIONS_CANCELLED):
        results.append(
            Result(figure, sessions[f"{figure.key}__now"], sessions[f"{figure.key}__before"])
        )
    results.append(_reviews(scope, current, previous))
    return results


SECTION = Section(
    "attendance",
    _("Attendance"),
    "cases",
    (ATTENDANCE_RATE, EXCUSED, UNEXCUSED, MAKEUPS, SESSIONS_HELD, SESSIONS_CANCELLED, REVIEWS),
    compute,
)
