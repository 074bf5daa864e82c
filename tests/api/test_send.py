"""Sending a referral: the court portal's e-referral, once per Idempotency-Key, even when the
same request arrives twice at the same moment; errors field by field, in the caller's
language."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ipv.api.models import IdempotencyKey
from ipv.audit.models import AuditEvent
from ipv.pages.retention import retention_apply
from referrals.models import Referral
from referrals.services.referrals import e_referral_accept, referral_transition
from tests.api.tokens import bearer, issue
from tests.conftest import at_once

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def referral_body(world, **order):
    today = timezone.localdate()
    return {
        "participant": {
            "legal_name": "Marc-André Poirier",
            "date_of_birth": "1991-02-03",
            "language": "fr",
            "phone": "613-555-0142",
            "consent_sms": False,
        },
        "order": {
            "agency": world.agency.pk,
            "court": world.court.pk,
            "program": "ipv",
            "stream": "early_intervention",
            "source_order": "release_order",
            "court_file_number": "4811-998-26-07777",
            "charges": "Assault (s. 266)",
            "order_date": (today - timedelta(days=3)).isoformat(),
            "complete_by": (today + timedelta(days=120)).isoformat(),
            "source": "court",
            **order,
        },
    }


def send(client, token, body, key="key-1", language="en"):
    return client.post(
        URL,
        json.dumps(body),
        content_type="application/json",
        **bearer(token, **{"Idempotency-Key": key, "Accept-Language": language}),
    )


def _sent():
    return Referral.objects.filter(court_file_number="4811-998-26-07777")


def test_a_referral_sent_lands_in_the_agency_queue_as_an_e_referral(client, world, token):
    response = send(client, token, referral_body(world))
    assert response.status_code == 201, response.content
    referral = _sent().get()
    assert response.json()["id"] == referral.pk
    assert response.json()["status"] == "received"
    assert referral.via == Referral.Via.E_REFERRAL
    assert referral.submitted_by == world["liaison"]
    assert referral.agency == world.agency and not referral.is_accepted


def test_the_same_request_sent_again_gets_the_same_answer_and_one_referral(client, world, token):
    first = send(client, token, referral_body(world))
    again = send(client, token, referral_body(world))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _sent().count() == 1
    # The positive control: another key sends another referral.
    assert send(client, token, referral_body(world), key="key-2").status_code == 201
    assert _sent().count() == 2


def test_the_same_key_with_another_body_is_refused_with_409(client, world, token):
    assert send(client, token, referral_body(world)).status_code == 201
    changed = referral_body(world, charges="Mischief (s. 430)")
    response = send(client, token, changed)
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]
    assert _sent().count() == 1


def test_keys_are_each_tokens_own(client, world, token):
    other = issue(world["liaison"], [world.court])
    assert send(client, token, referral_body(world)).status_code == 201
    assert send(client, other, referral_body(world)).status_code == 201
    assert _sent().count() == 2


def test_two_identical_requests_at_the_same_moment_record_one_referral(
    transactional_db, world, token
):
    def call():
        return send(Client(), token, referral_body(world))

    first, second = at_once(call, call)
    assert {first.status_code, second.status_code} == {201}
    assert first.json() == second.json()
    # One recorded it, the other waited on the key and was given the same answer.
    assert sorted(r.get("Idempotent-Replayed", "") for r in (first, second)) == ["", "true"]
    assert _sent().count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_one_key_with_two_bodies_at_the_same_moment_records_one_and_refuses_the_other(
    transactional_db, world, token
):
    bodies = referral_body(world), referral_body(world, charges="Mischief (s. 430)")
    first, second = at_once(*(lambda body=body: send(Client(), token, body) for body in bodies))
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert _sent().count() == 1


def test_a_send_without_a_key_is_refused_and_records_nothing(client, world, token):
    response = client.post(
        URL, json.dumps(referral_body(world)), content_type="application/json", **bearer(token)
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not _sent().exists()


def test_errors_come_field_by_field_in_english_or_french(client, world, token):
    body = referral_body(world, complete_by="2020-01-01", program="nope")
    body["participant"]["date_of_birth"] = "2999-01-01"
    english = send(client, token, body, language="en")
    assert english.status_code == 400
    errors = english.json()
    assert set(errors) == {"participant", "order"}
    assert set(errors["participant"]) == {"date_of_birth"}
    assert {"program", "complete_by"} <= set(errors["order"])
    assert "A date of birth must be in the past." in errors["participant"]["date_of_birth"]
    assert english["Content-Language"] == "en"

    french = send(client, token, body, language="fr-CA,fr;q=0.9")
    assert french["Content-Language"] == "fr"
    assert (
        "La date de naissance doit être dans le passé."
        in (french.json()["participant"]["date_of_birth"])
    )
    assert not _sent().exists()
    # A refusal keeps no key: the corrected request goes through under the same one.
    assert send(client, token, referral_body(world)).status_code == 201


def test_a_court_or_an_agency_outside_the_token_is_an_error_of_that_field(client, world):
    token = issue(world["liaison"], [world.court])
    world["liaison"].liaison.courts.add(world.other_court)
    response = send(
        client,
        token,
        referral_body(world, court=world.other_court.pk, agency=world.other_agency.pk),
    )
    assert response.status_code == 400
    assert {"court", "agency"} <= set(response.json()["order"])
    assert not Referral.objects.filter(court=world.other_court, via="e_referral").exists()


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"participant": "x", "order": 3},
        {"participant": {"legal_name": ["a"]}, "order": {"court": {"id": 1}}},
        {"participant": {"legal_name": "A\x00B", "date_of_birth": "99999-01-01"}, "order": {}},
    ],
)
def test_a_malformed_body_is_refused_field_by_field_not_with_a_server_error(
    client, world, token, body
):
    response = send(client, token, body)
    assert response.status_code == 400, response.content
    assert not _sent().exists()


def test_a_request_sent_again_is_answered_in_its_own_language(client, world, token):
    first = send(client, token, referral_body(world), language="en")
    again = send(client, token, referral_body(world), language="fr")
    assert first.json()["court"]["name"] == world.court.name_en
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["court"]["name"] == world.court.name_fr


def test_retention_deletes_a_key_and_its_answer_with_the_persons_names(client, world, token):
    sent = send(client, token, referral_body(world))
    other = referral_body(world, court_file_number="4811-998-26-07778")
    other["participant"] |= {"legal_name": "Sophie Lavoie", "date_of_birth": "1988-06-07"}
    kept = send(client, token, other, key="k2")
    referral = Referral.objects.get(pk=sent.json()["id"])
    referral_transition(referral=referral, name="withdraw", by=world["intake"], reason="Moved")
    with time_machine.travel(timezone.now() + timedelta(days=26 * 366), tick=False):
        retention_apply()
    referral.participant.refresh_from_db()
    assert referral.participant.legal_name == ""
    assert not IdempotencyKey.objects.filter(referral=referral).exists()
    # The control: the key of a referral still open stays.
    assert IdempotencyKey.objects.filter(referral=kept.json()["id"]).exists()


def test_a_token_that_may_only_send_is_answered_again_as_it_was_first(client, world):
    send_only = issue(world["liaison"], [world.court], scopes=["referrals:send"])
    first = send(client, send_only, referral_body(world))
    assert first.status_code == 201
    referral = Referral.objects.get(pk=first.json()["id"])
    assert client.get(f"{URL}{referral.pk}/", **bearer(send_only)).status_code == 403
    e_referral_accept(referral=referral, by=world["intake"])
    referral_transition(referral=referral, name="withdraw", by=world["intake"], reason="Moved")
    again = send(client, send_only, referral_body(world))
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()  # not what became of it: it may not read referrals
    assert again.json()["status"] == "received"
    # The trail names the referral, sent and sent again.
    events = AuditEvent.objects.filter(action="api_called", details__method="POST")
    assert [event.target_id for event in events] == [str(referral.pk)] * 2
