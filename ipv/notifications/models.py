"""The outbox: every email or text message is first written here, in the same transaction as
the change that caused it; a periodic job sends what is due (ipv.notifications.tasks)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxQuerySet(models.QuerySet):
    def due(self):
        return self.filter(sent_at__isnull=True, send_after__lte=timezone.now())


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default="email")
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Sensitive messages (sign-in links, invitations) lose their body once sent.
    sensitive = models.BooleanField(_("sensitive"), default=False)
    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=models.Q(sent_at__isnull=True),
                name="notifications_outbox_due",
            )
        ]

    def __str__(self):
        return f"{self.to}: {self.subject}"
