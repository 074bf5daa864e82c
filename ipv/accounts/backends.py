from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from ipv.accounts.demo import DEMO_PASSWORD


class AuthenticationBackend(AllauthBackend):
    """Email and password; the published demo password is refused outside debug."""

    def authenticate(self, request, **credentials):
        if not settings.DEBUG and credentials.get("password") == DEMO_PASSWORD:
            return None
        return super().authenticate(request, **credentials)

    def get_user(self, user_id):
        """The signed-in person, read with whether they have a second factor
        (`has_second_factor`, which RequireMFAMiddleware checks): one statement per request
        instead of two."""
        second_factor = Authenticator.objects.filter(user_id=OuterRef("pk"))
        users = get_user_model()._default_manager.annotate(has_second_factor=Exists(second_factor))
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
