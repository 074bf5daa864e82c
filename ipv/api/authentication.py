"""Who calls: a bearer token, checked on every request; what it may do: its scopes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from ipv.api.tokens import Refusal, token_check


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer ipv_…`. Unknown, revoked and expired tokens get the same 401,
    so that a caller learns nothing about tokens it does not hold; the trail keeps why."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            request._request.api_refusal = "malformed"
            raise exceptions.AuthenticationFailed(_("Send one token after “Bearer”."))
        try:
            token = token_check(header[1].decode("ascii", errors="replace"))
        except Refusal as refusal:
            request._request.api_refusal = refusal.reason
            request._request.api_refused_token = refusal.token
            raise exceptions.AuthenticationFailed(
                _("This token is unknown, revoked or expired.")
            ) from None
        return token.officer, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The token holds the scope the view names for the request's method."""

    message = _("This token may not do that: ask for a token with the scope it needs.")

    def has_permission(self, request, view):
        if request.auth is None:
            return False
        needed = view.scopes.get(request.method)
        if needed is None or needed not in request.auth.scopes:
            request._request.api_refusal = f"scope:{needed}"
            return False
        return True


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema names the token: an HTTP bearer."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
