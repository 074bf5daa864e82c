"""A participant's milestones, as data: one row per step, written in the transaction of the
change that made it. Higher layers (outreach, reminders, statistics) read this stream with a
cursor of their own (`MilestoneCursor`, referrals.services.milestones) instead of being called
by the app that made the change."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.audit.models import APPEND_ONLY


class MilestoneKind(models.TextChoices):
    """The steps a participant's way is made of, as codes (worded when read)."""

    ACCEPTED = "accepted", _("Accepted")
    INTAKE_DONE = "intake_done", _("Intake done")
    ENROLLED = "enrolled", _("Enrolled")
    ABSENCE_RECORDED = "absence_recorded", _("Absence recorded")
    ABSENCE_REVIEW_OPENED = "absence_review_opened", _("Non-compliant (under review)")
    DISCHARGED = "discharged", _("Discharged")
    COMPLETED = "completed", _("Completed")
    TRANSFERRED = "transferred", _("Transferred")
    RETURNED_TO_COURT = "returned_to_court", _("Returned to court (ineligible)")
    FEE_SETTLED = "fee_settled", _("Fee paid in full")


MILESTONE_KINDS = MilestoneKind.values


class Milestone(models.Model):
    """One step of a participant's way through the program, at one agency."""

    Kind = MilestoneKind

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="milestones",
        verbose_name=_("referral"),
    )
    kind = models.CharField(max_length=30, choices=Kind)
    occurred_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What a consumer needs beyond the referral (a transfer's new referral, an absence's
    # session): ids and codes, never names or free text.
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["referral", "kind"], name="referrals_milestone_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MILESTONE_KINDS),
                name="referrals_milestone_kind_valid",
            ),
        ]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.referral_id})"


class MilestoneCursor(models.Model):
    """How far one consumer has read the milestones: the last id it has handled. Moved under
    a row lock in the same transaction as the consumer's effects."""

    consumer = models.CharField(max_length=60, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.consumer} @ {self.last_id}"
