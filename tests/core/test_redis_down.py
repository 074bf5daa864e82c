"""With Redis down the web keeps working (sign-in, pages, queued email) and no security decision
fails open: the one-time codes already used and the sign-in throttle live in PostgreSQL."""

from datetime import timedelta

import pytest
import redis
import time_machine
from django.core import mail
from django.core.cache import cache, caches
from django.utils import timezone

from ipv.notifications.models import OutboxMessage
from tests.accounts.test_sessions import sign_in
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"
START = timezone.datetime(2026, 11, 23, 8, 0, 5, tzinfo=timezone.get_fixed_timezone(-300))


@pytest.fixture
def redis_down(settings):
    """Every use of Redis points at a closed port: the cache, the broker, /healthz."""
    settings.CACHES = {**settings.CACHES, "redis": {**settings.CACHES["redis"], "LOCATION": DEAD}}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = DEAD
    from ipv.celery import app

    app.conf.broker_url = DEAD
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(DEAD, socket_connect_timeout=1).ping()
    yield
    app.conf.broker_url = settings.CELERY_BROKER_URL


def _home(world):
    return f"/fr/a/{world.agency.slug}/"


def test_the_redis_cache_reads_as_empty_and_refuses_to_decide(redis_down):
    values = caches["redis"]
    values.set("figures", [1, 2])
    assert values.get("figures", "missing") == "missing"
    # A lock or a counter taken from a cache that cannot answer would be a decision made up.
    with pytest.raises(redis.RedisError):
        values.add("lock", True)
    with pytest.raises(redis.RedisError):
        values.incr("counter")


def test_the_security_store_answers_without_redis(redis_down):
    assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=30) is True
    assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=30) is False
    cache.set("history", [3.5, 2.5], timeout=300)
    assert cache.get("history") == [3.5, 2.5]
    cache.set("count", 1)
    assert cache.incr("count", 2) == 3


def test_a_code_used_twice_is_refused_while_redis_is_down(client, world, redis_down):
    with time_machine.travel(START, tick=False) as clock:
        code = totp_code()
        assert sign_in(client, "intake@riviere.test", code=code)["Location"] == "/fr/app/"
        assert client.get(_home(world)).status_code == 200  # a fresh code opens the agency
        client.post("/fr/account/logout/")
        clock.shift(timedelta(seconds=5))  # same 30-second step: the code is still current

        replay = sign_in(client, "intake@riviere.test", code=code)
        assert replay.status_code == 200
        assert "Code incorrect" in replay.content.decode()
        assert client.get(_home(world)).status_code == 302
        # The next step's code, never used, is accepted.
        fresh = client.post(
            "/fr/account/2fa/authenticate/",
            {"code": totp_code(at=timezone.now() + timedelta(seconds=30))},
        )
        assert fresh["Location"] == "/fr/app/"
        assert client.get(_home(world)).status_code == 200


def test_the_failed_sign_in_limit_still_locks_while_redis_is_down(client, world, redis_down):
    # Before the limit, the right password goes through.
    response = client.post(
        "/fr/account/login/", {"login": "intake@riviere.test", "password": PASSWORD}
    )
    assert response["Location"] == "/fr/account/2fa/authenticate/"
    client.cookies.clear()  # leaves the half-done sign-in
    for _ in range(5):
        client.post("/en/account/login/", {"login": "intake@riviere.test", "password": "wrong"})
    locked = client.post(
        "/en/account/login/", {"login": "intake@riviere.test", "password": PASSWORD}
    )
    assert locked.status_code == 200
    assert "Too many failed sign-in attempts for this email address" in locked.content.decode()
    assert client.get(_home(world)).status_code == 302


def test_people_still_sign_in_and_see_their_pages(client, world, redis_down):
    failed = client.post("/fr/account/login/", {"login": "intake@riviere.test", "password": "x"})
    assert failed.status_code == 200
    assert sign_in(client, "intake@riviere.test")["Location"] == "/fr/app/"
    client.force_login(world["manager"])
    assert client.get(f"/fr/a/{world.agency.slug}/staff/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["checks"]["redis"] == "down"


def test_an_invitation_waits_in_the_outbox_until_redis_is_back(
    client, world, redis_down, django_capture_on_commit_callbacks
):
    client.force_login(world["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/fr/a/{world.agency.slug}/staff/invite/",
            {"email": "dana@riviere.test", "roles": ["intake"], "language": "fr"},
        )
    assert response.status_code == 302
    assert mail.outbox == []
    assert OutboxMessage.objects.due().count() == 1
