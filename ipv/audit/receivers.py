"""Sign-in, sign-out and second-factor events, as Django and allauth announce them."""

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ipv.audit.services import Action, audit_record


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, actor=user, subject=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=Action.LOGOUT, actor=user, subject=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The address typed is kept only when it is someone's: a typo can be a password.
    email = str(credentials.get("email") or credentials.get("username") or "")
    subject = get_user_model().objects.filter(email__iexact=email).first() if email else None
    audit_record(action=Action.LOGIN_FAILED, subject=subject)


@receiver(password_changed)
def on_password_changed(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_CHANGED, actor=user, subject=user)


@receiver(password_reset)
def on_password_reset(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_RESET, actor=user, subject=user)


@receiver(authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(
        action=Action.MFA_ADDED, actor=user, subject=user, details={"type": authenticator.type}
    )


@receiver(authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(
        action=Action.MFA_REMOVED, actor=user, subject=user, details={"type": authenticator.type}
    )


@receiver(authenticator_reset)
def on_mfa_reset(sender, request, user, authenticator, **kwargs):
    audit_record(action=Action.MFA_CODES_RENEWED, actor=user, subject=user)


@receiver(authentication_failed)
def on_mfa_failed(sender, request, user, **kwargs):
    audit_record(action=Action.MFA_FAILED, subject=_person(user) or user)
