from allauth.account.adapter import DefaultAccountAdapter

from ipv.accounts import throttle
from ipv.notifications.services import message_enqueue


def _typed_email(credentials) -> str:
    return str(credentials.get("email") or "")


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up (people are invited); mail goes through the outbox; failed sign-ins
    are throttled with growing waits per address and per account (ipv.accounts.throttle)."""

    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        # In place of allauth's fixed window on failed sign-ins (which held the owner out for
        # minutes and had no way back in): refused here, before any password is checked.
        throttle.refuse_if_held(request, email=_typed_email(credentials))

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None:
            throttle.failure_record(request, email=_typed_email(credentials))
        else:
            throttle.success_record(email=_typed_email(credentials))
        return user

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # A password reset proves the mailbox, as the unlock link does: the wait goes too.
        super()._delete_login_attempts_cached_email(request, **credentials)
        throttle.success_record(email=_typed_email(credentials))

    def send_mail(self, template_prefix, email, context):
        # Sign-in mail (password reset…) carries secrets: its body is dropped once sent.
        rendered = self.render_mail(template_prefix, email, context)
        html = next(
            (
                body
                for body, mimetype in getattr(rendered, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        message_enqueue(
            to=email, subject=rendered.subject, text=rendered.body, html=html, sensitive=True
        )
