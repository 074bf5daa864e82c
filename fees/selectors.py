"""Reads of fees, scoped to the agency. Only intake workers and managers reach them."""

from datetime import datetime
from decimal import Decimal

from django.core.cache import caches
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from fees.models import (
    FeeAccount,
    FeeBand,
    FeeProposal,
    FeeSchedule,
    LedgerEntry,
    Method,
    ReceiptCounter,
)
from fees.services import agreed_fee, latest_assessment, other_managers, schedule_in_effect
from ipv.core.tenancy import get_scoped_or_404, scoped


def is_settled(referral) -> bool:
    """Nothing left to pay (or no fee agreed at all)."""
    account = FeeAccount.objects.filter(referral=referral).first()
    return account is None or account.balance <= 0


def fee_rule_met(referral) -> bool:
    """The agency's fee rule for completion: True unless the agency holds completion back until
    the fee is paid, and it is not."""
    return not referral.agency.fees_hold_completion or is_settled(referral)


def referral_fees(*, referral) -> dict:
    """Everything about a referral's fee, for its fee page."""
    agreed = agreed_fee(referral)
    return {
        "account": FeeAccount.objects.filter(referral=referral).first(),
        "assessment": latest_assessment(referral),
        "agreed": agreed,
        "instalments": list(agreed.instalments.all()) if agreed else [],
        "proposals": referral.fee_proposals.select_related(
            "proposed_by", "decided_by", "assessment"
        ).order_by("-proposed_at", "-pk"),
        "ledger": referral.ledger.select_related("recorded_by", "reverses")
        .annotate(
            is_voided=Exists(LedgerEntry.objects.filter(reverses=OuterRef("pk"), kind="void")),
            refunded=Coalesce(
                Subquery(
                    LedgerEntry.objects.filter(reverses=OuterRef("pk"), kind="refund")
                    .values("reverses")
                    .annotate(total=Sum("amount"))
                    .values("total")
                ),
                Value(Decimal("0")),
            ),
        )
        .order_by("receipt_number"),
        "today": timezone.localdate(),
        "schedule": schedule_in_effect(agency=referral.agency),
    }


def account_of(*, referral) -> FeeAccount | None:
    """The referral's fee at a glance (none before a fee is agreed)."""
    return FeeAccount.objects.filter(referral=referral).first()


def schedules(*, agency) -> QuerySet[FeeSchedule]:
    return (
        scoped(FeeSchedule, agency)
        .prefetch_related(Prefetch("bands", queryset=scoped(FeeBand, agency)))
        .order_by("-version")
    )


def approvals_waiting(*, agency) -> QuerySet[FeeProposal]:
    return (
        scoped(FeeProposal, agency)
        .filter(status=FeeProposal.Status.AWAITING_APPROVAL)
        .select_related("referral__participant", "assessment", "proposed_by")
        .order_by("proposed_at")
    )


def approvals_waiting_count(*, agency, decider=None) -> int:
    """Proposals waiting for a manager; for `decider`, those they may decide (not their own,
    unless they are the agency's only manager)."""
    waiting = scoped(FeeProposal, agency).filter(status=FeeProposal.Status.AWAITING_APPROVAL)
    if decider is not None and other_managers(agency=agency, by=decider):
        waiting = waiting.exclude(proposed_by=decider)
    return waiting.count()


def outstanding(*, agency) -> QuerySet[FeeAccount]:
    """Referrals that still owe something, largest balance first."""
    return (
        scoped(FeeAccount, agency)
        .filter(balance__gt=0)
        .select_related("referral__participant")
        .order_by("-balance", "pk")
    )


def monthly(*, agency, months: int = 12) -> list[dict]:
    """Revenue (money in, less voids and refunds) and waivers, month by month. Each entry
    counts in the month it was written, whatever day it is dated: a month once shown never
    changes, and a void or a refund lowers the month it is written in.

    Kept in the cache under the agency's last receipt number: a new ledger entry makes a new
    key, so the figures are never stale, and a busy screen does not add the year up again.
    """
    counter = ReceiptCounter.objects.filter(agency=agency).values_list("last_number", flat=True)
    key = f"fees:monthly:{agency.pk}:{counter.first() or 0}:{timezone.localdate():%Y-%m}"
    figures = caches["redis"].get(key)
    if figures is None:
        figures = _monthly(agency=agency, months=months)
        caches["redis"].set(key, figures, timeout=24 * 60 * 60)
    return figures


def _monthly(*, agency, months: int) -> list[dict]:
    today = timezone.localdate()
    first = today.year * 12 + today.month - months  # the month before the first one shown
    since = timezone.make_aware(datetime(first // 12, first % 12 + 1, 1))
    rows = (
        scoped(LedgerEntry, agency)
        .filter(recorded_at__gte=since)
        .annotate(month=TruncMonth("recorded_at"))
        .values("month")
        .annotate(
            paid=Sum("amount", filter=Q(kind="payment") & ~Q(method=Method.WAIVER)),
            voided=Sum("amount", filter=Q(kind="void") & ~Q(method=Method.WAIVER)),
            refunded=Sum("amount", filter=Q(kind="refund")),
            waived=Sum("amount", filter=Q(kind="payment", method=Method.WAIVER)),
            unwaived=Sum("amount", filter=Q(kind="void", method=Method.WAIVER)),
        )
        .order_by("-month")
    )
    zero = Decimal("0")
    return [
        {
            "month": row["month"].date(),
            "revenue": (row["paid"] or zero) - (row["voided"] or zero) - (row["refunded"] or zero),
            "waived": (row["waived"] or zero) - (row["unwaived"] or zero),
        }
        for row in rows
    ]


def entry_get(*, agency, pk: int) -> LedgerEntry:
    queryset = LedgerEntry.objects.select_related(
        "referral__participant", "recorded_by", "reverses"
    )
    return get_scoped_or_404(queryset, agency=agency, pk=pk)


def proposal_get(*, agency, pk: int) -> FeeProposal:
    queryset = FeeProposal.objects.select_related("referral__participant", "assessment")
    return get_scoped_or_404(queryset, agency=agency, pk=pk)
