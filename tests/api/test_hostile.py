"""What a stranger or a careless client sends the API: bodies nested past the parser, too large,
tokens with a NUL byte, a hash guessed through the admin's filters, a key replayed after the
court was withdrawn, refusals sent again and again, a cache answering nonsense. None gets a 500,
none gets what it should not, every answer is JSON."""

import hashlib
import json
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import Client

from ipv.api.models import ApiToken
from ipv.audit.models import AuditEvent
from tests.api.test_send import referral_body
from tests.api.tokens import bearer, issue

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


@pytest.fixture
def c():
    """A client that answers a server error with its 500, as a caller would see it."""
    return Client(raise_request_exception=False)


def _send(c, token, data: str, key="k1"):
    return c.post(
        URL, data, content_type="application/json", **bearer(token, **{"Idempotency-Key": key})
    )


def _api_events() -> int:
    return AuditEvent.objects.filter(action__startswith="api_").count()


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"participant": ' + "[" * 50_000 + "]" * 50_000 + "}"],
    ids=["nested list", "nested inside the object"],
)
def test_a_body_nested_past_the_parser_is_refused_as_malformed_and_audited(c, world, token, body):
    before = _api_events()
    response = _send(c, token, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert _api_events() == before + 1
    # Positive control: the same token sends a well-formed referral.
    assert _send(c, token, json.dumps(referral_body(world)), key="k2").status_code == 201


def test_a_body_too_large_is_refused_in_json_and_audited(c, world, token):
    body = referral_body(world)
    body["participant"]["legal_name"] = "x" * 3_000_000
    before = _api_events()
    response = _send(c, token, json.dumps(body))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert _api_events() == before + 1


@pytest.mark.parametrize("where", [0, 2, 8])
def test_a_token_with_a_nul_byte_is_unknown(c, world, token, where):
    prefix = token.split("_")[1]
    bad = f"ipv_{prefix[:where]}\x00{prefix[where:]}_{token.split('_', 2)[2]}"
    before = _api_events()
    response = c.get(f"{URL}{world.referral.pk}/", HTTP_AUTHORIZATION=f"Bearer {bad}")
    assert response.status_code == 401
    assert _api_events() == before + 1
    # Positive control: the token itself.
    assert c.get(f"{URL}{world.referral.pk}/", **bearer(token)).status_code == 200


def test_the_admin_cannot_filter_tokens_on_their_hash(client, world, token):
    digest = hashlib.sha256(token.encode()).hexdigest()
    client.force_login(world["admin"])
    guessed = client.get(f"/en/admin/api/apitoken/?secret_hash__startswith={digest[:6]}")
    assert ApiToken.objects.get().prefix not in guessed.content.decode()
    # Positive control: the list itself shows the token by its prefix.
    listed = client.get("/en/admin/api/apitoken/")
    assert ApiToken.objects.get().prefix in listed.content.decode()


def test_a_key_replayed_after_its_court_was_withdrawn_gives_nothing_back(c, world, token):
    body = json.dumps(referral_body(world))
    assert _send(c, token, body, key="again").status_code == 201
    replayed = _send(c, token, body, key="again")
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    world["liaison"].liaison.courts.clear()
    withdrawn = _send(c, token, body, key="again")
    assert withdrawn.status_code == 404
    assert "legal_name" not in withdrawn.content.decode()


def test_an_address_refused_again_and_again_is_refused_at_once_and_no_longer_audited(
    c, world, settings
):
    settings.IPV_API_REFUSALS_PER_MINUTE = 3
    url = f"{URL}{world.referral.pk}/"
    wrong_scope = issue(world["liaison"], [world.court], scopes=["documents:read"])
    # One address of its own and one minute (the counts are per address and minute).
    stranger = {"REMOTE_ADDR": "198.51.100.23"}
    with mock.patch("ipv.api.tokens.time.time", return_value=1_800_000_000.0):
        answers = [c.get(url, **stranger, **bearer(wrong_scope)).status_code for _ in range(2)]
        answers += [
            c.get(url, **stranger, HTTP_AUTHORIZATION="Bearer ipv_deadbeef_x").status_code
            for _ in range(4)
        ]
        # Another address is not held back.
        other = c.get(
            url, REMOTE_ADDR="192.0.2.7", **bearer(issue(world["liaison"], [world.court]))
        )
    assert answers == [403, 403, 401, 429, 429, 429]
    assert AuditEvent.objects.filter(action="api_refused").count() == 3
    assert other.status_code == 200


@pytest.mark.parametrize("error", [ConnectionRefusedError, OSError, TimeoutError])
def test_a_cache_failing_outside_the_redis_client_refuses_with_503(c, world, token, error):
    with mock.patch.object(type(caches["redis"]), "incr", side_effect=error("down")):
        response = c.get(f"{URL}{world.referral.pk}/", **bearer(token))
    assert response.status_code == 503
    assert b"court_file_number" not in response.content


def test_a_cache_answering_nonsense_refuses_with_503(c, world, token):
    with mock.patch.object(type(caches["redis"]), "incr", return_value=None):
        response = c.get(f"{URL}{world.referral.pk}/", **bearer(token))
    assert response.status_code == 503
