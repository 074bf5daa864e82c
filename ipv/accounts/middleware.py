import time

from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

SESSION_STARTED = "ipv_session_started"
# When the session was last written (its idle expiry moved to then + SESSION_COOKIE_AGE).
SESSION_RENEWED = "ipv_session_renewed"
# The session is written again (its idle expiry moved) once this many seconds have passed
# since it last was: not on every request. A session thus ends between 29 and 30 minutes after
# the last request, never later than 30.
SESSION_RENEW_SECONDS = 60

# What a signed-in person without a second factor may still reach.
MFA_SETUP_ROUTES = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
}


def session_renew(request) -> bool:
    """Move the session's idle expiry to now + SESSION_COOKIE_AGE (by writing it, at the end of
    the request) if it was last written SESSION_RENEW_SECONDS ago or more; True if so."""
    if request.session.is_empty():
        return False
    now = time.time()
    if now - request.session.get(SESSION_RENEWED, 0) < SESSION_RENEW_SECONDS:
        return False
    request.session[SESSION_RENEWED] = now
    return True


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, however active; keeps it 30 minutes after the
    last request (SESSION_COOKIE_AGE, the expiry of its row), written at most once a minute
    rather than on every request (session_renew)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.session_renewed = session_renew(request)
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED, time.time())
            if time.time() - started > settings.IPV_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class UserSessionsMiddleware:
    """allauth's record of where and when each session was last seen (the list of one's
    sessions), updated when the session is renewed (once a minute at most) rather than with two
    writes on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(request, "session_renewed", True)
            and request.session.session_key
            and request.user.is_authenticated
        ):
            UserSession.objects.create_from_request(request)
        return self.get_response(request)


class RequireMFAMiddleware:
    """With IPV_REQUIRE_MFA, a person without a second factor reaches only its setup, the
    public pages and sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.IPV_REQUIRE_MFA or not request.user.is_authenticated:
            return None
        access = getattr(view_func, "access", None)
        if access is not None and access.kind == "public":
            return None
        # The API answers to its tokens, never to a session.
        if request.path_info.startswith("/api/"):
            return None
        if request.resolver_match.url_name in MFA_SETUP_ROUTES:
            return None
        # Read with the person on this request (AuthenticationBackend.get_user), or asked now.
        enabled = getattr(request.user, "has_second_factor", None)
        if enabled is None:
            enabled = is_mfa_enabled(request.user)
        if enabled:
            return None
        return redirect("mfa_activate_totp")
