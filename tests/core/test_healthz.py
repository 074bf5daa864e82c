import json
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from ipv.core.models import Heartbeat
from ipv.core.tasks import beat_heartbeat
from ipv.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def worker_answers(monkeypatch):
    """A worker that answers pings (the test run has none), counting the pings."""
    pings = []

    def ping(timeout):
        pings.append(timeout)
        return [{"celery@worker-1": {"ok": "pong"}}]

    from ipv.celery import app

    monkeypatch.setattr(app.control, "ping", ping)
    return pings


def _message(written, sent=None):
    return OutboxMessage.objects.create(
        to="a@example.org", subject="s", body_text="t", created_at=written, sent_at=sent
    )


def test_it_reports_every_part_ok_with_200_and_json(client, worker_answers):
    with time_machine.travel(timezone.now(), tick=False):
        beat_heartbeat()
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
        "ages": {"beat_heartbeat_seconds": 0, "oldest_unsent_message_seconds": None},
    }
    assert "no-cache" in response["Cache-Control"]


def test_redis_down_is_reported_with_200_the_web_still_serves(client, settings, worker_answers):
    settings.REDIS_URL = DEAD
    settings.CACHES = {**settings.CACHES, "redis": {**settings.CACHES["redis"], "LOCATION": DEAD}}
    beat_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {
        "database": "ok",
        "redis": "down",
        "worker": "down",  # no broker: not even asked
        "beat": "ok",
        "outbox": "ok",
    }
    assert worker_answers == []
    assert "127.0.0.1" not in json.dumps(body)


def test_it_answers_503_only_when_the_database_is_down(client, monkeypatch, worker_answers):
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
        "worker": "ok",
        "beat": "unknown",
        "outbox": "unknown",
    }
    assert b"password" not in response.content
    assert b"10.0.0.5" not in response.content


def test_no_worker_answering_is_reported(client):
    beat_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "down"
    assert response.json()["status"] == "degraded"


def test_a_worker_answer_is_kept_for_30_seconds(client, worker_answers):
    client.get("/healthz")
    client.get("/healthz")
    assert worker_answers == [0.5]


def test_beat_is_late_after_three_missed_minutes_and_unknown_before_its_first_beat(
    client, worker_answers
):
    assert client.get("/healthz").json()["checks"]["beat"] == "unknown"
    Heartbeat.objects.create(name="beat", at=timezone.now() - timedelta(seconds=170))
    assert client.get("/healthz").json()["checks"]["beat"] == "ok"
    Heartbeat.objects.filter(name="beat").update(at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["beat"] == "late"
    assert response.json()["ages"]["beat_heartbeat_seconds"] == 600


def test_the_oldest_unsent_message_gives_the_outbox_its_age(client, worker_answers):
    beat_heartbeat()
    now = timezone.now()
    _message(now - timedelta(hours=2), sent=now - timedelta(hours=2))  # sent: not counted
    _message(now - timedelta(minutes=5))
    body = client.get("/healthz").json()
    assert (body["checks"]["outbox"], body["status"]) == ("ok", "ok")
    assert 300 <= body["ages"]["oldest_unsent_message_seconds"] <= 302
    _message(now - timedelta(minutes=20))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["outbox"] == "late"
    assert response.json()["status"] == "degraded"
    assert 1200 <= response.json()["ages"]["oldest_unsent_message_seconds"] <= 1202


def test_it_needs_no_login_and_no_language_prefix(client, worker_answers):
    assert client.get("/healthz").status_code == 200
    assert client.get("/fr/healthz").status_code == 404
