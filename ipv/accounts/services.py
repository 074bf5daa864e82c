"""Writes about people: invitations, roles, deactivation, agency settings. Each is audited."""

import hashlib
import secrets
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ipv.accounts.models import Invitation, LiaisonProfile, Membership, Role, User
from ipv.audit.services import Action, audit_record
from ipv.notifications.models import Kind
from ipv.notifications.services import email_enqueue, messages_cancel

INVITATION_DAYS = 7


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _separation_of_duties_error() -> ValidationError:
    return ValidationError(
        _(
            "One person cannot be both facilitator and partner-contact worker in this "
            "agency: the people who run a participant's group do not contact the victims."
        ),
        code="separation_of_duties",
    )


def check_separation_of_duties(*, agency, roles) -> None:
    """Facilitator and partner-contact worker together only where the agency allows it."""
    both = {Role.FACILITATOR, Role.PARTNER_CONTACT} <= set(roles)
    if both and not agency.allow_facilitator_partner_contact:
        raise _separation_of_duties_error()


@transaction.atomic
def invitation_create(
    *,
    email: str,
    invited_by: User,
    agency=None,
    roles=(),
    courts=(),
    full_name: str = "",
    language: str = "fr",
) -> Invitation:
    """Invite a person to an agency with `roles`, or (no agency) as a court liaison officer."""
    email = User.objects.normalize_email(email).strip()
    roles = sorted(set(roles))
    if agency is not None:
        if not roles:
            raise ValidationError(_("Choose at least one role."), code="no_role")
        check_separation_of_duties(agency=agency, roles=roles)
        if Membership.objects.filter(
            agency=agency, user__email__iexact=email, is_active=True
        ).exists():
            raise ValidationError(
                _("This person is already on the staff: change their roles instead."),
                code="already_member",
            )
    elif not courts:
        raise ValidationError(_("Choose at least one court."), code="no_court")
    if Invitation.objects.pending().filter(email__iexact=email, agency=agency).exists():
        raise ValidationError(
            _("An invitation to this address is already waiting: send it again instead."),
            code="already_invited",
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        full_name=full_name,
        language=language,
        agency=agency,
        roles=roles,
        token_hash=token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    invitation.courts.set(courts)
    _send_invitation(invitation, token)
    audit_record(
        action=Action.INVITATION_SENT,
        actor=invited_by,
        agency=agency,
        target=invitation,
        label=email,
        details={"roles": roles, "courts": [court.pk for court in courts]},
    )
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """Send a new link (the old one stops working) and give it another 7 days."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation was already used or revoked."), code="closed")
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "expires_at", "send_count"])
    _send_invitation(invitation, token)
    audit_record(
        action=Action.INVITATION_RESENT,
        actor=by,
        agency=invitation.agency,
        target=invitation,
        label=invitation.email,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation was already accepted."), code="accepted")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.INVITATION_REVOKED,
            actor=by,
            agency=invitation.agency,
            target=invitation,
            label=invitation.email,
        )
    return invitation


def _send_invitation(invitation: Invitation, token: str) -> None:
    with translation.override(invitation.language):
        path = reverse("accounts:invitation", kwargs={"token": token})
    email_enqueue(
        to=invitation.email,
        template="invitation",
        context={
            "invitation": invitation,
            "url": settings.IPV_BASE_URL + path,
            "days": INVITATION_DAYS,
        },
        language=invitation.language,
        kind=Kind.INVITATION,
        sensitive=True,
        agency=invitation.agency,
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link points to, whatever its state (None if unknown)."""
    return (
        Invitation.objects.select_related("agency", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None = None, full_name: str = "", password: str = ""
) -> User:
    """Use the invitation once: create the account (or join `user`'s), grant roles or courts.

    A second use, an expired or revoked invitation raise ValidationError.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError(_("This invitation can no longer be used."), code="unusable")
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _("An account already exists for this address: sign in to accept."),
                code="existing_account",
            )
        user = User(
            email=invitation.email, full_name=full_name, preferred_language=invitation.language
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to another address."), code="other_address"
        )
    if invitation.is_liaison:
        profile, _created = LiaisonProfile.objects.get_or_create(user=user)
        profile.courts.add(*invitation.courts.all())
    else:
        check_separation_of_duties(
            agency=invitation.agency,
            roles=set(invitation.roles) | _active_roles(user, invitation.agency),
        )
        for role in invitation.roles:
            _grant(user=user, agency=invitation.agency, role=role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action=Action.INVITATION_ACCEPTED,
        actor=user,
        subject=user,
        agency=invitation.agency,
        target=invitation,
        label=invitation.email,
        details={"roles": invitation.roles},
    )
    return user


def _active_roles(user, agency) -> set[str]:
    return set(
        Membership.objects.filter(user=user, agency=agency, is_active=True).values_list(
            "role", flat=True
        )
    )


def _grant(*, user, agency, role) -> None:
    try:
        with transaction.atomic():
            Membership.objects.update_or_create(
                user=user,
                agency=agency,
                role=role,
                defaults={"is_active": True, "ended_at": None},
            )
    except IntegrityError as error:  # the database's separation-of-duties trigger
        raise _separation_of_duties_error() from error


@transaction.atomic
def roles_change(*, user: User, agency, roles, by: User) -> set[str]:
    """Give `user` exactly `roles` in `agency`; roles taken away end, history stays.

    Four eyes: nobody changes their own roles, or a manager could grant themselves access
    the agency's settings keep from them (the partner-contact role opens the victims' files).
    """
    if user == by:
        raise ValidationError(
            _("Nobody changes their own roles: ask another manager."), code="self"
        )
    roles = set(roles)
    if not roles:
        raise ValidationError(
            _("Choose at least one role, or deactivate the person."), code="no_role"
        )
    check_separation_of_duties(agency=agency, roles=roles)
    before = _active_roles(user, agency)
    if not before:
        raise ValidationError(_("This person is not on the staff."), code="not_member")
    now = timezone.now()
    Membership.objects.filter(
        user=user, agency=agency, is_active=True, role__in=before - roles
    ).update(is_active=False, ended_at=now)
    for role in sorted(roles - before):
        _grant(user=user, agency=agency, role=role)
    if before != roles:
        audit_record(
            action=Action.ROLES_CHANGED,
            actor=by,
            subject=user,
            agency=agency,
            target=user,
            details={"before": sorted(before), "after": sorted(roles)},
        )
    return roles


@transaction.atomic
def staff_deactivate(*, user: User, agency, by: User) -> None:
    """End all of `user`'s roles in `agency` and every session they have open, at once.

    The account itself is closed only when nothing else is left to it (another agency's roles,
    courts to follow), so one agency cannot lock a person out of another.
    """
    if user == by:
        raise ValidationError(_("You cannot deactivate yourself."), code="self")
    before = _active_roles(user, agency)
    if not before:
        raise ValidationError(_("This person is not on the staff."), code="not_member")
    Membership.objects.filter(user=user, agency=agency, is_active=True).update(
        is_active=False, ended_at=timezone.now()
    )
    still_needed = (
        Membership.objects.filter(user=user, is_active=True).exists()
        or LiaisonProfile.objects.filter(user=user).exists()
        or user.is_staff
    )
    if not still_needed:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    audit_record(
        action=Action.DEACTIVATED,
        actor=by,
        subject=user,
        agency=agency,
        target=user,
        details={
            "roles": sorted(before),
            "sessions_ended": ended,
            "account_closed": not still_needed,
        },
    )


def sessions_end(*, user: User) -> int:
    """End every session of the person: the next request from any of them is signed out.

    Returns how many sessions were open (as allauth's session list knew them).
    """
    from allauth.usersessions.models import UserSession

    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    return ended


@transaction.atomic
def platform_admin_create(
    *, email: str, full_name: str, language: str = "fr", password: str = ""
) -> User:
    """A platform administrator, made on the server (`manage.py createadmin`): with `password`
    (checked against the password rules), or none, to be set from a link. An address already
    in use is refused. Their second factor is asked for at their first sign-in."""
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account already exists for this address."), code="exists")
    user = User(
        email=email,
        full_name=full_name,
        preferred_language=language,
        is_staff=True,
        is_superuser=True,
    )
    if password:
        password_validation.validate_password(password, user)
    user.set_password(password or None)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(action=Action.PLATFORM_ADMIN_CREATED, subject=user, target=user, label=email[:200])
    return user


def set_password_link(user: User) -> str:
    """A single-use link to choose a password (allauth's reset link: it stops working once the
    password is set, and after PASSWORD_RESET_TIMEOUT)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    key = {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}
    with translation.override(user.preferred_language):
        return settings.IPV_BASE_URL + reverse("account_reset_password_from_key", kwargs=key)


def _plain(value):
    """A setting's value as the audit trail keeps it (times as "17:00")."""
    return value.strftime("%H:%M") if isinstance(value, time) else value


@transaction.atomic
def agency_settings_update(*, agency, by: User, **changes):
    """Change an agency's settings. Separation of duties cannot be turned back on while someone
    still holds both roles."""
    if not changes.get("allow_facilitator_partner_contact", True):
        dual = (
            Membership.objects.filter(agency=agency, is_active=True, role=Role.FACILITATOR)
            .filter(
                user__memberships__agency=agency,
                user__memberships__is_active=True,
                user__memberships__role=Role.PARTNER_CONTACT,
            )
            .select_related("user")
        )
        names = [str(membership.user) for membership in dual]
        if names:
            raise ValidationError(
                _("First give these people one of the two roles: %(names)s.")
                % {"names": ", ".join(names)},
                code="dual_roles",
            )
    before = {field: getattr(agency, field) for field in changes}
    for field, value in changes.items():
        setattr(agency, field, value)
    agency.save(update_fields=[*changes, "updated_at"])
    changed = {
        field: {"before": _plain(before[field]), "after": _plain(value)}
        for field, value in changes.items()
        if before[field] != value
    }
    if changed:
        audit_record(
            action=Action.SETTINGS_CHANGED, actor=by, agency=agency, target=agency, details=changed
        )
    return agency


@transaction.atomic
def notification_preferences_set(
    *, user: User, digest_enabled: bool, court_messages: str | None = None
) -> None:
    """The emails a person chooses to get: the staff morning digest and, for a court liaison
    officer, the messages about documents issued for their courts. What they turn off stops
    now, a message already written but not yet sent included."""
    user.digest_enabled = digest_enabled
    user.save(update_fields=["digest_enabled"])
    if not digest_enabled:
        messages_cancel(key_prefix=f"staff:{user.pk}:digest:", reason="digest turned off")
    profile = LiaisonProfile.objects.filter(user=user).first()
    if profile is not None and court_messages is not None:
        before = profile.court_messages
        profile.court_messages = court_messages
        profile.full_clean(exclude=["user"])
        profile.save(update_fields=["court_messages"])
        if before != court_messages:
            # The messages written under the former choice are not the ones now asked for.
            messages_cancel(key_prefix=f"court:{user.pk}:", reason="court messages changed")


def notifications_url(language: str) -> str:
    """The page where a person chooses their emails, in `language`: each such email links it."""
    with translation.override(language):
        return settings.IPV_BASE_URL + reverse("accounts:notifications")
