from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

START = timezone.datetime(2026, 11, 23, 8, 0, tzinfo=timezone.get_fixed_timezone(-300))


def _home(world):
    return f"/fr/a/{world.agency.slug}/"


def _sent_to_sign_in(response):
    return response.status_code == 302 and response["Location"].startswith("/fr/account/login/")


def sign_in(client, email, password=PASSWORD, code=None):
    """The real sign-in: email and password, then the authenticator code."""
    response = client.post("/fr/account/login/", {"login": email, "password": password})
    if response.status_code == 302 and response["Location"].endswith("/2fa/authenticate/"):
        response = client.post(response["Location"], {"code": code or totp_code()})
    return response


def test_an_idle_session_ends_after_30_minutes(client, world):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world["intake"])
        assert client.get(_home(world)).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(_home(world)).status_code == 200
        clock.shift(timedelta(minutes=29))  # renewed by the last request
        assert client.get(_home(world)).status_code == 200
        clock.shift(timedelta(minutes=31))
        assert _sent_to_sign_in(client.get(_home(world)))


def test_a_session_ends_12_hours_after_sign_in_however_busy(client, world):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world["intake"])
        for _ in range(36):  # a request every 20 minutes, the last at 11 h 40
            assert client.get(_home(world)).status_code == 200
            clock.shift(timedelta(minutes=20))
        clock.shift(timedelta(minutes=1))  # 12 h 01 after the first request
        assert _sent_to_sign_in(client.get(_home(world)))
        assert "Votre session a pris fin" in client.get("/fr/account/login/").content.decode()


def test_signing_in_gives_a_new_session_id(client, world):
    client.get("/fr/account/login/")
    before = client.session.session_key or client.cookies["sessionid"].value
    assert sign_in(client, "intake@riviere.test").status_code == 302
    assert client.cookies["sessionid"].value != before


def test_signing_out_ends_the_session_on_the_server(client, world):
    sign_in(client, "intake@riviere.test")
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/fr/account/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_people_end_their_other_sessions(world, client):
    from django.test import Client

    other_device = Client()
    sign_in(client, "intake@riviere.test")
    sign_in(
        other_device,
        "intake@riviere.test",
        code=totp_code(at=timezone.now() + timedelta(seconds=30)),
    )
    assert other_device.get(_home(world)).status_code == 200
    page = client.get("/fr/account/sessions/").content.decode()
    assert page.count("<tr") >= 3  # a header and both sessions
    client.post("/fr/account/sessions/", {"action": "end"})
    assert _sent_to_sign_in(other_device.get(_home(world)))
    assert client.get(_home(world)).status_code == 200


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_within_a_minute_of_the_last_write_leaves_the_session_row_alone(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world["intake"])
        assert client.get(_home(world)).status_code == 200
        written = _expiry(client)
        assert written == START + timedelta(minutes=30)
        clock.shift(timedelta(seconds=50))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_home(world)).status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
        assert writes == []
        assert _expiry(client) == written
        # Positive control: past the minute, the row is written and the expiry moves.
        clock.shift(timedelta(seconds=20))
        assert client.get(_home(world)).status_code == 200
        assert _expiry(client) == START + timedelta(seconds=70, minutes=30)


def test_an_active_session_is_extended_past_30_minutes(client, world):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world["intake"])
        for _ in range(50):  # a request every 50 seconds for 41 minutes
            assert client.get(_home(world)).status_code == 200
            clock.shift(timedelta(seconds=50))
        assert client.get(_home(world)).status_code == 200
        # Idle after that: ended within 30 minutes of the last request, not before 29.
        clock.shift(timedelta(minutes=29))
        assert client.get(_home(world)).status_code == 200
        clock.shift(timedelta(minutes=30, seconds=1))
        assert _sent_to_sign_in(client.get(_home(world)))
