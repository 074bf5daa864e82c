import json

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_it_answers_200_with_json_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_redis_is_down_and_says_no_more(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "unavailable", "checks": {"database": "ok", "redis": "unavailable"}}
    assert "127.0.0.1" not in json.dumps(body)


def test_it_answers_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: password for ipv")

    monkeypatch.setattr("ipv.core.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert b"password" not in response.content


def test_it_needs_no_login_and_no_language_prefix(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/fr/healthz").status_code == 404
