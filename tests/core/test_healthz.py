"""/healthz: the database, Redis, the worker's and beat's heartbeats and the outbox's oldest
unsent message, as states and ages only."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError

from ipv.core.beat import heartbeat
from ipv.core.models import Heartbeat
from ipv.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _alive(seconds_ago=0):
    for name in ("worker", "beat"):
        Heartbeat.objects.update_or_create(
            name=name, defaults={"at": NOW - timedelta(seconds=seconds_ago)}
        )


def _message(key, *, due, state="pending", **fields):
    return OutboxMessage.objects.create(
        key=key,
        to="a@example.org",
        subject="s",
        body_text="t",
        send_after=due,
        state=state,
        **fields,
    )


def test_it_reports_every_part_ok_with_200_and_json(client, clock, monkeypatch):
    # Written as beat and a worker write them (outside the test's transaction there).
    monkeypatch.setattr("ipv.core.beat.close_old_connections", lambda: None)
    heartbeat("worker")
    heartbeat("beat")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "redis": "ok",
            "worker": "ok",
            "beat": "ok",
            "outbox": "ok",
        },
        "ages": {
            "worker_heartbeat_seconds": 0,
            "beat_heartbeat_seconds": 0,
            "oldest_unsent_message_seconds": None,
        },
    }
    assert "no-cache" in response["Cache-Control"]


def test_redis_down_is_reported_with_200_the_web_still_serves(client, settings, clock):
    settings.REDIS_URL = DEAD
    settings.CACHES = {**settings.CACHES, "redis": {**settings.CACHES["redis"], "LOCATION": DEAD}}
    _alive()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {
        "database": "ok",
        "redis": "down",
        "worker": "ok",
        "beat": "ok",
        "outbox": "ok",
    }
    assert "127.0.0.1" not in json.dumps(body)


def test_it_answers_503_only_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: password for ipv")

    monkeypatch.setattr("ipv.pages.health.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {
        "database": "down",
        "redis": "ok",
        "worker": "unknown",
        "beat": "unknown",
        "outbox": "unknown",
    }
    assert b"password" not in response.content
    assert b"10.0.0.5" not in response.content


@pytest.mark.parametrize("part", ["worker", "beat"])
def test_a_heartbeat_is_unknown_before_the_first_ok_for_90_seconds_then_late(client, clock, part):
    _alive()
    Heartbeat.objects.filter(name=part).delete()
    body = client.get("/healthz").json()
    assert (body["checks"][part], body["ages"][f"{part}_heartbeat_seconds"]) == ("unknown", None)
    assert body["status"] == "degraded"
    Heartbeat.objects.create(name=part, at=NOW - timedelta(seconds=90))
    body = client.get("/healthz").json()
    assert (body["checks"][part], body["status"]) == ("ok", "ok")
    Heartbeat.objects.filter(name=part).update(at=NOW - timedelta(seconds=91))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["checks"][part], body["status"]) == ("late", "degraded")
    assert body["ages"][f"{part}_heartbeat_seconds"] == 91
    other = "beat" if part == "worker" else "worker"
    assert body["checks"][other] == "ok"


def test_the_oldest_unsent_message_is_aged_from_when_it_was_due(client, clock):
    _alive()
    # Sent, failed or cancelled long ago: not waiting. Written long ago but due in the future:
    # not late either.
    _message("sent", due=NOW - timedelta(hours=2), state="sent", sent_at=NOW)
    _message("failed", due=NOW - timedelta(hours=2), state="failed")
    _message("cancelled", due=NOW - timedelta(hours=2), state="cancelled")
    _message("tomorrow", due=NOW + timedelta(days=1), created_at=NOW - timedelta(days=3))
    _message("due", due=NOW - timedelta(minutes=5))
    body = client.get("/healthz").json()
    assert (body["checks"]["outbox"], body["status"]) == ("ok", "ok")
    assert body["ages"]["oldest_unsent_message_seconds"] == 300
    _message(
        "stuck",
        due=NOW - timedelta(minutes=16),
        state="sending",
        lease_until=NOW - timedelta(minutes=1),
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["checks"]["outbox"], body["status"]) == ("late", "degraded")
    assert body["ages"]["oldest_unsent_message_seconds"] == 16 * 60


def test_a_message_due_exactly_15_minutes_ago_is_not_late_yet(client, clock):
    _alive()
    _message("due", due=NOW - timedelta(minutes=15))
    body = client.get("/healthz").json()
    assert body["checks"]["outbox"] == "ok"
    assert body["ages"]["oldest_unsent_message_seconds"] == 900


def test_it_needs_no_login_and_no_language_prefix(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/fr/healthz").status_code == 404
