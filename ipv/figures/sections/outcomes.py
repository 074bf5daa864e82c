"""Outcomes: how referrals end (completed, discharged and why), the completion rate, how long
a completion takes, and the way from referral to outcome."""

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Program
from ipv.figures.aggregates import Percentile
from ipv.figures.definitions import (
    DAYS,
    SHARE,
    Figure,
    Result,
    Section,
    referral_breakdown,
    referral_counts,
)
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections.flow import closed_as, received_in
from referrals.models import DischargeReason, Milestone, Referral, Status, Stream

# A person who started a group: their referral was once enrolled (moving to another group
# adds no second start: Exists counts the referral once).
STARTED = Exists(Milestone.objects.filter(referral=OuterRef("pk"), kind=Milestone.Kind.ENROLLED))
HAD_INTAKE = Exists(
    Milestone.objects.filter(referral=OuterRef("pk"), kind=Milestone.Kind.INTAKE_DONE)
)
CLOSED_OTHERWISE = (
    Status.RETURNED_TO_COURT,
    Status.WITHDRAWN,
    Status.DISCHARGED,
    Status.TRANSFERRED,
)


def closed_in(period: Period) -> Q:
    return Q(status_changed_at__gte=period.starts_at, status_changed_at__lt=period.ends_before)


def _ended_in_program(period: Period) -> Q:
    """The referrals whose outcome says whether the program worked: closed in the period as
    completed, discharged, or withdrawn after starting a group. Transfers and returns to court
    are left out (the person did not fail the program here)."""
    return closed_in(period) & (
        Q(status__in=[Status.COMPLETED, Status.DISCHARGED]) | Q(STARTED, status=Status.WITHDRAWN)
    )


def _cohort(period: Period) -> Q:
    """The referrals received in the period, transfers in excluded."""
    return received_in(period) & ~Q(via=Referral.Via.TRANSFER)


COMPLETIONS = Figure(
    "completions",
    _("Completions"),
    _(
        "Referrals whose program was completed in the period (the day the completion was "
        "recorded), whenever they were received."
    ),
    where=closed_as(Status.COMPLETED),
    chart="line",
)
DISCHARGES = Figure(
    "discharges",
    _("Discharges, by reason"),
    _("Referrals discharged from the program in the period, by the reason chosen then."),
    where=closed_as(Status.DISCHARGED),
    by="discharge_reason",
)
RATE_DEFINITION = _(
    "Of the referrals closed in the period as completed, discharged, or withdrawn after "
    "starting a group, the share completed. Transfers and returns to court are left out: "
    "the person did not fail the program here."
)
COMPLETION_RATE = Figure("completion_rate", _("Completion rate"), RATE_DEFINITION, unit=SHARE)
COMPLETION_RATE_BY_STREAM = Figure(
    "completion_rate_by_stream",
    _("Completion rate, by court stream"),
    RATE_DEFINITION,
    unit=SHARE,
    by="stream",
)
COMPLETION_RATE_BY_PROGRAM = Figure(
    "completion_rate_by_program",
    _("Completion rate, by program"),
    RATE_DEFINITION,
    unit=SHARE,
    by="program",
)
DAYS_TO_COMPLETION = Figure(
    "days_to_completion",
    _("Days from referral to completion (median)"),
    _(
        "For the completions of the period, the median number of days from the date the "
        "referral was received to the day the completion was recorded."
    ),
    unit=DAYS,
)

# The way from referral to outcome: each step a referral count of its own, so that its cases
# can be listed; all of them among the referrals received in the period (where they are today).
FLOW_STEPS = (
    Figure(
        "outcome_flow_contacted",
        _("Contacted"),
        _("Of the referrals received in the period, those whose person was reached."),
        where=lambda period: _cohort(period) & Q(first_contact_at__isnull=False),
    ),
    Figure(
        "outcome_flow_intake",
        _("Intake done"),
        _("Of the referrals received in the period, those whose intake found them eligible."),
        where=lambda period: _cohort(period) & Q(HAD_INTAKE),
    ),
    Figure(
        "outcome_flow_started",
        _("Started a group"),
        _("Of the referrals received in the period, those whose person started a group."),
        where=lambda period: _cohort(period) & Q(STARTED),
    ),
    Figure(
        "outcome_flow_completed",
        _("Completed"),
        _("Of the referrals received in the period, those completed (up to today)."),
        where=lambda period: _cohort(period) & Q(status=Status.COMPLETED),
    ),
    Figure(
        "outcome_flow_closed",
        _("Closed otherwise"),
        _(
            "Of the referrals received in the period, those returned to court, withdrawn, "
            "discharged or transferred (up to today)."
        ),
        where=lambda period: _cohort(period) & Q(status__in=CLOSED_OTHERWISE),
    ),
)
FLOW = Figure(
    "outcome_flow",
    _("From referral to outcome"),
    _(
        "Of the referrals received in the period (transfers in excluded), how many were "
        "contacted, had their intake, started a group, completed, or closed otherwise, as "
        "they stand today."
    ),
    where=_cohort,
    chart="funnel",
)


def _days_waited():
    """Days from the date received to the local day the referral's status last changed."""
    return Func(
        TruncDate("status_changed_at", tzinfo=timezone.get_current_timezone()),
        F("received_on"),
        arg_joiner=" - ",
        template="(%(expressions)s)",
        output_field=IntegerField(),
    )


def _totals(base, current: Period, previous: Period) -> dict:
    """The completion rate's parts and the median days to completion, for both periods, in
    one query."""
    wanted = {}
    for when, period in (("now", current), ("before", previous)):
        completed = COMPLETIONS.where(period)
        wanted[f"ended__{when}"] = Count("pk", filter=_ended_in_program(period))
        wanted[f"completed__{when}"] = Count("pk", filter=completed)
        wanted[f"days__{when}"] = Percentile(_days_waited(), 0.5, filter=completed)
    return base.aggregate(**wanted)


def _rate(completed: int, ended: int) -> float | None:
    return completed / ended if ended else None


def _rates_by(base, figure: Figure, current: Period, previous: Period, labels: dict) -> Result:
    """The completion rate for each value of `figure.by`, in one query."""
    counts = base.values(figure.by).annotate(
        ended_now=Count("pk", filter=_ended_in_program(current)),
        ended_before=Count("pk", filter=_ended_in_program(previous)),
        done_now=Count("pk", filter=_ended_in_program(current) & Q(status=Status.COMPLETED)),
        done_before=Count("pk", filter=_ended_in_program(previous) & Q(status=Status.COMPLETED)),
    )
    found = {row[figure.by]: row for row in counts.order_by()}
    rows = []
    for value, label in labels.items():
        row = found.get(value)
        if not row or not (row["ended_now"] or row["ended_before"]):
            continue
        rows.append(
            Result(
                figure,
                _rate(row["done_now"], row["ended_now"]),
                _rate(row["done_before"], row["ended_before"]),
                label=label,
                by=str(value),
                counted=(row["ended_now"], row["ended_before"]),
            )
        )
    done_now = sum(row["done_now"] for row in found.values())
    ended_now = sum(row["ended_now"] for row in found.values())
    done_before = sum(row["done_before"] for row in found.values())
    ended_before = sum(row["ended_before"] for row in found.values())
    return Result(
        figure,
        _rate(done_now, ended_now),
        _rate(done_before, ended_before),
        rows=rows,
        counted=(ended_now, ended_before),
    )


def _completions_by_month(base, period: Period) -> list:
    local = timezone.get_current_timezone()
    rows = (
        base.filter(COMPLETIONS.where(period))
        .annotate(month=TruncMonth("status_changed_at", tzinfo=local))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    found = {row["month"].date(): row["count"] for row in rows}
    return [(month, found.get(month, 0)) for month in period.months()]


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    base = scope.rows(Referral.objects.all(), court="court")
    # Every figure here reads referrals received or closed in one of the two periods: the
    # aggregates scan those alone, not the agency's years of files.
    closed = base.filter(closed_in(current) | closed_in(previous))
    window = base.filter(
        closed_in(current) | closed_in(previous) | received_in(current) | received_in(previous)
    )
    counts = referral_counts(window, (COMPLETIONS, FLOW, *FLOW_STEPS), current, previous)
    totals = _totals(closed, current, previous)
    discharges = referral_breakdown(
        closed, DISCHARGES, current, previous, dict(DischargeReason.choices)
    )
    days = (totals["days__now"], totals["days__before"])
    return [
        Result(COMPLETIONS, *counts[COMPLETIONS.key], months=_completions_by_month(base, current)),
        Result(
            DISCHARGES,
            sum(row.current for row in discharges),
            sum(row.previous for row in discharges),
            discharges,
        ),
        Result(
            COMPLETION_RATE,
            _rate(totals["completed__now"], totals["ended__now"]),
            _rate(totals["completed__before"], totals["ended__before"]),
            counted=(totals["ended__now"], totals["ended__before"]),
        ),
        _rates_by(closed, COMPLETION_RATE_BY_STREAM, current, previous, dict(Stream.choices)),
        _rates_by(closed, COMPLETION_RATE_BY_PROGRAM, current, previous, dict(Program.choices)),
        Result(
            DAYS_TO_COMPLETION,
            *(round(value) if value is not None else None for value in days),
            counted=counts[COMPLETIONS.key],
        ),
        Result(
            FLOW,
            *counts[FLOW.key],
            rows=[Result(step, *counts[step.key], label=step.label) for step in FLOW_STEPS],
        ),
    ]


SECTION = Section(
    "outcomes",
    _("Outcomes"),
    "cases",
    (
        COMPLETIONS,
        DISCHARGES,
        COMPLETION_RATE,
        COMPLETION_RATE_BY_STREAM,
        COMPLETION_RATE_BY_PROGRAM,
        DAYS_TO_COMPLETION,
        FLOW,
        *FLOW_STEPS,
    ),
    compute,
)
