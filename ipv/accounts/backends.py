from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings

from ipv.accounts.demo import DEMO_PASSWORD


class AuthenticationBackend(AllauthBackend):
    """Email and password; the published demo password is refused outside debug."""

    def authenticate(self, request, **credentials):
        if not settings.DEBUG and credentials.get("password") == DEMO_PASSWORD:
            return None
        return super().authenticate(request, **credentials)
