"""The forms outside an agency's pages (signing in, passwords, the second factor, sessions,
invitations, notification settings, the court's e-referral, stopping reminders) fuzzed as each
person they are for (tests/fuzz/forms.py)."""

import pytest

from tests.core.routes import ROUTES
from tests.fuzz.forms import FORM_PAGES, form_routes, fuzz_route

pytestmark = pytest.mark.django_db

ROUTES_FUZZED = form_routes(
    key for key in ROUTES if not key.startswith(("agency:", "admin:", "outreach:"))
)


def test_the_site_forms_are_found():
    keys = {key for key, _persona in ROUTES_FUZZED}
    assert {"account_login", "court:referral_new", "accounts:invitation"} <= keys
    assert {key for key in FORM_PAGES if not key.startswith("admin:")} <= keys


@pytest.mark.parametrize(("key", "persona"), ROUTES_FUZZED)
def test_a_form_answers_any_post_without_error_and_a_refusal_changes_nothing(world, key, persona):
    fuzz_route(world, key, persona)
