"""Fees: each agency's sliding scale (versioned), a referral's assessment and negotiated fee,
its instalments, and an append-only ledger of payments with gapless receipt numbers.

Money is Decimal, in Canadian dollars, to the cent. The ledger is the truth: an entry is never
changed or deleted — a mistake is corrected by a void or a refund that points at it. A
referral's FeeAccount sums the ledger up for fast lists, in the same transaction as each entry.
"""

from decimal import Decimal

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.audit.models import APPEND_ONLY
from ipv.core.fields import ChoiceArrayField, within_bounds

# No program fee, payment or income is above these: larger numbers are typing mistakes.
MAX_FEE = Decimal("5000.00")
MAX_PAYMENT = Decimal("5000.00")
MAX_INCOME = Decimal("9999999.99")  # the most a money column holds
# The household sizes of the scale's columns; the last column is "this many or more".
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)


def money(**kwargs):
    return models.DecimalField(max_digits=9, decimal_places=2, **kwargs)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FeeSchedule(models.Model):
    """One version of an agency's sliding scale, in effect from a date until the next one."""

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="fee_schedules",
        verbose_name=_("agency"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("in effect from"))
    minimum_fee = money(
        verbose_name=_("minimum fee"),
        default=Decimal("0.00"),
        help_text=_("No assessed fee is lower, unless a manager approves a reduction."),
    )
    individual_session_fee = money(
        verbose_name=_("fee for an individual (one-to-one) session"), default=Decimal("0.00")
    )
    free_of_charge = models.TextField(
        _("never charged"),
        max_length=1000,
        blank=True,
        default="",
        help_text=_("Interpreters are never charged; say what else is free."),
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        ordering = ["agency", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "version"], name="fees_schedule_version"),
            models.CheckConstraint(
                condition=Q(minimum_fee__gte=0, individual_session_fee__gte=0),
                name="fees_schedule_amounts_not_negative",
            ),
            within_bounds("effective_from", name="fees_schedule_date_bounded"),
        ]

    def __str__(self):
        return _("Fee schedule v%(version)s") % {"version": self.version}


class FeeBand(models.Model):
    """One cell of the scale: households of this size with an income from `income_min` (included)
    to `income_max` (excluded; none: and above) pay `fee` for the whole program."""

    # Its schedule's agency, kept on the row like every agency-owned row's (read scoped by it).
    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="fee_bands",
        verbose_name=_("agency"),
    )
    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.CASCADE, related_name="bands", verbose_name=_("schedule")
    )
    household_size = models.PositiveSmallIntegerField(
        _("household size"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    income_min = money(verbose_name=_("income from"))
    income_max = money(verbose_name=_("income under"), null=True, blank=True)
    fee = money(verbose_name=_("fee"))

    class Meta:
        verbose_name = _("fee band")
        verbose_name_plural = _("fee bands")
        ordering = ["schedule", "income_min", "household_size"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "household_size", "income_min"], name="fees_band_unique"
            ),
            models.CheckConstraint(
                condition=Q(income_min__gte=0)
                & (Q(income_max__isnull=True) | Q(income_max__gt=models.F("income_min")))
                & Q(fee__gte=0),
                name="fees_band_bounds",
            ),
        ]

    def __str__(self):
        return f"{self.household_size}: {self.income_min}–{self.income_max or '∞'} → {self.fee}"


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Employed full time")
    PART_TIME = "part_time", _("Employed part time")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    UNABLE = "unable", _("Unable to work")


class Benefit(models.TextChoices):
    ONTARIO_WORKS = "ow", _("Ontario Works")
    ODSP = "odsp", _("Ontario Disability Support Program")
    EI = "ei", _("Employment Insurance")
    CPP = "cpp", _("Canada Pension Plan or Old Age Security")
    OTHER = "other", _("Other benefits")


class Evidence(models.TextChoices):
    PAY_STUBS = "pay_stubs", _("Pay stubs")
    TAX = "tax", _("Notice of assessment or tax return")
    BENEFITS = "benefits", _("Benefits statement")
    EMPLOYER_LETTER = "employer", _("Letter from an employer")
    OTHER = "other", _("Other document")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FeeAssessment(models.Model):
    """What the participant declared, what was seen, and the fee the scale gives. It keeps the
    schedule version and band it used: a later schedule never changes it."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="fee_assessments",
        verbose_name=_("referral"),
    )
    household_income = money(verbose_name=_("annual household income"))
    household_size = models.PositiveSmallIntegerField(
        _("people in the household"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    dependants = models.PositiveSmallIntegerField(_("dependants"), default=0)
    monthly_debt_payments = money(verbose_name=_("monthly debt payments"), default=Decimal("0"))
    employment = models.CharField(_("employment"), max_length=20, choices=Employment)
    benefits = ChoiceArrayField(
        models.CharField(max_length=10, choices=Benefit),
        default=list,
        blank=True,
        verbose_name=_("benefits received"),
    )
    circumstances = models.TextField(_("needs and circumstances"), max_length=2000, blank=True)
    evidence_seen = ChoiceArrayField(
        models.CharField(max_length=10, choices=Evidence),
        default=list,
        blank=True,
        verbose_name=_("evidence seen"),
    )
    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.PROTECT, related_name="+", verbose_name=_("schedule used")
    )
    band = models.ForeignKey(
        FeeBand, on_delete=models.PROTECT, related_name="+", verbose_name=_("band")
    )
    standard_fee = money(verbose_name=_("fee on the scale"))
    assessed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    class Meta:
        verbose_name = _("fee assessment")
        verbose_name_plural = _("fee assessments")
        ordering = ["-assessed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household_income__gte=0, standard_fee__gte=0),
                name="fees_assessment_amounts",
            ),
            # The participant is one of the household, and nobody's dependant here.
            models.CheckConstraint(
                condition=Q(dependants__lt=models.F("household_size")),
                name="fees_assessment_dependants_in_household",
            ),
        ]

    def __str__(self):
        return _("Assessment of %(referral)s") % {"referral": self.referral}

    @property
    def evidence_labels(self) -> list[str]:
        return [Evidence(item).label for item in self.evidence_seen]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FeeProposal(models.Model):
    """A fee put to the participant. The fee on the scale is agreed at once; below it (a
    reduction or a waiver) or above it, it waits for a manager's approval."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting", _("Waiting for a manager's approval")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", _("Declined by a manager")
        REPLACED = "replaced", _("Replaced by a later proposal")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="fee_proposals",
        verbose_name=_("referral"),
    )
    assessment = models.ForeignKey(
        FeeAssessment,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("assessment"),
    )
    amount = money(verbose_name=_("fee proposed"))
    reason = models.TextField(_("why this fee"), max_length=2000, blank=True)
    counter_offer = money(verbose_name=_("participant's counter-offer"), null=True, blank=True)
    counter_note = models.CharField(_("about the counter-offer"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    proposed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or declined by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("manager's note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("fee proposal")
        verbose_name_plural = _("fee proposals")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status="agreed"),
                name="fees_one_agreed_fee",
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status="awaiting"),
                name="fees_one_proposal_awaiting",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=MAX_FEE)
                & (Q(counter_offer__isnull=True) | Q(counter_offer__gte=0)),
                name="fees_proposal_amounts",
            ),
        ]

    def __str__(self):
        return f"{self.referral}: {self.amount}"

    @property
    def is_reduction(self) -> bool:
        return self.amount < self.assessment.standard_fee


class Instalment(models.Model):
    """One due date of an agreed fee paid over time."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    proposal = models.ForeignKey(
        FeeProposal, on_delete=models.PROTECT, related_name="instalments", verbose_name=_("fee")
    )
    due_on = models.DateField(_("due on"))
    amount = money(verbose_name=_("amount"))

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fees_instalment_positive"),
            models.UniqueConstraint(fields=["proposal", "due_on"], name="fees_instalment_day"),
            within_bounds("due_on", name="fees_instalment_date_bounded"),
        ]

    def __str__(self):
        return f"{self.due_on}: {self.amount}"


class Method(models.TextChoices):
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    DEBIT = "debit", _("Debit card")
    CREDIT = "credit", _("Credit card")
    E_TRANSFER = "etransfer", _("Interac e-Transfer")
    SUBSIDY = "subsidy", _("Third-party subsidy")
    WAIVER = "waiver", _("Waiver")


class LedgerEntry(models.Model):
    """One movement on a referral's fee: a payment, the void of a payment (a mistake), or a
    refund. Never changed, never deleted; numbered per agency without gaps."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        VOID = "void", _("Void of a payment")
        REFUND = "refund", _("Refund")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="ledger",
        verbose_name=_("referral"),
    )
    kind = models.CharField(_("entry"), max_length=10, choices=Kind)
    amount = money(verbose_name=_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=Method)
    received_on = models.DateField(_("date"), default=timezone.localdate)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("corrects"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    receipt_number = models.PositiveIntegerField(_("receipt number"))
    balance_after = money(verbose_name=_("balance after this entry"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-receipt_number"]
        indexes = [
            # The monthly figures count each entry in the month it was written.
            models.Index(fields=["agency", "recorded_at"], name="fees_ledger_agency_written"),
            models.Index(fields=["referral"], name="fees_ledger_referral"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "receipt_number"], name="fees_receipt_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_PAYMENT), name="fees_entry_amount"
            ),
            # A void or a refund names the payment it corrects; a payment corrects nothing.
            models.CheckConstraint(
                condition=Q(kind="payment", reverses__isnull=True)
                | ~Q(kind="payment") & Q(reverses__isnull=False),
                name="fees_entry_reverses_a_payment",
            ),
            # A payment is voided once at most.
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(kind="void"), name="fees_void_once"
            ),
            within_bounds("received_on", name="fees_entry_date_bounded"),
        ]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"#{self.receipt_number} {self.get_kind_display()} {self.amount}"

    @property
    def signed_amount(self) -> Decimal:
        """What the entry does to what has been paid: a payment adds, a void or refund takes."""
        return self.amount if self.kind == self.Kind.PAYMENT else -self.amount


class ReceiptCounter(models.Model):
    """The agency's last receipt number. Locked while a ledger entry is written: numbers go up
    by one without gaps, whatever the number of payments taken at once."""

    agency = models.OneToOneField(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self):
        return f"{self.agency}: {self.last_number}"


class FeeAccount(models.Model):
    """A referral's fee at a glance: agreed, paid (payments less voids), refunded, balance.
    Written with each ledger entry and agreement, from the ledger, in the same transaction."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="fee_account",
        verbose_name=_("referral"),
    )
    agreed = money(verbose_name=_("agreed fee"), default=Decimal("0"))
    paid = money(verbose_name=_("paid"), default=Decimal("0"))
    refunded = money(verbose_name=_("refunded"), default=Decimal("0"))
    waived = money(verbose_name=_("waived"), default=Decimal("0"))
    balance = money(verbose_name=_("balance"), default=Decimal("0"))
    next_due_on = models.DateField(_("next instalment due"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fee account")
        verbose_name_plural = _("fee accounts")
        indexes = [
            models.Index(
                fields=["agency", "-balance", "id"],
                condition=Q(balance__gt=0),
                name="fees_account_outstanding",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance=models.F("agreed") - models.F("paid") + models.F("refunded")),
                name="fees_account_balance",
            ),
        ]

    def __str__(self):
        return f"{self.referral}: {self.balance}"
