"""Writes about fees: the sliding scale, assessments, proposals and approvals, instalments,
and the ledger (payments, voids, refunds) with its gapless receipt numbers.

Every amount is a Decimal in dollars and cents. Every ledger write locks the agency's receipt
counter, so numbers follow each other without gaps or repeats however many people take
payments at once, and refreshes the referral's FeeAccount in the same transaction.
"""

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fees.models import (
    HOUSEHOLD_SIZES,
    FeeAccount,
    FeeAssessment,
    FeeBand,
    FeeProposal,
    FeeSchedule,
    Instalment,
    LedgerEntry,
    Method,
    ReceiptCounter,
)
from ipv.accounts.models import Membership, Role
from ipv.audit.services import Action, audit_record
from ipv.core.i18n import format_money
from ipv.core.permissions import allows
from referrals.models import Milestone
from referrals.services.milestones import milestone_record

CENT = Decimal("0.01")
# Instalments fall due within this time from today.
PLAN_AHEAD = timedelta(days=2 * 365)


def _audit(action, *, referral, by, target, **details):
    audit_record(
        action=action,
        actor=by,
        agency=referral.agency,
        target=target,
        label=referral,
        details=details,
    )


# The scale -----------------------------------------------------------------------------------


def schedule_in_effect(*, agency, on=None) -> FeeSchedule | None:
    """The version of the agency's scale in effect on `on` (default: today)."""
    on = on or timezone.localdate()
    return (
        FeeSchedule.objects.filter(agency=agency, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )


@transaction.atomic
def schedule_create(
    *,
    agency,
    by,
    effective_from,
    rows: list[dict],
    minimum_fee=Decimal("0"),
    individual_session_fee=Decimal("0"),
    free_of_charge="",
) -> FeeSchedule:
    """Write a new version of the scale. `rows`: income bands from 0 upward, each
    {"income_min", "income_max" (None for the last), "fees": {household size: fee}}.
    Assessments already made keep the version they used."""
    rows = sorted(rows, key=lambda row: row["income_min"])
    errors = []
    if not rows or rows[0]["income_min"] != 0:
        errors.append(_("The first income band starts at $0."))
    for row, following in pairwise(rows):
        if row["income_max"] != following["income_min"]:
            errors.append(_("The bands must follow each other: one ends where the next begins."))
            break
    if rows and rows[-1]["income_max"] is not None:
        errors.append(_("The last income band has no upper limit (“and above”)."))
    for row in rows:
        if set(row["fees"]) != set(HOUSEHOLD_SIZES):
            errors.append(_("Give a fee for each household size."))
            break
    if errors:
        raise ValidationError(errors, code="bands")
    last = FeeSchedule.objects.filter(agency=agency).order_by("-version").first()
    schedule = FeeSchedule(
        agency=agency,
        version=(last.version + 1) if last else 1,
        effective_from=effective_from,
        minimum_fee=minimum_fee,
        individual_session_fee=individual_session_fee,
        free_of_charge=free_of_charge,
        created_by=by,
    )
    schedule.full_clean(exclude=["agency", "created_by"])
    schedule.save()
    bands = [
        FeeBand(
            agency=agency,
            schedule=schedule,
            household_size=size,
            income_min=row["income_min"],
            income_max=row["income_max"],
            fee=fee,
        )
        for row in rows
        for size, fee in row["fees"].items()
    ]
    for band in bands:
        band.full_clean(exclude=["agency", "schedule"])
    FeeBand.objects.bulk_create(bands)
    audit_record(
        action=Action.RECORD_CREATED,
        actor=by,
        agency=agency,
        target=schedule,
        label=schedule,
        details={"effective_from": effective_from.isoformat()},
    )
    return schedule


def band_for(*, schedule: FeeSchedule, income: Decimal, household_size: int) -> FeeBand:
    """The scale's cell for a household: its income band (the lower bound belongs to the band),
    and its size (a household larger than the table's last column is in that column)."""
    size = min(max(household_size, 1), HOUSEHOLD_SIZES[-1])
    return (
        FeeBand.objects.filter(agency_id=schedule.agency_id, schedule=schedule)
        .filter(household_size=size, income_min__lte=income)
        .filter(Q(income_max__isnull=True) | Q(income_max__gt=income))
        .get()
    )


# Assessment and negotiation -------------------------------------------------------------------


def dependants_refused(household_size: int, dependants: int) -> str | None:
    """Why the dependants cannot be that many, or None: they are people of the household, and
    the participant, one of them, is nobody's dependant here."""
    if dependants < household_size:
        return None
    return _(
        "The dependants are among the people in the household, the participant aside: "
        "at most %(most)s here."
    ) % {"most": household_size - 1}


@transaction.atomic
def assessment_create(*, referral, by, **declared) -> FeeAssessment:
    """Assess the fee from what the participant declared, on the scale in effect today."""
    errors = {}
    if declared.get("household_income") is None or declared["household_income"] < 0:
        errors["household_income"] = _("Enter an income of $0 or more.")
    size = declared.get("household_size")
    if size is None or size < 1:
        errors["household_size"] = _("A household has at least one person.")
    elif too_many := dependants_refused(size, declared.get("dependants") or 0):
        errors["dependants"] = too_many
    if errors:
        raise ValidationError(errors, code="declared")
    schedule = schedule_in_effect(agency=referral.agency)
    if schedule is None:
        raise ValidationError(
            _("The agency has no fee schedule yet: a manager writes one first."), code="schedule"
        )
    band = band_for(
        schedule=schedule,
        income=declared["household_income"],
        household_size=declared["household_size"],
    )
    assessment = FeeAssessment(
        agency=referral.agency,
        referral=referral,
        schedule=schedule,
        band=band,
        standard_fee=max(band.fee, schedule.minimum_fee),
        assessed_by=by,
        **declared,
    )
    assessment.full_clean(exclude=["agency", "referral", "schedule", "band", "assessed_by"])
    assessment.save()
    _audit(Action.RECORD_CREATED, referral=referral, by=by, target=assessment, event="assessed")
    return assessment


def latest_assessment(referral) -> FeeAssessment | None:
    return referral.fee_assessments.order_by("-assessed_at", "-pk").first()


def _kept(referral) -> Decimal:
    """What the agency has kept so far: payments, less voids and refunds."""
    account = FeeAccount.objects.filter(referral=referral).first()
    return account.paid - account.refunded if account else Decimal("0")


def _set_status(referral, status, new_status):
    FeeProposal.objects.filter(referral=referral, status=status).update(status=new_status)


@transaction.atomic
def proposal_create(
    *, referral, by, amount: Decimal, reason="", counter_offer=None, counter_note=""
) -> FeeProposal:
    """Put a fee to the participant (with their counter-offer, if any). The fee on the scale
    is agreed at once; below or above it, a manager approves it first, having read why."""
    assessment = latest_assessment(referral)
    if assessment is None:
        raise ValidationError(_("Assess the fee first."), code="assessment")
    if amount < _kept(referral):
        raise ValidationError(
            {"amount": _("The fee cannot be lower than what was already paid.")}, code="paid"
        )
    reduced = amount != assessment.standard_fee
    if reduced and not (reason or "").strip():
        message = (
            _("Say why the fee is below the scale: a manager reads it.")
            if amount < assessment.standard_fee
            else _("Say why the fee is above the scale: a manager reads it.")
        )
        raise ValidationError({"reason": message}, code="reason")
    _set_status(referral, FeeProposal.Status.AWAITING_APPROVAL, FeeProposal.Status.REPLACED)
    if not reduced:
        _set_status(referral, FeeProposal.Status.AGREED, FeeProposal.Status.REPLACED)
    proposal = FeeProposal(
        agency=referral.agency,
        referral=referral,
        assessment=assessment,
        amount=amount,
        reason=(reason or "").strip(),
        counter_offer=counter_offer,
        counter_note=counter_note,
        status=FeeProposal.Status.AWAITING_APPROVAL if reduced else FeeProposal.Status.AGREED,
        proposed_by=by,
    )
    proposal.full_clean(exclude=["agency", "referral", "assessment", "proposed_by"])
    proposal.save()
    account_refresh(referral)
    _audit(
        Action.RECORD_CREATED,
        referral=referral,
        by=by,
        target=proposal,
        event="fee_proposed",
        awaiting_approval=reduced,
    )
    return proposal


def other_managers(*, agency, by) -> bool:
    """Whether the agency has an active manager besides `by`."""
    return (
        Membership.objects.filter(
            agency=agency, role=Role.MANAGER, is_active=True, user__is_active=True
        )
        .exclude(user=by)
        .exists()
    )


@transaction.atomic
def proposal_decide(*, proposal: FeeProposal, by, approve: bool, note="") -> FeeProposal:
    """A manager approves a fee off the scale (it becomes the agreed fee) or declines it.

    Four eyes: nobody approves a fee they proposed. Where the agency has no other manager, its
    only manager may, with a written reason, and the audit trail says it was self-approved.
    """
    proposal = (
        FeeProposal.objects.select_for_update().select_related("referral").get(pk=proposal.pk)
    )
    if proposal.status != FeeProposal.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This proposal was already decided."), code="decided")
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("Say why, for the intake worker.")}, code="note")
    self_approved = approve and proposal.proposed_by_id == by.pk
    if self_approved and other_managers(agency=proposal.agency, by=by):
        raise ValidationError(
            _("You proposed this fee: another manager approves it."), code="four_eyes"
        )
    if self_approved and not (note or "").strip():
        raise ValidationError(
            {"note": _("You proposed this fee and are the only manager: say why you approve it.")},
            code="note",
        )
    if approve and proposal.amount < _kept(proposal.referral):
        raise ValidationError(
            {"note": _("More was paid since this fee was proposed: propose it again.")},
            code="paid",
        )
    if approve:
        _set_status(proposal.referral, FeeProposal.Status.AGREED, FeeProposal.Status.REPLACED)
    proposal.status = FeeProposal.Status.AGREED if approve else FeeProposal.Status.DECLINED
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.decision_note = (note or "").strip()
    proposal.save()
    account_refresh(proposal.referral)
    _audit(
        Action.RECORD_CHANGED,
        referral=proposal.referral,
        by=by,
        target=proposal,
        event="fee_approved" if approve else "fee_declined",
        amount=str(proposal.amount),
        **({"self_approved": True, "reason": proposal.decision_note} if self_approved else {}),
    )
    return proposal


def agreed_fee(referral) -> FeeProposal | None:
    return referral.fee_proposals.filter(status=FeeProposal.Status.AGREED).first()


@transaction.atomic
def instalments_set(*, referral, by, instalments: list[tuple]) -> list[Instalment]:
    """Spread what remains to pay of the agreed fee over due dates to come; they add up to it
    exactly. A new plan replaces the previous one."""
    account = FeeAccount.objects.select_for_update().filter(referral=referral).first()
    proposal = agreed_fee(referral)
    if proposal is None or account is None:
        raise ValidationError(_("Agree on the fee first."), code="agreed")
    left = account.balance
    if left <= 0:
        raise ValidationError(_("Nothing remains to pay."), code="paid")
    total = sum((amount for _day, amount in instalments), Decimal("0"))
    if total != left:
        raise ValidationError(
            _("The instalments add up to %(total)s; what remains to pay is %(left)s.")
            % {"total": format_money(total), "left": format_money(left)},
            code="total",
        )
    days = [day for day, _amount in instalments]
    if len(set(days)) != len(days):
        raise ValidationError(_("Two instalments fall on the same day."), code="days")
    today = timezone.localdate()
    if any(not today <= day <= today + PLAN_AHEAD for day in days):
        raise ValidationError(
            _("Instalments fall due from today to %(limit)s.")
            % {"limit": formats.date_format(today + PLAN_AHEAD, "DATE_FORMAT")},
            code="days",
        )
    proposal.instalments.all().delete()
    rows = Instalment.objects.bulk_create(
        Instalment(agency=referral.agency, proposal=proposal, due_on=day, amount=amount)
        for day, amount in sorted(instalments)
    )
    account_refresh(referral)
    _audit(Action.RECORD_CHANGED, referral=referral, by=by, target=proposal, event="plan_set")
    return rows


# The ledger ----------------------------------------------------------------------------------


def _next_receipt_number(agency) -> int:
    """The agency's next receipt number. The counter row stays locked until the transaction
    ends: a second payment waits, then takes the number after."""
    counter, _created = ReceiptCounter.objects.get_or_create(agency=agency)
    counter = ReceiptCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _entry(*, referral, by, **fields) -> LedgerEntry:
    before = account_refresh(referral).balance
    entry = LedgerEntry(
        agency=referral.agency,
        referral=referral,
        recorded_by=by,
        receipt_number=_next_receipt_number(referral.agency),
        **fields,
    )
    # The receipt says what was left to pay then, whatever the fee becomes later.
    entry.balance_after = before - entry.signed_amount
    entry.full_clean(exclude=["agency", "referral", "recorded_by", "reverses"])
    entry.save()
    account_refresh(referral)
    return entry


def _approves_fees(user, agency) -> bool:
    roles = user.memberships.filter(agency=agency, is_active=True).values_list("role", flat=True)
    return allows(roles=frozenset(roles), agency=agency, capability="fees.approve")


def _check_amount(amount: Decimal, most: Decimal, message: str) -> None:
    if amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")}, code="amount")
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("Enter dollars and cents.")}, code="cents")
    if amount > most:
        raise ValidationError({"amount": message}, code="too_much")


def _check_waiver(*, referral, by, note: str) -> None:
    """A waiver forgives what is owed without a proposal: four eyes, as for a lower fee. Only
    an agency's only manager waives alone, with a written reason the audit trail keeps."""
    if not _approves_fees(by, referral.agency):
        raise ValidationError(
            {"method": _("Only a manager can waive a fee: propose a lower fee for approval.")},
            code="waiver",
        )
    if other_managers(agency=referral.agency, by=by):
        raise ValidationError(
            {"method": _("Another manager approves a waiver: propose a lower fee for approval.")},
            code="four_eyes",
        )
    if not (note or "").strip():
        raise ValidationError(
            {"note": _("You are the only manager: say why you waive this fee.")}, code="note"
        )


@transaction.atomic
def payment_record(*, referral, by, amount: Decimal, method, received_on=None, note=""):
    """Take a payment (a third-party subsidy too) towards the agreed fee. A waiver forgives
    what is owed without a proposal, so only someone who approves fees may record one."""
    if method == Method.WAIVER:
        _check_waiver(referral=referral, by=by, note=note)
    account = FeeAccount.objects.select_for_update().filter(referral=referral).first()
    if account is None or agreed_fee(referral) is None:
        raise ValidationError(_("Agree on the fee first."), code="agreed")
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A payment cannot be dated in the future.")})
    if received_on < referral.received_on:
        raise ValidationError(
            {
                "received_on": _("A payment cannot be dated before the referral arrived (%(day)s).")
                % {"day": formats.date_format(referral.received_on, "DATE_FORMAT")}
            },
            code="before_referral",
        )
    _check_amount(
        amount,
        account.balance,
        _("More than what is owed (%(balance)s).") % {"balance": format_money(account.balance)},
    )
    entry = _entry(
        referral=referral,
        by=by,
        kind=LedgerEntry.Kind.PAYMENT,
        amount=amount,
        method=method,
        received_on=received_on,
        note=note,
    )
    if method == Method.WAIVER:
        waived = {"amount": str(amount), "reason": note.strip(), "self_approved": True}
        _audit(
            Action.RECORD_CREATED, referral=referral, by=by, target=entry, event="waived", **waived
        )
    else:
        _audit(Action.RECORD_CREATED, referral=referral, by=by, target=entry, event="payment")
    _settled_milestone(referral, by, FeeAccount.objects.get(referral=referral))
    return entry


def _payment(entry: LedgerEntry) -> LedgerEntry:
    # Ledger rows are never updated, so the application role may not lock them (FOR UPDATE
    # needs UPDATE): the referral's fee account is locked instead, as every payment does.
    payment = LedgerEntry.objects.select_related("referral").get(pk=entry.pk)
    FeeAccount.objects.select_for_update().filter(referral_id=payment.referral_id).first()
    if payment.kind != LedgerEntry.Kind.PAYMENT:
        raise ValidationError(_("Only a payment can be voided or refunded."), code="kind")
    if payment.reversals.filter(kind=LedgerEntry.Kind.VOID).exists():
        raise ValidationError(_("This payment was voided."), code="voided")
    return payment


@transaction.atomic
def payment_void(*, entry: LedgerEntry, by, note: str) -> LedgerEntry:
    """Cancel a payment recorded by mistake: a void entry of the same amount, never an edit."""
    payment = _payment(entry)
    if payment.reversals.filter(kind=LedgerEntry.Kind.REFUND).exists():
        raise ValidationError(_("Part of this payment was refunded: refund the rest."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why.")}, code="note")
    void = _entry(
        referral=payment.referral,
        by=by,
        kind=LedgerEntry.Kind.VOID,
        amount=payment.amount,
        method=payment.method,
        reverses=payment,
        note=note.strip(),
    )
    _audit(Action.RECORD_CREATED, referral=payment.referral, by=by, target=void, event="void")
    return void


@transaction.atomic
def refund_record(*, entry: LedgerEntry, by, amount: Decimal, method, note="") -> LedgerEntry:
    """Give money back on a payment: all of it, or part."""
    payment = _payment(entry)
    if payment.method == Method.WAIVER:
        raise ValidationError(_("A waiver is not money: void it instead."), code="waiver")
    refunded = payment.reversals.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    left = payment.amount - refunded
    _check_amount(
        amount,
        left,
        _("More than what is left of this payment (%(left)s).") % {"left": format_money(left)},
    )
    refund = _entry(
        referral=payment.referral,
        by=by,
        kind=LedgerEntry.Kind.REFUND,
        amount=amount,
        method=method,
        reverses=payment,
        note=note,
    )
    _audit(Action.RECORD_CREATED, referral=payment.referral, by=by, target=refund, event="refund")
    return refund


def account_refresh(referral) -> FeeAccount:
    """Sum the ledger up into the referral's account (the caller holds the transaction)."""
    proposal = agreed_fee(referral)
    totals = LedgerEntry.objects.filter(referral=referral).aggregate(
        payments=Sum("amount", filter=Q(kind=LedgerEntry.Kind.PAYMENT)),
        voids=Sum("amount", filter=Q(kind=LedgerEntry.Kind.VOID)),
        refunds=Sum("amount", filter=Q(kind=LedgerEntry.Kind.REFUND)),
        waivers=Sum("amount", filter=Q(kind=LedgerEntry.Kind.PAYMENT, method=Method.WAIVER)),
        voided_waivers=Sum("amount", filter=Q(kind=LedgerEntry.Kind.VOID, method=Method.WAIVER)),
    )
    zero = Decimal("0")
    agreed = proposal.amount if proposal else zero
    paid = (totals["payments"] or zero) - (totals["voids"] or zero)
    refunded = totals["refunds"] or zero
    next_due = None
    if proposal is not None:
        plan = list(proposal.instalments.order_by("due_on"))
        # The plan spread what remained when it was made: what was paid since covers it.
        due = zero
        covered = sum((instalment.amount for instalment in plan), zero) - (agreed - paid + refunded)
        for instalment in plan:
            due += instalment.amount
            if due > covered:
                next_due = instalment.due_on
                break
    account, _created = FeeAccount.objects.update_or_create(
        referral=referral,
        defaults={
            "agency": referral.agency,
            "agreed": agreed,
            "paid": paid,
            "refunded": refunded,
            "waived": (totals["waivers"] or zero) - (totals["voided_waivers"] or zero),
            "balance": agreed - paid + refunded,
            "next_due_on": next_due,
        },
    )
    return account


def _settled_milestone(referral, by, account) -> None:
    """The payment that settles the fee is a participant's milestone: where an unpaid balance
    holds the certificate back, the completion engine (sessions_app.consumers) reads it and
    completes the program once the commit is done."""
    if account.balance <= 0:
        milestone_record(referral=referral, kind=Milestone.Kind.FEE_SETTLED, by=by)
