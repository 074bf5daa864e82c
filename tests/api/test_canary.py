"""No field of the API's answers is about victims, intake notes, risk flags or fees: every
key of every answer, as the court's systems read them, and the schema's every property."""

import json

import pytest

from ipv.api.models import Scope
from tests.api.tokens import bearer

pytestmark = pytest.mark.django_db

# Words no key of the API may hold.
FORBIDDEN = (
    "victim",
    "partner",
    "named",
    "note",
    "risk",
    "flag",
    "fee",
    "payment",
    "amount",
    "income",
    "intake",
    "consent",
    "safety",
    "concern",
)


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_no_key_of_any_answer_is_about_the_confidential_store_notes_risk_or_fees(
    client, world, token
):
    answers = [
        client.get(url, **bearer(token)).json()
        for url in ("/api/v1/referrals/?limit=100", f"/api/v1/referrals/{world.referral.pk}/")
    ]
    keys = set(_keys(answers))
    assert {"modules_attended", "outcome", "documents", "court_file_number"} <= keys
    assert [key for key in keys if any(word in key.lower() for word in FORBIDDEN)] == []
    text = json.dumps(answers)
    # The first referral has a fee assessed and a payment of 100.00 (tests/conftest.py).
    assert "100.00" not in text and "45000" not in text


def test_the_schema_names_no_such_field_in_what_the_api_answers(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    answered = {
        name: part
        for name, part in schema["components"]["schemas"].items()
        if not name.endswith("Request") and name not in ("ParticipantIn", "OrderIn")
    }
    keys = set(_keys({name: part.get("properties", {}) for name, part in answered.items()}))
    assert "modules_attended" in keys
    properties = {key for part in answered.values() for key in part.get("properties", {})}
    assert [key for key in properties if any(word in key.lower() for word in FORBIDDEN)] == []
    assert Scope.READ_REFERRALS.value == "referrals:read"
