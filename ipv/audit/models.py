"""The audit trail: what people did (sign-ins, denials, staff changes, reads of confidential
records), alongside the row-level change history that django-pghistory keeps for each model.

Both are append-only: the database refuses UPDATE and DELETE on their tables.
"""

import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Changed their password")
        PASSWORD_RESET = "password_reset", _("Reset their password")
        MFA_ADDED = "mfa_added", _("Added a second factor")
        MFA_REMOVED = "mfa_removed", _("Removed a second factor")
        MFA_CODES_RENEWED = "mfa_codes_renewed", _("Renewed their recovery codes")
        MFA_FAILED = "mfa_failed", _("Failed second-factor check")
        SIGN_IN_HELD = "sign_in_held", _("Sign-in held back after failed attempts")
        SIGN_IN_UNLOCKED = "sign_in_unlocked", _("Unlocked their sign-in from the emailed link")
        PERMISSION_DENIED = "denied", _("Was refused access")
        INVITATION_SENT = "invitation_sent", _("Invited someone")
        INVITATION_RESENT = "invitation_resent", _("Sent an invitation again")
        INVITATION_REVOKED = "invitation_revoked", _("Revoked an invitation")
        INVITATION_ACCEPTED = "invitation_accepted", _("Accepted an invitation")
        ROLES_CHANGED = "roles_changed", _("Changed roles")
        DEACTIVATED = "deactivated", _("Deactivated a person")
        SESSIONS_ENDED = "sessions_ended", _("Ended sessions")
        SETTINGS_CHANGED = "settings_changed", _("Changed the agency's settings")
        RECORD_CREATED = "created", _("Created a case record")
        RECORD_CHANGED = "changed", _("Changed a case record")
        STATUS_CHANGED = "status", _("Changed a referral's status")
        RECORDS_MERGED = "merged", _("Merged two records of one person")
        DOCUMENT_DOWNLOADED = "downloaded", _("Downloaded a document")
        RECORD_READ = "read", _("Read a confidential record")
        RECORD_EXPORTED = "export", _("Exported confidential records")
        FIGURES_EXPORTED = "figures_export", _("Exported figures or a list of cases")
        EXPORT_DOWNLOADED = "export_downloaded", _("Downloaded a prepared export")
        RECORDS_REQUESTED = "records_request", _("Produced a person's records")
        # What a platform administrator does in the administration site.
        ADMIN_VIEWED = "admin_viewed", _("Viewed records in the administration site")
        ADMIN_ADDED = "admin_added", _("Added a record in the administration site")
        ADMIN_CHANGED = "admin_changed", _("Changed a record in the administration site")
        ADMIN_DELETED = "admin_deleted", _("Deleted a record in the administration site")
        # `manage.py createadmin`, on the server: no one signed in made it.
        PLATFORM_ADMIN_CREATED = "platform_admin_created", _("A platform administrator was created")
        # Calls to the court systems' API (ipv.api), by token.
        API_CALLED = "api_called", _("Called the court systems' API")
        API_REFUSED = "api_refused", _("Was refused by the court systems' API")
        # The daily retention job (ipv.pages.retention): one event per agency and rule.
        RETENTION_APPLIED = "retention", _("Removed what the retention rules no longer keep")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Plain references without database constraints: the trail outlives what it mentions,
    # and never stops a row elsewhere from being removed.
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    subject = models.ForeignKey(
        "accounts.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    action = models.CharField(_("what"), max_length=30, choices=Action)
    target_type = models.CharField(_("type of record"), max_length=100, blank=True)
    target_id = models.CharField(_("record"), max_length=64, blank=True)
    # What the event was about, in words a manager reads; never a victim's details. A label
    # that reads differently in each language is also kept worded in each (reader's language).
    target_label = models.CharField(_("about"), max_length=200, blank=True)
    target_labels = models.JSONField(_("about, in each language"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("from (IP address)"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    request_id = models.CharField(_("request"), max_length=64, blank=True)

    class Event(models.TextChoices):
        """What happened to a case record, as the services name it in `details["event"]`."""

        ASSESSED = "assessed", _("Fee assessed")
        FEE_PROPOSED = "fee_proposed", _("Fee proposed")
        FEE_APPROVED = "fee_approved", _("Fee off the scale approved")
        FEE_DECLINED = "fee_declined", _("Fee off the scale declined")
        PLAN_SET = "plan_set", _("Instalments planned")
        PAYMENT = "payment", _("Payment recorded")
        WAIVED = "waived", _("Fee waived")
        VOID = "void", _("Payment voided")
        REFUND = "refund", _("Refund recorded")
        ACCEPTED = "accepted", _("E-referral accepted")
        TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
        TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
        TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
        TRANSFERRED_IN = "transferred_in", _("Received by transfer")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        CURRICULUM_REVISED = "curriculum_revised", _("Curriculum revised")
        SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
        SESSION_MOVED = "session_moved", _("Session moved")
        MESSAGE_RETRIED = "message_retried", _("Failed message sent again")
        # The retention rules, each counted in its event (details["count"]).
        REFERRALS_DEIDENTIFIED = "referrals_deidentified", _("Closed referrals de-identified")
        CONTACTS_DESTROYED = (
            "contacts_destroyed",
            _("Contact details of victims and partners destroyed"),
        )
        MESSAGES_EMPTIED = "messages_emptied", _("Text of outgoing messages removed")
        EXPORTS_REMOVED = "exports_removed", _("Prepared exports removed")
        SESSIONS_REMOVED = "sessions_removed", _("Expired sign-in sessions removed")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-at"], name="audit_event_agency_at"),
            models.Index(fields=["subject", "-at"], name="audit_event_subject_at"),
        ]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    @cached_property
    def reading(self):
        """How the event reads in the active language (see ipv.audit.wording)."""
        from ipv.audit.wording import describe

        return describe(self)
