"""Fees: assessments, the fees agreed (and how far below the scale), the money kept, and what
is owed today.

The rules follow fees.services: a fee on the scale is agreed the moment it is proposed; a fee
below or above the scale is agreed when a manager approves it (`decided_at`). A referral has one
agreed fee at a time: a later agreement replaces the earlier one (status "replaced"), so a
referral's fee is counted once, as it stands, in the period it was agreed. The ledger is the
truth for money: a payment counts on its date, its void or refund on theirs.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Min, Q, Sum, When
from django.utils.translation import gettext_lazy as _

from fees.models import FeeAccount, FeeAssessment, FeeProposal, LedgerEntry, Method
from ipv.figures.definitions import COUNT, MONEY, Figure, Result, Section, referral_counts
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Referral

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)


# The rules, each written once: on the referral for the lists of cases, on the fee rows for
# the totals.


def first_assessed_in(period: Period) -> Q:
    """Referrals whose first fee assessment was made in the period (a reassessment later on
    does not count the referral again)."""
    firsts = (
        FeeAssessment.objects.values("referral")
        .annotate(first=Min("assessed_at"))
        .filter(first__gte=period.starts_at, first__lt=period.ends_before)
        .values("referral")
    )
    return Q(pk__in=firsts)


def agreed_in(period: Period) -> Q:
    """Fee proposals that stand as a referral's agreed fee and were agreed in the period: on the
    day a manager approved it, or, for a fee on the scale (agreed at once), on the day it was
    proposed."""
    approved = Q(decided_at__gte=period.starts_at, decided_at__lt=period.ends_before)
    at_once = Q(
        decided_at__isnull=True,
        proposed_at__gte=period.starts_at,
        proposed_at__lt=period.ends_before,
    )
    return Q(status=FeeProposal.Status.AGREED) & (approved | at_once)


# Below the fee the scale gave at the assessment the proposal was made on.
REDUCED = Q(amount__gt=0, amount__lt=F("assessment__standard_fee"))
WAIVED = Q(amount=0, assessment__standard_fee__gt=0)


def _referrals_whose_fee(condition: Q):
    """A referral condition from a condition on its agreed fee, for the lists of cases."""

    def where(period: Period) -> Q:
        agreed = FeeProposal.objects.filter(agreed_in(period) & condition).values("referral")
        return Q(pk__in=agreed)

    return where


ASSESSED = Figure(
    "fees_assessed",
    _("Referrals assessed for a fee"),
    _(
        "Referrals whose fee was assessed for the first time in the period (a later "
        "reassessment of the same referral is not counted again)."
    ),
    where=first_assessed_in,
)
AGREED = Figure(
    "fees_agreed",
    _("Fees agreed"),
    _(
        "Referrals whose fee was agreed in the period: a fee on the scale on the day it was "
        "proposed, a fee off the scale on the day a manager approved it. A fee agreed and then "
        "replaced by a later one counts once, as the later one, in the period that one was "
        "agreed."
    ),
    where=_referrals_whose_fee(Q()),
)
AGREED_TOTAL = Figure(
    "fees_agreed_total",
    _("Total of the fees agreed"),
    _("The sum of the fees agreed in the period, counted as for “Fees agreed”."),
    unit=MONEY,
)
REDUCTIONS = Figure(
    "fees_reduced",
    _("Reduced fees"),
    _(
        "Fees agreed in the period below the fee the scale gave at the assessment, and above "
        "zero (a manager approved each one)."
    ),
    where=_referrals_whose_fee(REDUCED),
)
FORGONE = Figure(
    "fees_forgone",
    _("Amount forgone by reductions"),
    _(
        "For the reduced fees agreed in the period: the fee the scale gave, less the fee "
        "agreed, added up. Waivers are not included."
    ),
    unit=MONEY,
)
WAIVERS = Figure(
    "fees_waived",
    _("Fees waived"),
    _(
        "Fees agreed in the period at zero where the scale asked for a fee (a manager approved "
        "each one). A fee of zero on the scale is not a waiver."
    ),
    where=_referrals_whose_fee(WAIVED),
)
COLLECTED = Figure(
    "fees_collected",
    _("Fees collected"),
    _(
        "Payments received in the period, less the payments voided and the refunds given in "
        "the period, each on its date in the ledger. A payment recorded as a waiver forgives a "
        "fee and is not money collected: it is left out, with its void."
    ),
    unit=MONEY,
    chart="line",
)
OUTSTANDING = Figure(
    "fees_outstanding",
    _("Owed today"),
    _(
        "What remains to pay today, whatever the period chosen: the agreed fees, less what "
        "was paid and kept, added up over the referrals that still owe something."
    ),
    unit=MONEY,
)
OWING = Figure(
    "fees_owing",
    _("Referrals that owe today"),
    _(
        "Referrals with something left to pay on their agreed fee today, whatever the period "
        "chosen."
    ),
    unit=COUNT,
    where=lambda period: Q(fee_account__balance__gt=0),
)


def _agreements(scope: Scope, current: Period, previous: Period) -> dict:
    """The agreed fees of both periods, counted and added up in one query."""
    proposals = scope.rows(FeeProposal.objects.all()).filter(
        agreed_in(current) | agreed_in(previous)
    )
    forgone = F("assessment__standard_fee") - F("amount")
    wanted = {}
    for name, period in (("now", current), ("before", previous)):
        rule = agreed_in(period)
        wanted |= {
            f"agreed_{name}": Count("pk", filter=rule),
            f"total_{name}": Sum("amount", filter=rule),
            f"reduced_{name}": Count("pk", filter=rule & REDUCED),
            f"forgone_{name}": Sum(forgone, filter=rule & REDUCED, output_field=MONEY_FIELD),
            f"waived_{name}": Count("pk", filter=rule & WAIVED),
        }
    return proposals.aggregate(**wanted)


def _collected(scope: Scope, current: Period, previous: Period) -> dict:
    """Money kept in each period and in each month of the current one, from the ledger's
    dates, and how many referrals it came from: one query."""
    signed = Case(
        When(kind=LedgerEntry.Kind.PAYMENT, then=F("amount")),
        default=-F("amount"),
        output_field=MONEY_FIELD,
    )
    wanted = {}
    for name, period in (("now", current), ("before", previous)):
        dated = Q(received_on__range=(period.start, period.end))
        wanted[name] = Sum(signed, filter=dated)
        wanted[f"referrals_{name}"] = Count("referral", distinct=True, filter=dated)
    for month in current.months():
        days = (max(month, current.start), min(_month_end(month), current.end))
        wanted[month.isoformat()] = Sum(signed, filter=Q(received_on__range=days))
    return (
        scope.rows(LedgerEntry.objects.all())
        .filter(received_on__range=(previous.start, current.end))
        .exclude(method=Method.WAIVER)
        .aggregate(**wanted)
    )


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    referrals = scope.rows(Referral.objects.all(), court="court")
    # Only the referrals assessed in either period need looking at.
    window = FeeAssessment.objects.filter(
        assessed_at__gte=previous.starts_at, assessed_at__lt=current.ends_before
    )
    assessed = referral_counts(
        referrals.filter(pk__in=window.values("referral")), (ASSESSED,), current, previous
    )
    fees = _agreements(scope, current, previous)
    money = _collected(scope, current, previous)
    months = [(month, money[month.isoformat()] or ZERO) for month in current.months()]
    owed = (
        scope.rows(FeeAccount.objects.all())
        .filter(balance__gt=0)
        .aggregate(total=Sum("balance"), accounts=Count("pk"))
    )
    return [
        Result(ASSESSED, *assessed[ASSESSED.key]),
        Result(AGREED, fees["agreed_now"], fees["agreed_before"]),
        # A sum of money is hidden outside the agency like a share: when drawn from fewer
        # than five referrals (it would tell what one person pays).
        Result(
            AGREED_TOTAL,
            fees["total_now"] or ZERO,
            fees["total_before"] or ZERO,
            counted=(fees["agreed_now"], fees["agreed_before"]),
        ),
        Result(REDUCTIONS, fees["reduced_now"], fees["reduced_before"]),
        Result(
            FORGONE,
            fees["forgone_now"] or ZERO,
            fees["forgone_before"] or ZERO,
            counted=(fees["reduced_now"], fees["reduced_before"]),
        ),
        Result(WAIVERS, fees["waived_now"], fees["waived_before"]),
        Result(
            COLLECTED,
            money["now"] or ZERO,
            money["before"] or ZERO,
            months=months,
            counted=(money["referrals_now"], money["referrals_before"]),
        ),
        Result(OUTSTANDING, owed["total"] or ZERO, None, counted=(owed["accounts"], None)),
        Result(OWING, owed["accounts"], None),
    ]


SECTION = Section(
    "fees",
    _("Fees"),
    "fees",
    (ASSESSED, AGREED, AGREED_TOTAL, REDUCTIONS, FORGONE, WAIVERS, COLLECTED, OUTSTANDING, OWING),
    compute,
)
