"""The court's figures: what a court liaison officer reads of the referrals from their courts,
across the agencies that serve them. Counts of cases and their outcomes only: nothing of the
victims, of outreach or of fees, and no names."""

from dataclasses import replace

from django.db.models import Count, F, Func, IntegerField, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from directory.models import Agency
from ipv.core.i18n import read_later
from ipv.figures.aggregates import Percentile
from ipv.figures.definitions import (
    DAYS,
    Figure,
    Result,
    Section,
    referral_breakdown,
    referral_counts,
)
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections.flow import RECEIVED, RECEIVED_DEFINITION, closed_as
from referrals.models import Referral, Status, Stream
from sessions_app.models import CourtReport

COURT_RECEIVED = Figure(
    "court_received", _("Referrals received"), RECEIVED_DEFINITION, where=RECEIVED.where
)
COURT_RECEIVED_BY_STREAM = Figure(
    "court_received_by_stream",
    _("Referrals received, by court stream"),
    RECEIVED_DEFINITION,
    where=RECEIVED.where,
    by="stream",
)
COMPLETIONS_DEFINITION = _(
    "Referrals whose program was completed in the period (the day the completion was "
    "recorded), whenever they were received."
)
COURT_COMPLETED = Figure(
    "court_completed",
    _("Programs completed"),
    COMPLETIONS_DEFINITION,
    where=closed_as(Status.COMPLETED),
)
COURT_DISCHARGED = Figure(
    "court_discharged",
    _("Discharges from the program"),
    _(
        "Referrals discharged from the program in the period for non-compliance (the day the "
        "discharge was recorded)."
    ),
    where=closed_as(Status.DISCHARGED),
)
NON_COMPLIANCE_REPORTS = Figure(
    "court_non_compliance_reports",
    _("Non-compliance reports issued to the court"),
    _(
        "Non-compliance and discharge reports issued to the court in the period (the day "
        "issued). A corrected report that replaces an earlier one is not counted again."
    ),
)
DAYS_DEFINITION = _(
    "For the programs completed in the period: the days from the date the referral was "
    "received to the day the completion was recorded. Half the people took less than the "
    "median; nine in ten took less than the 90th percentile."
)
DAYS_TO_COMPLETION = Figure(
    "court_days_to_completion", _("Days to completion (median)"), DAYS_DEFINITION, unit=DAYS
)
DAYS_TO_COMPLETION_90 = Figure(
    "court_days_to_completion_90",
    _("Days to completion (90th percentile)"),
    DAYS_DEFINITION,
    unit=DAYS,
)

COUNTS = (COURT_RECEIVED, COURT_COMPLETED, COURT_DISCHARGED)


def days_to_completion():
    """Days from the date received to the local day the completion was recorded (a date
    minus a date is a number of days in PostgreSQL)."""
    return Func(
        TruncDate("status_changed_at"),
        F("received_on"),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def _non_compliance_reports(scope: Scope, current: Period, previous: Period):
    """Reports issued in each period, first issues only (a correction `replaces` one)."""
    reports = scope.rows(
        CourtReport.objects.filter(kind=CourtReport.Kind.NON_COMPLIANCE, replaces__isnull=True)
    )

    def issued(period):
        return Q(issued_at__gte=period.starts_at, issued_at__lt=period.ends_before)

    totals = reports.aggregate(
        now=Count("pk", filter=issued(current)), before=Count("pk", filter=issued(previous))
    )
    return totals["now"], totals["before"]


def _days(base, current: Period, previous: Period) -> list[Result]:
    """The median and 90th percentile of the days to completion, for both periods, in one
    query, with how many completions they are drawn from."""
    completed = COURT_COMPLETED.where
    days = days_to_completion()
    found = base.aggregate(
        median_now=Percentile(days, 0.5, filter=completed(current)),
        median_before=Percentile(days, 0.5, filter=completed(previous)),
        p90_now=Percentile(days, 0.9, filter=completed(current)),
        p90_before=Percentile(days, 0.9, filter=completed(previous)),
        n_now=Count("pk", filter=completed(current)),
        n_before=Count("pk", filter=completed(previous)),
    )
    counted = (found["n_now"], found["n_before"])
    return [
        Result(DAYS_TO_COMPLETION, found["median_now"], found["median_before"], counted=counted),
        Result(DAYS_TO_COMPLETION_90, found["p90_now"], found["p90_before"], counted=counted),
    ]


def _by_agency(base, figure: Figure, current: Period, previous: Period, names: dict):
    window = base.filter(figure.where(current) | figure.where(previous))
    return referral_breakdown(window, replace(figure, by="agency"), current, previous, names)


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    base = scope.rows(Referral.objects.all(), court="court")
    counts = referral_counts(base, COUNTS, current, previous)
    agencies = Agency.objects.filter(
        pk__in=base.filter(
            RECEIVED.where(current)
            | RECEIVED.where(previous)
            | COURT_COMPLETED.where(current)
            | COURT_COMPLETED.where(previous)
        ).values("agency")
    )
    names = {agency.pk: read_later(agency, "name") for agency in agencies}
    received = Result(COURT_RECEIVED, *counts["court_received"])
    completed = Result(COURT_COMPLETED, *counts["court_completed"])
    # The province reads its agencies' counts in its roll-up, by region: the same counts hidden
    # in a second table of their own, differently, would give small ones away.
    if scope != Scope.province():
        received.rows = _by_agency(base, COURT_RECEIVED, current, previous, names)
        completed.rows = _by_agency(base, COURT_COMPLETED, current, previous, names)
    window = base.filter(RECEIVED.where(current) | RECEIVED.where(previous))
    streams = referral_breakdown(
        window, COURT_RECEIVED_BY_STREAM, current, previous, dict(Stream.choices)
    )
    by_stream = Result(COURT_RECEIVED_BY_STREAM, *counts["court_received"], rows=streams)
    reports = Result(NON_COMPLIANCE_REPORTS, *_non_compliance_reports(scope, current, previous))
    return [
        received,
        by_stream,
        completed,
        reports,
        Result(COURT_DISCHARGED, *counts["court_discharged"]),
        *_days(base, current, previous),
    ]


SECTION = Section(
    "court",
    _("Referrals from the court"),
    "court",
    (
        COURT_RECEIVED,
        COURT_RECEIVED_BY_STREAM,
        COURT_COMPLETED,
        NON_COMPLIANCE_REPORTS,
        COURT_DISCHARGED,
        DAYS_TO_COMPLETION,
        DAYS_TO_COMPLETION_90,
    ),
    compute,
)
