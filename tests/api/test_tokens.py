"""Tokens: shown once, kept hashed, refused when unknown, expired or revoked (401), without
the scope (403), for another court's referral (404); every call audited, refusals included."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ipv.api.models import ApiToken
from ipv.audit.models import AuditEvent
from tests.api.tokens import bearer, issue

pytestmark = pytest.mark.django_db


def _referral_url(world, referral=None):
    return f"/api/v1/referrals/{(referral or world.referral).pk}/"


def _last_call():
    return AuditEvent.objects.filter(action__startswith="api_").order_by("-pk").first()


def test_a_token_is_kept_as_its_hash_with_a_prefix_to_recognise_it(world, token):
    stored = ApiToken.objects.get()
    assert token.startswith(f"ipv_{stored.prefix}_")
    assert len(token) > 50
    assert stored.secret_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.values().get())


def test_a_live_token_reads_a_referral_of_its_court_and_the_call_is_audited(client, world, token):
    response = client.get(_referral_url(world), **bearer(token))
    assert response.status_code == 200
    assert response.json()["court_file_number"] == world.referral.court_file_number
    event = _last_call()
    assert event.action == AuditEvent.Action.API_CALLED
    assert event.actor == world["liaison"]
    assert event.agency == world.agency
    assert event.target_id == str(world.referral.pk)
    assert event.details == {"token": token.split("_")[1], "method": "GET", "status": 200}


@pytest.mark.parametrize(
    "case", ["expired", "revoked", "unknown", "tampered", "not bearer", "two words"]
)
def test_a_token_that_is_not_live_is_refused_with_401_and_audited(client, world, token, case):
    raw = {
        "expired": lambda: issue(world["liaison"], [world.court], expired=True),
        "revoked": lambda: issue(world["liaison"], [world.court], revoked=True),
        "unknown": lambda: "ipv_deadbeef_" + "a" * 43,
        "tampered": lambda: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    }
    if case == "not bearer":
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    elif case == "two words":
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token} extra"}
    else:
        headers = bearer(raw[case]())
    response = client.get(_referral_url(world), **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "court_file_number" not in response.content.decode()
    event = _last_call()
    assert event.action == AuditEvent.Action.API_REFUSED
    assert event.details["status"] == 401
    if case in ("expired", "revoked"):
        assert event.details["refusal"] == case
        assert event.actor == world["liaison"]


def test_a_token_without_the_scope_is_refused_with_403_and_audited(client, world):
    reader = issue(world["liaison"], [world.court], scopes=["documents:read"])
    response = client.get(_referral_url(world), **bearer(reader))
    assert response.status_code == 403
    assert _last_call().details["refusal"] == "scope:referrals:read"
    # The positive control: the scope it has opens the documents.
    certificate = f"{_referral_url(world)}certificate/"
    assert client.get(certificate, **bearer(reader)).status_code == 200
    assert (
        client.get(
            certificate, **bearer(issue(world["liaison"], [world.court], scopes=["referrals:read"]))
        ).status_code
        == 403
    )


def test_another_courts_referral_answers_404_and_is_audited(client, world, token):
    for url in (
        _referral_url(world, world.other_referral),
        f"{_referral_url(world, world.other_referral)}certificate/",
        f"/api/v1/referrals/{world.referral.pk}/reports/{world.report.pk + 1000}/",
    ):
        response = client.get(url, **bearer(token))
        assert response.status_code == 404, url
        assert _last_call().details["status"] == 404
    listed = client.get("/api/v1/referrals/", **bearer(token)).json()["results"]
    assert world.other_referral.pk not in [row["id"] for row in listed]
    assert world.referral.pk in [row["id"] for row in listed]


def test_a_token_reaches_only_the_courts_still_its_officers(client, world, token):
    assert client.get(_referral_url(world), **bearer(token)).status_code == 200
    world["liaison"].liaison.courts.clear()
    assert client.get(_referral_url(world), **bearer(token)).status_code == 404
    assert client.get("/api/v1/referrals/", **bearer(token)).json()["results"] == []


def test_a_deactivated_officers_token_is_refused(client, world, token):
    world["liaison"].is_active = False
    world["liaison"].save()
    assert client.get(_referral_url(world), **bearer(token)).status_code == 401
    assert _last_call().details["refusal"] == "officer"


def test_the_database_keeps_a_tokens_expiry_within_a_year(world, token):
    stored = ApiToken.objects.get()
    for expires in (
        stored.created_at - timedelta(minutes=1),
        stored.created_at + timedelta(days=400),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ApiToken.objects.filter(pk=stored.pk).update(expires_at=expires)


def test_a_session_opens_nothing_of_the_api(client, world):
    client.force_login(world["liaison"])
    assert client.get(_referral_url(world)).status_code == 401
    assert client.get("/api/v1/referrals/").status_code == 401


def test_the_admin_issues_a_token_shown_once_and_revokes_it(client, world):
    client.force_login(world["admin"])
    expires = (timezone.localtime() + timedelta(days=90)).replace(microsecond=0)
    form = {
        "kind": "court_system",
        "name": "ICON Ottawa",
        "officer": world["liaison"].pk,
        "courts": [world.court.pk],
        "scopes": ["referrals:read", "documents:read"],
        "expires_at_0": expires.strftime("%Y-%m-%d"),
        "expires_at_1": expires.strftime("%H:%M:%S"),
    }
    response = client.post("/en/admin/api/apitoken/add/", form)
    assert response.status_code == 200, response.content.decode()[:3000]
    stored = ApiToken.objects.get()
    page = response.content.decode()
    raw = page.split('id="api-token"')[1].split('value="')[1].split('"')[0]
    assert raw.startswith(f"ipv_{stored.prefix}_")
    assert stored.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in client.get(f"/en/admin/api/apitoken/{stored.pk}/change/").content.decode()
    client.logout()
    assert client.get(_referral_url(world), **bearer(raw)).status_code == 200

    client.force_login(world["admin"])
    client.post(
        "/en/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [stored.pk]},
    )
    stored.refresh_from_db()
    assert stored.revoked_at is not None and stored.revoked_by == world["admin"]
    # The token's history: made, then revoked; its courts as links; never its hash.
    events = ApiToken.pgh_event_model.objects.filter(pgh_obj_id=stored.pk)
    assert [event.pgh_label for event in events.order_by("pgh_id")] == ["insert", "update"]
    assert "secret_hash" not in {field.name for field in ApiToken.pgh_event_model._meta.fields}
    client.logout()
    assert client.get(_referral_url(world), **bearer(raw)).status_code == 401


def test_the_admin_refuses_a_token_for_a_court_not_the_officers_or_too_long(client, world):
    client.force_login(world["admin"])
    expires = timezone.localtime() + timedelta(days=400)
    response = client.post(
        "/en/admin/api/apitoken/add/",
        {
            "kind": "liaison",
            "name": "Too much",
            "officer": world["liaison"].pk,
            "courts": [world.other_court.pk],
            "scopes": ["referrals:read"],
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"courts", "expires_at"}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-CA,en;q=0.9", "Authentication credentials were not provided."),
        ("fr-CA,fr;q=0.9,en;q=0.5", "Informations d'authentification non fournies."),
        ("", "Informations d'authentification non fournies."),
    ],
)
def test_a_refusal_is_worded_in_the_callers_language(client, world, language, expected):
    response = client.get(_referral_url(world), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 401
    assert response.json() == {"detail": expected}
    assert response["Content-Language"] == ("en" if language.startswith("en") else "fr")


def test_no_log_line_holds_a_token(client, world, token, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    client.get(_referral_url(world), **bearer(token))
    client.get(_referral_url(world), **bearer(token[:-1]))
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert "/api/v1/referrals/" in logs, "nothing was logged: the check would prove nothing"
    secret = token.split("_", 2)[2]
    assert secret not in logs and secret[:-1] not in logs
