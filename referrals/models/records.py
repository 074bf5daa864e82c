"""What is kept about a referral beside it: its timeline, its intake, the consents signed, and
its transfers to another agency."""

from datetime import date

import pghistory
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.models import Program
from ipv.audit.models import APPEND_ONLY
from ipv.core.choices import Language
from ipv.core.fields import ChoiceArrayField, within_bounds
from ipv.core.i18n import current_language
from referrals.models.choices import (
    STATUS_EVENTS,
    EventKind,
    RiskFlag,
    SourceOrder,
    Status,
    Stream,
)
from referrals.reasons import reason_text


class TimelineEntry(models.Model):
    """One line of a referral's timeline: who did what, when, and why. Never changed."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="timeline",
        verbose_name=_("referral"),
    )
    kind = models.CharField(_("what"), max_length=30, choices=EventKind)
    from_status = models.CharField(
        pgettext_lazy("status", "from"), max_length=20, choices=Status, blank=True
    )
    to_status = models.CharField(
        pgettext_lazy("status", "to"), max_length=20, choices=Status, blank=True
    )
    reason = models.TextField(_("why"), max_length=2000, blank=True)
    # A reason the software gave itself (referrals.reasons): its code and values, worded when
    # read, in the reader's language. `reason` holds only what a person wrote.
    reason_code = models.CharField(_("why (code)"), max_length=30, blank=True)
    reason_params = models.JSONField(_("why (values)"), default=dict, blank=True)
    by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="referrals_event_timeline")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason="") | Q(reason_code=""),
                name="referrals_timeline_one_kind_of_reason",
            )
        ]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def reason_text(self) -> str:
        """Why, in the active language (the reader's, or the document's)."""
        return reason_text(self.reason, self.reason_code, self.reason_params, self.kind)

    @property
    def is_status_change(self) -> bool:
        return self.kind in STATUS_EVENTS


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Intake(models.Model):
    """The intake appointment of a referral, then what it found."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")

    class Eligibility(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="intake",
        verbose_name=_("referral"),
    )
    scheduled_at = models.DateTimeField(_("appointment"))
    mode = models.CharField(_("how"), max_length=10, choices=Mode, default=Mode.IN_PERSON)
    location = models.CharField(
        _("place or video link"),
        max_length=300,
        blank=True,
        help_text=_("The address of the office, or the link of the video call."),
    )
    interpreter_booked = models.BooleanField(_("interpreter booked"), default=False)
    booked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    times_rescheduled = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    times_missed = models.PositiveSmallIntegerField(_("times missed"), default=0)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    eligibility = models.CharField(_("eligibility"), max_length=10, choices=Eligibility, blank=True)
    notes = models.TextField(_("intake notes"), max_length=10_000, blank=True)
    risk_flags = ChoiceArrayField(
        models.CharField(max_length=20, choices=RiskFlag),
        default=list,
        blank=True,
        verbose_name=_("risk flags"),
    )
    completed_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        indexes = [
            models.Index(
                fields=["scheduled_at"],
                condition=Q(completed_at__isnull=True, reminder_sent_at__isnull=True),
                name="referrals_intake_reminder_due",
            ),
            # The timeliness figures read the intakes held in a period.
            models.Index(
                fields=["agency", "held_on"],
                condition=Q(held_on__isnull=False),
                name="referrals_intake_held",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, eligibility="", held_on__isnull=True)
                | Q(completed_at__isnull=False, held_on__isnull=False) & ~Q(eligibility=""),
                name="referrals_intake_outcome_complete",
            ),
            within_bounds("held_on", name="referrals_intake_held_bounded"),
            within_bounds(
                "scheduled_at",
                "reminder_sent_at",
                "completed_at",
                name="referrals_intake_moments_bounded",
                moments=True,
            ),
        ]

    def __str__(self):
        return _("Intake of %(referral)s") % {"referral": self.referral}

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def risk_flag_labels(self) -> list[str]:
        return [RiskFlag(flag).label for flag in self.risk_flags]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Consent(models.Model):
    """A consent or release of information the participant signed (and may withdraw)."""

    class Kind(models.TextChoices):
        PROGRAM_AGREEMENT = "program_agreement", _("Program agreement (rules and attendance)")
        RELEASE_COURT = "release_court", _("Release of information to the court")
        RELEASE_PROBATION = "release_probation", _("Release of information to probation")
        RELEASE_PARTNER = (
            "release_partner",
            _("Release of attendance and completion to the victim or partner"),
        )
        RELEASE_TRANSFER = "release_transfer", _("Release of the file to another agency")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    participant = models.ForeignKey(
        "referrals.Participant",
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("participant"),
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("referral"),
    )
    kind = models.CharField(_("consent"), max_length=30, choices=Kind)
    signed_on = models.DateField(_("signed on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["kind", "-signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("signed_on")),
                name="referrals_consent_withdrawn_after_signed",
                violation_error_message=_("A consent cannot be withdrawn before it was signed."),
            ),
            within_bounds("signed_on", "withdrawn_on", name="referrals_consent_dates_bounded"),
        ]

    def __str__(self):
        return self.get_kind_display()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Transfer(models.Model):
    """A referral moving to another agency (the person moved), with their consent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the other agency")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", pgettext_lazy("transfer", "Cancelled")

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from agency"),
    )
    to_agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("to agency"),
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("referral"),
    )
    reason = models.TextField(_("why"), max_length=2000)
    consent_signed_on = models.DateField(_("participant's consent signed on"))
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decision_note = models.TextField(_("answer"), max_length=2000, blank=True)
    # What the receiving agency reads to decide, written when the transfer is asked: it never
    # reads the sending agency's records themselves (see TransferSummary).
    summary = models.JSONField(_("what the other agency reads"), default=dict, editable=False)
    new_referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referral at the new agency"),
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status="pending"),
                name="referrals_transfer_one_pending",
                violation_error_message=_("A transfer of this referral is already waiting."),
            ),
            models.CheckConstraint(
                condition=~Q(to_agency=models.F("agency")),
                name="referrals_transfer_to_another_agency",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", new_referral__isnull=False)
                | ~Q(status="accepted") & Q(new_referral__isnull=True),
                name="referrals_transfer_accepted_has_referral",
            ),
            within_bounds("consent_signed_on", name="referrals_transfer_consent_bounded"),
        ]

    def __str__(self):
        return _("Transfer of %(referral)s") % {"referral": self.referral}

    @property
    def brief(self) -> "TransferSummary":
        return TransferSummary(self.summary)


class TransferSummary:
    """The receiving agency's view of a transfer while it decides, from the codes and dates
    written when it was asked; labels in the reader's language."""

    def __init__(self, data: dict):
        self.data = data

    def _date(self, name):
        value = self.data.get(name)
        return date.fromisoformat(value) if value else None

    @property
    def name(self) -> str:
        return self.data.get("name", "")

    @property
    def language(self) -> str:
        return Language(self.data["language"]).label

    @property
    def interpreter_language(self) -> str:
        return self.data.get("interpreter_language", "")

    @property
    def program(self) -> str:
        return Program(self.data["program"]).label

    @property
    def stream(self) -> str:
        return Stream(self.data["stream"]).label

    @property
    def source_order(self) -> str:
        return SourceOrder(self.data["source_order"]).label

    @property
    def court(self) -> str:
        names = self.data["court"]
        return names.get(current_language()) or names["fr"]

    @property
    def status(self) -> str:
        return Status(self.data["status"]).label

    @property
    def order_date(self):
        return self._date("order_date")

    @property
    def return_court_date(self):
        return self._date("return_court_date")

    @property
    def complete_by(self):
        return self._date("complete_by")

    @property
    def modules_attended(self) -> list[int]:
        return self.data.get("modules_attended", [])
