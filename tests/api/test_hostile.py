"""What a stranger or a careless client sends the API: bodies nested past the parser, too large,
tokens with a NUL byte, a hash guessed through the admin's filters, a key replayed after the
court was withdrawn, refusals sent again and again (behind the proxies, with Redis down), a cache
answering nonsense. None gets a 500,
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


def _refused_as_malformed_and_audited(c, token, body: str) -> None:
    before = _api_events()
    response = _send(c, token, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert _api_events() == before + 1


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"participant": ' + "[" * 50_000 + "]" * 50_000 + "}"],
    ids=["nested list", "nested inside the object"],
)
def test_a_body_nested_past_the_parser_is_refused_as_malformed_and_audited(c, world, token, body):
    _refused_as_malformed_and_audited(c, token, body)
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


def test_a_stranger_behind_the_proxies_does_not_shut_a_court_system_out(c, world, settings):
    # As deployed: every call reaches the site from the proxy in front, which says in
    # X-Forwarded-For who called (a load balancer, then nginx: two hops).
    settings.IPV_TRUSTED_PROXIES = 2
    settings.IPV_API_REFUSALS_PER_MINUTE = 3
    url = f"{URL}{world.referral.pk}/"
    court_system = issue(world["liaison"], [world.court])
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    stranger = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.66, 10.0.0.2"}
    court = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.10, 10.0.0.2"}
    with mock.patch("ipv.api.tokens.time.time", return_value=1_900_000_000.0):
        answers = [
            c.get(url, **stranger, HTTP_AUTHORIZATION=f"Bearer ipv_deadbeef_{i}").status_code
            for i in range(4)
        ]
        allowed = c.get(url, **court, **bearer(court_system))
        # Another caller behind the same proxy is counted on its own.
        mistaken = c.get(url, **court, HTTP_AUTHORIZATION="Bearer ipv_deadbeef_z")
    assert answers == [401, 401, 401, 429]
    assert allowed.status_code == 200
    assert mistaken.status_code == 401


def test_a_token_it_allows_is_not_held_back_by_refusals_from_its_own_address(c, world, settings):
    settings.IPV_API_REFUSALS_PER_MINUTE = 2
    url = f"{URL}{world.referral.pk}/"
    token = issue(world["liaison"], [world.court])
    with mock.patch("ipv.api.tokens.time.time", return_value=1_900_000_000.0):
        refused = [
            c.get(url, HTTP_AUTHORIZATION="Bearer ipv_deadbeef_x").status_code for _ in range(3)
        ]
        allowed = c.get(url, **bearer(token))
    assert refused == [401, 401, 429]
    assert allowed.status_code == 200


def test_with_redis_down_refusals_are_still_counted_and_held_back(c, world, settings, redis_down):
    settings.IPV_API_REFUSALS_PER_MINUTE = 3
    url = f"{URL}{world.referral.pk}/"
    before = AuditEvent.objects.filter(action="api_refused").count()
    with mock.patch("ipv.api.tokens.time.time", return_value=1_900_000_000.0):
        answers = [
            c.get(
                url, REMOTE_ADDR="203.0.113.66", HTTP_AUTHORIZATION=f"Bearer ipv_x_{i}"
            ).status_code
            for i in range(9)
        ]
    assert answers == [401, 401, 401] + [429] * 6
    assert AuditEvent.objects.filter(action="api_refused").count() - before == 3


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


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(
            {"participant": {"legal_name": "Marc\ud800"}, "order": {}}
        ),  # on the wire: "Marc\\ud800", plain ASCII
        '{"participant": {}, "order": {}, "\\udc80": 1}',
    ],
    ids=["in a value", "in a key"],
)
def test_text_that_is_not_unicode_is_refused_as_malformed_and_audited(c, world, token, raw):
    _refused_as_malformed_and_audited(c, token, raw)
    # The control: the same body in plain letters is read (and refused for what it lacks).
    plain = _send(c, token, raw.replace("\\ud800", "e").replace("\\udc80", "e"), key="k2")
    assert plain.status_code == 400 and "participant" in plain.json()


def test_a_document_not_found_answers_as_every_404_does_in_the_callers_language(c, world, token):
    url = f"{URL}{world.referral.pk}/reports/{world.report.pk + 1000}/"
    french = c.get(url, **bearer(token, **{"Accept-Language": "fr"}))
    english = c.get(url, **bearer(token, **{"Accept-Language": "en"}))
    assert french.status_code == english.status_code == 404
    assert english.json() == {"detail": "Not found."}
    assert french.json()["detail"] != english.json()["detail"]
    assert "CourtReport" not in french.content.decode()


def test_a_failure_of_the_site_is_in_the_trail(world, token):
    failing = mock.patch("ipv.api.views.selectors.with_court_view", side_effect=RuntimeError)
    with failing, pytest.raises(RuntimeError):
        Client().get(f"{URL}{world.referral.pk}/", **bearer(token))
    event = AuditEvent.objects.filter(action="api_refused").order_by("-pk").first()
    assert event.details["status"] == 500
    assert event.details["refusal"] == "server_error"


def test_what_the_caller_writes_where_a_proxy_should_is_not_taken_for_an_address(
    c, world, settings
):
    # Two proxies declared, one in front: the first entry is the caller's own writing.
    settings.IPV_TRUSTED_PROXIES = 2
    url = f"{URL}{world.referral.pk}/"
    forged = c.get(
        url,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="not-an-ip, 198.51.100.10",
        HTTP_AUTHORIZATION="Bearer ipv_deadbeef_x",
    )
    assert forged.status_code == 401
    assert AuditEvent.objects.order_by("-pk").first().ip == "10.0.0.2"
    # The control: an address there is the caller's.
    c.get(
        url,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.10",
        HTTP_AUTHORIZATION="Bearer ipv_deadbeef_x",
    )
    assert AuditEvent.objects.order_by("-pk").first().ip == "203.0.113.9"


def test_refusals_from_one_ipv6_subscriber_count_together(c, world, settings):
    settings.IPV_API_REFUSALS_PER_MINUTE = 3
    url = f"{URL}{world.referral.pk}/"
    with mock.patch("ipv.api.tokens.time.time", return_value=1_900_000_000.0):
        answers = [
            c.get(
                url, REMOTE_ADDR=f"2001:db8:1:2::{i:x}", HTTP_AUTHORIZATION="Bearer ipv_x"
            ).status_code
            for i in range(1, 6)
        ]
        # The control: the next /64 is another subscriber.
        other = c.get(url, REMOTE_ADDR="2001:db8:1:3::1", HTTP_AUTHORIZATION="Bearer ipv_x")
    assert answers == [401, 401, 401, 429, 429]
    assert other.status_code == 401
