"""Tokens for the court systems' API, and the Idempotency-Key of each referral sent with one.

A token is shown once, when a platform administrator creates it: only its SHA-256 is kept
(the secret is random, 256 bits: a plain hash is enough, nothing to slow down a guess), beside
a short prefix that names it in lists and in the audit trail.
"""

from datetime import timedelta

import pghistory
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.core.fields import ChoiceArrayField, within_bounds
from ipv.core.history import track_links

# How long a token may live: a court system's is renewed at least once a year.
LONGEST_LIFE = timedelta(days=366)


class Scope(models.TextChoices):
    READ_REFERRALS = "referrals:read", _("Read referrals")
    DOWNLOAD_DOCUMENTS = "documents:read", _("Download certificates, reports and notices")
    SEND_REFERRALS = "referrals:send", _("Send referrals")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["secret_hash"],
)
class ApiToken(models.Model):
    """A key to the API for a court's case system or a court liaison officer.

    Either way a liaison officer answers for it: what it sends is sent in their name, and it
    reaches only the courts it names that are still the officer's."""

    class Kind(models.TextChoices):
        COURT_SYSTEM = "court_system", _("A court's case system")
        LIAISON = "liaison", _("A court liaison officer")

    kind = models.CharField(_("for"), max_length=20, choices=Kind)
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which system or person uses it, in a few words.")
    )
    officer = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        limit_choices_to={"liaison__isnull": False},
        verbose_name=_("court liaison officer answering for it"),
    )
    courts = models.ManyToManyField(
        "directory.Court", related_name="api_tokens", verbose_name=_("courts")
    )
    scopes = ChoiceArrayField(
        models.CharField(max_length=20, choices=Scope), verbose_name=_("what it may do")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at"))
                & Q(expires_at__lte=F("created_at") + LONGEST_LIFE),
                name="api_token_expiry_bounded",
                violation_error_message=_("A token expires within a year of its creation."),
            ),
            models.CheckConstraint(condition=Q(scopes__len__gt=0), name="api_token_has_scopes"),
            within_bounds(
                "created_at", "expires_at", "revoked_at", name="api_token_moments", moments=True
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


# Which courts a token covers, in the history like the token itself.
@track_links()
class ApiTokenCourt(ApiToken.courts.through):
    class Meta:
        proxy = True


class IdempotencyKey(models.Model):
    """A referral sent under a token with a client's Idempotency-Key: the request's digest, the
    referral it made and the answer given, in each language ({"fr": …, "en": …}), so that the
    same request sent again gets the same answer in its own language and records nothing.
    Retention deletes it with the referral's names. The unique constraint makes two sends at
    the same moment one."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    request_digest = models.CharField(max_length=64)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, related_name="+"
    )
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_once"),
        ]

    def __str__(self):
        return self.key
