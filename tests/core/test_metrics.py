"""/metrics: Prometheus's scrape, with its token only — requests and latencies, the outbox's
waiting messages and the age of the oldest, the Celery queue's length, failed tasks."""

from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from ipv.core.metrics import FAILED_TASKS_KEY, count_failed_task
from ipv.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-metrics-token-0123456789"


@pytest.fixture
def token(settings):
    settings.IPV_METRICS_TOKEN = TOKEN
    return TOKEN


QUEUE = "ipv-metrics-test"


@pytest.fixture
def broker(settings):
    # A queue of the test's own: nothing else in the suite writes to it.
    settings.CELERY_TASK_DEFAULT_QUEUE = QUEUE
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(FAILED_TASKS_KEY, QUEUE)
    yield client
    client.delete(FAILED_TASKS_KEY, QUEUE)


def _scrape(client, token=None, **headers):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get("/metrics", headers=headers)


def _value(text, name):
    [line] = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.split()[-1])


def test_without_a_token_configured_it_is_not_there(client, settings):
    settings.IPV_METRICS_TOKEN = ""
    assert _scrape(client, "").status_code == 404
    assert _scrape(client, "anything").status_code == 404


def test_no_token_or_a_wrong_one_is_refused(client, token, admin_user):
    assert _scrape(client).status_code == 401
    assert _scrape(client, "wrong").status_code == 401
    assert _scrape(client, TOKEN[:-1]).status_code == 401
    assert _scrape(client, Authorization=f"Basic {TOKEN}").status_code == 401
    # A session is no token, even the platform administrator's.
    client.force_login(admin_user)
    refused = _scrape(client)
    assert refused.status_code == 401
    assert "ipv_outbox" not in refused.content.decode()


def test_the_right_token_gives_every_metric(client, token, broker):
    now = timezone.now()
    for key, minutes in (("a", 10), ("b", 2)):
        OutboxMessage.objects.create(
            key=key, to="a@example.org", subject="s", body_text="t",
            send_after=now - timedelta(minutes=minutes),
        )  # fmt: skip
    broker.rpush(QUEUE, "one", "two")
    count_failed_task(sender=type("T", (), {"name": "ipv.notifications.tasks.send_due"}))
    client.get("/fr/directory/")

    response = _scrape(client, TOKEN)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert _value(text, "ipv_outbox_messages_waiting") == 2
    assert 600 <= _value(text, "ipv_outbox_oldest_waiting_seconds") < 700
    assert f'ipv_celery_queue_length{{queue="{QUEUE}"}} 2.0' in text
    assert 'ipv_celery_tasks_failed_total{task="ipv.notifications.tasks.send_due"} 1.0' in text
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    # Nothing of the people: no address, no path.
    assert "a@example.org" not in text and "/fr/directory/" not in text


def test_with_redis_down_the_scrape_still_answers_without_its_figures(client, token, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = _scrape(client, TOKEN)
    assert response.status_code == 200
    text = response.content.decode()
    assert "ipv_celery_queue_length{" not in text
    assert _value(text, "ipv_outbox_messages_waiting") == 0
