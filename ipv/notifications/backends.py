"""Production's email backend until a provider is named: every email fails, visibly (the
Outgoing messages page), instead of being printed to a log that would then hold people's
addresses and what was said to them."""

from django.core.mail.backends.base import BaseEmailBackend


class NoEmailProvider(RuntimeError):
    """No email provider is configured (EMAIL_URL or EMAIL_BACKEND)."""


class NoProviderEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if email_messages:
            raise NoEmailProvider("EMAIL_URL and EMAIL_BACKEND name no provider")
        return 0
