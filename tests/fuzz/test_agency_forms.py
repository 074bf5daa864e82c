"""The agency's forms (staff, settings, referrals, intake, groups, attendance, documents, fees)
fuzzed as each role they are for (tests/fuzz/forms.py)."""

import pytest

from tests.core.routes import ROUTES
from tests.fuzz.forms import form_routes, fuzz_route

pytestmark = pytest.mark.django_db

ROUTES_FUZZED = form_routes(
    key for key in ROUTES if key.startswith("agency:") and not key.startswith("agency:outreach")
)


def test_the_agency_forms_are_found():
    keys = {key for key, _persona in ROUTES_FUZZED}
    assert {"agency:referral_new", "agency:fee_payment", "agency:session_roster"} <= keys
    assert ("agency:fee_payment", "intake") in ROUTES_FUZZED


@pytest.mark.parametrize(("key", "persona"), ROUTES_FUZZED)
def test_a_form_answers_any_post_without_error_and_a_refusal_changes_nothing(world, key, persona):
    fuzz_route(world, key, persona)
