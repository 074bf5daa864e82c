import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

SESSION_STARTED = "ipv_session_started"

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


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, however active (idle expiry is the cookie's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED, time.time())
            if time.time() - started > settings.IPV_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
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
        if is_mfa_enabled(request.user):
            return None
        return redirect("mfa_activate_totp")
