"""Which backends carry email and texts: the console in debug, the providers named in the
environment in production, and with none named, a failure shown to the managers — never a
console, which would write people's addresses and reminders to the logs."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from ipv.notifications.models import OutboxMessage
from ipv.notifications.selectors import failure_reason
from ipv.notifications.sending import send_due
from tests.core.test_base_url import PRODUCTION

PRINT = "from django.conf import settings;print(settings.EMAIL_BACKEND);print(settings.SMS_BACKEND)"


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in ("EMAIL_URL", "EMAIL_BACKEND", "SMS_BACKEND", "DJANGO_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IPV_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("IPV_BASE_URL", "https://ipv.example.org")
    monkeypatch.setenv("DATABASE_URL", settings.DATABASE_URL)
    monkeypatch.setenv("REDIS_URL", settings.REDIS_URL)


def _backends(**env) -> list[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_in_debug_email_and_texts_go_to_the_console(environment):
    assert _backends(DJANGO_DEBUG="1") == [
        "django.core.mail.backends.console.EmailBackend",
        "sms.backends.console.SmsBackend",
    ]


def test_in_production_without_providers_nothing_goes_to_the_console(environment):
    assert _backends(**PRODUCTION) == [
        "ipv.notifications.backends.NoProviderEmailBackend",
        "ipv.notifications.texts.NoProviderBackend",
    ]


def test_in_production_the_providers_named_are_used(environment):
    assert _backends(
        **PRODUCTION,
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        SMS_BACKEND="sms.backends.twilio.SmsBackend",
    ) == ["anymail.backends.postmark.EmailBackend", "sms.backends.twilio.SmsBackend"]
    assert _backends(**PRODUCTION, EMAIL_URL="smtp+tls://u:p@smtp.example.org:587")[0] == (
        "django.core.mail.backends.smtp.EmailBackend"
    )


@pytest.mark.django_db
def test_an_email_with_no_provider_fails_with_its_reason(settings):
    settings.EMAIL_BACKEND = "ipv.notifications.backends.NoProviderEmailBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    OutboxMessage.objects.create(key="account:1", to="a@example.org", subject="s", body_text="t")
    assert send_due().failed == 1
    message = OutboxMessage.objects.get()
    assert (message.state, message.last_error) == ("failed", "NoEmailProvider")
    with translation.override("en"):
        assert str(failure_reason(message.last_error)) == "No email provider is configured"
    assert mail.outbox == []
