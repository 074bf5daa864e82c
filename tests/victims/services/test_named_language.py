"""The people an order names are written to in a language: the one the form gives, or else
the participant's (a French-speaking victim's plan and letters must not come out in English
because nobody chose)."""

import pytest

from tests.conftest import make_referral
from tests.victims.services.conftest import people_of

pytestmark = pytest.mark.django_db


def test_a_person_named_without_a_language_takes_the_participants(world):
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"language": "fr"},
        named_people=[
            {"relationship": "victim", "full_name": "Sophie Lachance"},
            {"relationship": "family", "full_name": "Ruth Cohen", "language": "en"},
        ],
    )
    assert [(v.full_name, v.language) for v in people_of(referral)] == [
        ("Sophie Lachance", "fr"),
        ("Ruth Cohen", "en"),
    ]
