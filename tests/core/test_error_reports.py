"""Error reports (sentry-sdk, with a transport that keeps what would be sent): a view failing
with a victim's name and address in its local variables, its form and its query string sends
none of them, nor the cookies or the authorization header."""

import pytest
import sentry_sdk
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from sentry_sdk.transport import Transport

from ipv.core import errors

NAME = "Geneviève Tremblay-Ouellet"
EMAIL = "genevieve.to@example.org"
PHONE = "613-555-0142"


def failing(request):
    victim = {"name": NAME, "email": EMAIL, "phone": PHONE}  # noqa: F841  (a local to leak)
    raise RuntimeError(f"could not reach {EMAIL} at {PHONE}")


def working(request):
    return HttpResponse("ok")


urlpatterns = [path("fails/", failing), path("works/", working)]


class Kept(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sent():
    transport = Kept()
    errors.init(dsn="https://public@sentry.invalid/1", environment="test", transport=transport)
    try:
        yield transport.events
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: nothing is reported by the tests that follow


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_failing_view_reports_the_error_without_personal_data(sent):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-key-to-keep-secret"
    response = client.post(
        f"/fails/?q={NAME}",
        {"name": NAME, "email": EMAIL},
        headers={"Authorization": "Bearer ipv_secret-token", "User-Agent": "test-agent"},
    )
    assert response.status_code == 500

    # The exception, and Django's log line about it.
    [event] = [event for event in sent if "exception" in event]
    # Positive control: it is the failure, with where it happened.
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["environment"] == "test"
    assert event["transaction"] == "/fails/"
    text = repr(sent)
    for secret in (
        NAME,
        "Genevi",
        EMAIL,
        PHONE,
        "a-session-key",
        "ipv_secret-token",
        "q=",
        "127.0.0.1",
    ):
        assert secret not in text, secret
    assert "could not reach [email] at [phone]" in text


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_nothing_is_reported_when_nothing_fails(sent):
    assert Client().get("/works/").status_code == 200
    assert sent == []


def test_without_a_dsn_nothing_is_sent(settings):
    assert settings.SENTRY_DSN == ""
    assert sentry_sdk.get_client().transport is None
