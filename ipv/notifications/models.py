"""The outbox: every email or text message is first written here, in the same transaction as
the change that caused it, under an idempotency key; the worker sends what is due
(ipv.notifications.sending). Addresses and bodies are encrypted, and erased once sent when
they say anything about a person."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ipv.core.fields import EncryptedCharField, EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Audience(models.TextChoices):
    """Who a message is for: what the Outgoing messages page may show of it."""

    ACCOUNT = "account", _("A user of this site")
    PARTICIPANT = "participant", _("Participant")
    VICTIM = "victim", _("Victim or partner")
    STAFF = "staff", _("Staff")
    COURT = "court", _("Court")


class Kind(models.TextChoices):
    """What a message is, as a code (its label in the reader's language)."""

    ACCOUNT = "account", _("Account message")
    INVITATION = "invitation", _("Invitation")
    SIGN_IN_UNLOCK = "sign_in_unlock", _("Sign-in unlock link")
    E_REFERRAL_RECEIVED = "e_referral_received", _("E-referral received")
    INTAKE_REMINDER = "intake_reminder", _("Intake appointment reminder")
    SESSION_REMINDER = "session_reminder", _("Group session reminder")
    MAKE_UP = "make_up", _("Make-up after an absence")
    FEE_DUE = "fee_due", _("Fee instalment coming due")
    VICTIM_UPDATE = "victim_update", _("Message to a victim or partner")
    STAFF_DIGEST = "staff_digest", _("Morning digest")
    COURT_DOCUMENT = "court_document", _("Court document ready")
    COURT_DIGEST = "court_digest", _("Court daily digest")


class State(models.TextChoices):
    PENDING = "pending", pgettext_lazy("message", "Waiting")
    SENDING = "sending", pgettext_lazy("message", "Sending")
    SENT = "sent", pgettext_lazy("message", "Sent")
    FAILED = "failed", pgettext_lazy("message", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("message", "Cancelled")


class OutboxQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(state=State.PENDING, send_after__lte=now or timezone.now())

    def unsent(self):
        return self.filter(state__in=(State.PENDING, State.SENDING))


class OutboxMessage(models.Model):
    Channel = Channel
    Audience = Audience
    Kind = Kind
    State = State

    # One message per key, whoever writes it and however often: "session:812:4411:sms".
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind, default=Kind.ACCOUNT)
    audience = models.CharField(_("for"), max_length=20, choices=Audience, default=Audience.ACCOUNT)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default="email")
    to = EncryptedCharField(_("to"), max_length=254, blank=True)
    subject = EncryptedCharField(_("subject"), max_length=200, blank=True)
    body_text = EncryptedTextField(_("text"), blank=True)
    body_html = EncryptedTextField(_("HTML"), blank=True)
    # A text message's length in segments, known before it is sent.
    segments = models.PositiveSmallIntegerField(_("segments"), null=True, blank=True)
    # Messages about a person lose their address and body once sent.
    sensitive = models.BooleanField(_("sensitive"), default=False)
    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    # A reminder of a session that has begun is no use: it is cancelled instead of sent.
    expires_at = models.DateTimeField(_("no use after"), null=True, blank=True)
    # While a worker sends it, no other may, until its lease ends (the worker died).
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    retried_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retried by"),
    )

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["send_after", "id"],
                condition=Q(state="pending"),
                name="notifications_outbox_due",
            ),
            models.Index(
                fields=["lease_until"],
                condition=Q(state="sending"),
                name="notifications_outbox_leased",
            ),
            models.Index(
                fields=["agency", "-created_at"],
                condition=Q(state="failed"),
                name="notifications_outbox_failed",
            ),
            models.Index(fields=["created_at"], name="notifications_outbox_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="notifications_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="sending") | Q(lease_until__isnull=False),
                name="notifications_sending_has_lease",
            ),
        ]

    def __str__(self):
        return f"{self.key} ({self.state})"
