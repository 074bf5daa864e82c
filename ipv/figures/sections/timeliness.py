"""Timeliness: how many days people wait, from the referral, for the first contact, the intake
and their first group session, and the share who got there within the agency's own delays.

Each step's cohort is the referrals whose step happened in the period, so a referral received
in one quarter and contacted in the next counts in the next. Referrals received by transfer are
left out: their clock started at the agency that sent them.
"""

from django.db.models import Count, F, Func, IntegerField, Min, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.db.models.lookups import LessThanOrEqual
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from directory.models import Agency
from ipv.figures.aggregates import Percentile
from ipv.figures.definitions import DAYS, SHARE, Figure, Result, Section
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Intake, Referral
from sessions_app.models import Attendance, Session

# A person attended a session (the first one counts as the start, whatever came after).
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)


class DaysBetween(Func):
    """Whole days from `earlier` to `later` (two dates: PostgreSQL subtracts them to days)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


def _fill(text, **values) -> str:
    return text % {name: str(value) for name, value in values.items()}


# Filled when read, so that each piece is in the reader's language.
fill = lazy(_fill, str)

EXCLUDED = _(
    "Referrals received by transfer are left out: their clock started at the other agency."
)


def _step(key: str, title, step, setting, *, chart: str = ""):
    """The median, the 90th percentile and the share within the agency's delay of one step:
    `title` names the step alone, `step` within a sentence, `setting` the agency's delay."""
    median = Figure(
        f"{key}_median",
        fill(_("%(step)s: median days"), step=title),
        fill(
            _(
                "Days between the date the referral was received and %(step)s, for the "
                "referrals whose %(step)s happened in the period: half took this long or less. "
                "%(excluded)s"
            ),
            step=step,
            excluded=EXCLUDED,
        ),
        unit=DAYS,
        chart=chart,
    )
    slowest = Figure(
        f"{key}_p90",
        fill(_("%(step)s: days, 90th percentile"), step=title),
        fill(
            _(
                "Days between the date the referral was received and %(step)s, for the "
                "referrals whose %(step)s happened in the period: nine in ten took this long "
                "or less. %(excluded)s"
            ),
            step=step,
            excluded=EXCLUDED,
        ),
        unit=DAYS,
    )
    share = Figure(
        f"{key}_within",
        fill(_("%(step)s: share within the agency's delay"), step=title),
        fill(
            _(
                "Of the referrals whose %(step)s happened in the period, the share where it "
                "came within the days set by the referral's own agency (the setting "
                "“%(setting)s”), counted from the date the referral was received. "
                "%(excluded)s"
            ),
            step=step,
            setting=setting,
            excluded=EXCLUDED,
        ),
        unit=SHARE,
    )
    return median, slowest, share


CONTACT = _step(
    "first_contact",
    _("First contact"),
    _("the first contact"),
    Agency._meta.get_field("contact_within_days").verbose_name,
    chart="line",
)
INTAKE = _step(
    "intake",
    _("Intake"),
    _("the intake"),
    Agency._meta.get_field("intake_within_days").verbose_name,
)
START = _step(
    "first_session",
    _("First group session"),
    _("the first group session attended"),
    Agency._meta.get_field("start_within_days").verbose_name,
)


def _summary(queryset, days, delay, happened, current: Period, previous: Period) -> dict:
    """The median, the 90th percentile, the share within `delay` and the cohort size of
    `days` for each period, `happened(period)` saying that the step happened in it: one
    query."""
    wanted = {}
    for name, period in (("now", current), ("before", previous)):
        inside = happened(period)
        wanted[f"median_{name}"] = Percentile(days, 0.5, filter=inside)
        wanted[f"p90_{name}"] = Percentile(days, 0.9, filter=inside)
        # Counting the days, not the rows' ids: over the first sessions (grouped by referral)
        # an id would split the groups again.
        wanted[f"within_{name}"] = Count(days, filter=inside & Q(LessThanOrEqual(days, delay)))
        wanted[f"counted_{name}"] = Count(days, filter=inside)
    return queryset.aggregate(**wanted)


def _results(figures, totals) -> list[Result]:
    median, slowest, share = figures
    counted = (totals["counted_now"], totals["counted_before"])

    def ratio(name):
        cohort = totals[f"counted_{name}"]
        return totals[f"within_{name}"] / cohort if cohort else None

    return [
        Result(median, totals["median_now"], totals["median_before"], counted=counted),
        Result(slowest, totals["p90_now"], totals["p90_before"], counted=counted),
        Result(share, ratio("now"), ratio("before"), counted=counted),
    ]


def _within(field: str):
    """The step, a date `field`, happened in the period."""
    return lambda period: Q(**{f"{field}__range": (period.start, period.end)})


def _contacted_in(period: Period) -> Q:
    # The moment falls on one of the period's local days (and the index on it can be used).
    return Q(first_contact_at__gte=period.starts_at, first_contact_at__lt=period.ends_before)


def _first_contacts(scope: Scope, current: Period, previous: Period):
    """The scope's referrals (transfers left out) first contacted in either period."""
    return (
        scope.rows(Referral.objects.all(), court="court")
        .exclude(via=Referral.Via.TRANSFER)
        .filter(_contacted_in(Period(previous.start, current.end)))
    )


def _contact(scope: Scope, current: Period, previous: Period) -> list[Result]:
    referrals = _first_contacts(scope, current, previous)
    days = DaysBetween(TruncDate("first_contact_at"), F("received_on"))
    totals = _summary(
        referrals, days, F("agency__contact_within_days"), _contacted_in, current, previous
    )
    results = _results(CONTACT, totals)
    # The monthly trend of the median, in the same cohort (one query for every month).
    by_month = dict(
        referrals.filter(_contacted_in(current))
        .annotate(month=TruncMonth(TruncDate("first_contact_at")))
        .values("month")
        .annotate(median=Percentile(days, 0.5))
        .values_list("month", "median")
        .order_by()
    )
    results[0].months = [(month, by_month.get(month)) for month in current.months()]
    return results


def _intake(scope: Scope, current: Period, previous: Period) -> list[Result]:
    intakes = (
        scope.rows(Intake.objects.all())
        .exclude(referral__via=Referral.Via.TRANSFER)
        .filter(held_on__range=(previous.start, current.end))
    )
    days = DaysBetween(F("held_on"), F("referral__received_on"))
    totals = _summary(
        intakes,
        days,
        F("referral__agency__intake_within_days"),
        _within("held_on"),
        current,
        previous,
    )
    return _results(INTAKE, totals)


def _start(scope: Scope, current: Period, previous: Period) -> list[Result]:
    # Each referral's first attended session (make-ups included; a cancelled session was not
    # held), kept when it falls in either period; then the figures over those referrals. The
    # first session is known only from all of a referral's attendance up to the period's end,
    # so this query reads all those rows: the costliest of the section.
    firsts = (
        scope.rows(Attendance.objects.all(), agency="referral__agency")
        .exclude(referral__via=Referral.Via.TRANSFER)
        .filter(
            status__in=ATTENDED,
            session__status=Session.Status.SCHEDULED,
            session__date__lte=current.end,
        )
        .values("referral")
        .annotate(
            received=F("referral__received_on"),
            delay=F("referral__agency__start_within_days"),
            started=Min("session__date"),
        )
        .filter(started__gte=previous.start)
        .order_by()
    )
    totals = _summary(
        firsts,
        DaysBetween(F("started"), F("received")),
        F("delay"),
        _within("started"),
        current,
        previous,
    )
    return _results(START, totals)


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    return [
        *_contact(scope, current, previous),
        *_intake(scope, current, previous),
        *_start(scope, current, previous),
    ]


SECTION = Section("timeliness", _("Timeliness"), "cases", (*CONTACT, *INTAKE, *START), compute)
