"""The web keeps working while Redis is down: sign-in, pages, queued email."""

import pytest
from django.core import mail
from django.core.cache import cache

from ipv.notifications.models import OutboxMessage
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD}}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = DEAD
    from ipv.celery import app

    app.conf.broker_url = DEAD
    yield
    app.conf.broker_url = settings.CELERY_BROKER_URL


def test_the_cache_degrades_to_empty(redis_down):
    assert cache.get("anything", "default") == "default"
    assert cache.add("lock", True) is True
    cache.set("key", 1)


def test_people_still_sign_in_and_see_their_pages(client, world, redis_down):
    failed = client.post("/fr/account/login/", {"login": "intake@riviere.test", "password": "x"})
    assert failed.status_code == 200
    response = client.post(
        "/fr/account/login/", {"login": "intake@riviere.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    client.force_login(world["manager"])
    assert client.get(f"/fr/a/{world.agency.slug}/staff/").status_code == 200
    assert client.get("/healthz").status_code == 503


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
