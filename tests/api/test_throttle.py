"""Each token's calls are counted in Redis: past the limit, 429 with Retry-After; with Redis
down, every call is refused (503 with Retry-After), never let through uncounted."""

from unittest import mock

import pytest

from ipv.audit.models import AuditEvent
from tests.api.tokens import bearer, issue

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def test_a_token_past_its_calls_a_minute_waits_and_others_do_not(client, world, token, settings):
    settings.IPV_API_CALLS_PER_MINUTE = 3
    # Within one minute (the counts are per minute: a boundary crossed would start again).
    with mock.patch("ipv.api.tokens.time.time", return_value=1_800_000_030.0):
        answers = [client.get(URL, **bearer(token)).status_code for _call in range(4)]
        refused = client.get(URL, **bearer(token))
    assert answers == [200, 200, 200, 429]
    assert int(refused["Retry-After"]) == 30
    event = AuditEvent.objects.filter(action="api_refused").order_by("-pk").first()
    assert event.details["refusal"] == "throttled"
    # Counted per token: another one is not held back.
    other = issue(world["liaison"], [world.court])
    assert client.get(URL, **bearer(other)).status_code == 200


def test_with_redis_down_every_call_is_refused_and_audited(client, world, token, redis_down):
    response = client.get(URL, **bearer(token))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "court_file_number" not in response.content.decode()
    event = AuditEvent.objects.filter(action="api_refused").order_by("-pk").first()
    assert event.details["refusal"] == "throttle_unavailable"
    # Refused before anything is read or written.
    sent = client.post(URL, "{}", content_type="application/json", **bearer(token))
    assert sent.status_code == 503


def test_with_redis_down_a_bad_token_is_still_401(client, world, redis_down):
    assert client.get(URL, **bearer("ipv_nothing_here")).status_code == 401
