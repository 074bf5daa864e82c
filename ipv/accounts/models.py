"""People who sign in: staff, court liaison officers, platform administrators."""

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.core.choices import Language, Role
from ipv.core.fields import ChoiceArrayField
from ipv.core.history import track_links
from ipv.core.validators import validate_name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["password", "last_login"],
)
class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    Language = Language

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, validators=[validate_name])
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.FRENCH
    )
    is_active = models.BooleanField(_("active"), default=True)
    digest_enabled = models.BooleanField(_("Send me a morning digest by email"), default=True)
    is_staff = models.BooleanField(
        _("platform administrator"),
        default=False,
        help_text=_("Can sign in to the administration site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Raised to end every session of the person at once (see _get_session_auth_hash).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None):
        # Django signs each session with this hash and drops a session whose hash no longer
        # matches (on the next request). With the epoch in it, raising the epoch ends all of
        # the person's sessions, on every device, without touching their password.
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "ipv.accounts.User.session",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


# A person may not both run groups and contact the victims of the people in them, unless the
# agency allows it (directory.Agency.allow_facilitator_partner_contact). Held by the database.
SEPARATION_OF_DUTIES = pgtrigger.Trigger(
    name="separation_of_duties",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert | pgtrigger.Update,
    condition=pgtrigger.Q(new__is_active=True, new__role__in=["facilitator", "partner_contact"]),
    func="""
        IF EXISTS (
            SELECT 1
            FROM accounts_membership other
            JOIN directory_agency agency ON agency.id = other.agency_id
            WHERE other.user_id = NEW.user_id
              AND other.agency_id = NEW.agency_id
              AND other.is_active
              AND other.id IS DISTINCT FROM NEW.id
              AND other.role = CASE NEW.role
                  WHEN 'facilitator' THEN 'partner_contact' ELSE 'facilitator' END
              AND NOT agency.allow_facilitator_partner_contact
        ) THEN
            RAISE EXCEPTION 'separation of duties: facilitator and partner-contact worker'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    """,
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(models.Model):
    """One role of one person in one agency."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("agency"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["agency", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="accounts_membership_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, ended_at__isnull=True)
                | Q(is_active=False, ended_at__isnull=False),
                name="accounts_membership_ended_when_inactive",
            ),
        ]
        triggers = [SEPARATION_OF_DUTIES]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.agency})"


class CourtMessages(models.TextChoices):
    """When a court liaison officer hears of a document issued for their courts."""

    IMMEDIATE = "immediate", _("An email for each document, as soon as it is issued")
    DAILY = "daily", _("One email a day listing the documents of the day before")
    OFF = "off", _("No email")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class LiaisonProfile(models.Model):
    """A court liaison officer: follows referrals from their courts across agencies."""

    CourtMessages = CourtMessages

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="liaison", verbose_name=_("person")
    )
    courts = models.ManyToManyField(
        "directory.Court", related_name="liaison_officers", verbose_name=_("courts")
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    court_messages = models.CharField(
        _("Emails about documents issued for my courts"),
        max_length=10,
        choices=CourtMessages,
        default=CourtMessages.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("court liaison officer")
        verbose_name_plural = _("court liaison officers")

    def __str__(self):
        return str(self.user)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["token_hash"],
)
class Invitation(models.Model):
    """An emailed, single-use link to join an agency (with roles) or to be a court liaison.

    Only a hash of the token is stored: the link itself exists only in the email.
    """

    email = models.EmailField(_("email address"))
    full_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[validate_name]
    )
    language = models.CharField(
        _("language of the email"), max_length=2, choices=User.Language, default="fr"
    )
    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("agency"),
    )
    roles = ChoiceArrayField(
        models.CharField(max_length=20, choices=Role),
        default=list,
        blank=True,
        verbose_name=_("roles"),
    )
    courts = models.ManyToManyField(
        "directory.Court",
        blank=True,
        related_name="invitations",
        verbose_name=_("courts (court liaison officers)"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=1)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # Staff join an agency with at least one role; liaison officers join no agency.
            models.CheckConstraint(
                condition=Q(agency__isnull=False, roles__len__gt=0)
                | Q(agency__isnull=True, roles=[]),
                name="accounts_invitation_agency_roles",
            ),
            models.CheckConstraint(
                condition=~Q(accepted_at__isnull=False, revoked_at__isnull=False),
                name="accounts_invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_liaison(self) -> bool:
        return self.agency_id is None

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


# The links of many-to-many fields, in the history like the rows themselves: which courts a
# liaison officer follows, which groups and permissions give a person rights in the admin.
@track_links()
class LiaisonProfileCourt(LiaisonProfile.courts.through):
    class Meta:
        proxy = True


@track_links()
class InvitationCourt(Invitation.courts.through):
    class Meta:
        proxy = True


@track_links()
class UserGroup(User.groups.through):
    class Meta:
        proxy = True


@track_links()
class UserPermission(User.user_permissions.through):
    class Meta:
        proxy = True


class SignInThrottle(models.Model):
    """Failed sign-ins from one source address or for one account (ipv.accounts.throttle), and
    how long the next attempt must wait. Accounts are named by a keyed hash of the address
    typed: a typo can be a password, and the row exists whether or not the account does."""

    bucket = models.CharField(max_length=100, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)
    # When the unlock link went to the account's owner, in this run of failures.
    unlock_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.bucket


class SignInUnlock(models.Model):
    """An emailed, signed, single-use link that lifts the wait on the owner's account.

    Only a hash of the link's secret is stored: the link itself exists only in the email.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user}: {self.created_at:%Y-%m-%d %H:%M}"
