"""The admin's add and change forms, and its password forms, fuzzed as a platform administrator
(tests/fuzz/forms.py). Most case records are read-only there: their posts are refused whole."""

import pytest

from tests.core.routes import ROUTES
from tests.fuzz.forms import form_routes, fuzz_route

pytestmark = pytest.mark.django_db

ROUTES_FUZZED = form_routes(key for key in ROUTES if key.startswith("admin:"))


def test_the_admin_forms_are_found():
    keys = {key for key, _persona in ROUTES_FUZZED}
    assert {"admin:accounts_liaisonprofile_add", "admin:api_apitoken_add"} <= keys
    assert {"admin:password_change", "admin:directory_agency_change"} <= keys


def test_an_autocomplete_field_sent_a_word_is_refused_with_its_error(client, world):
    """Django's autocomplete widget looked the refused value up to show it again: a word where
    a number belongs was a server error."""
    client.force_login(world["admin"])
    for url, field in (
        ("/fr/admin/accounts/liaisonprofile/add/", "user"),
        ("/fr/admin/api/apitoken/add/", "officer"),
    ):
        response = client.post(url, {field: "abc"})
        assert response.status_code == 200
        assert b"errorlist" in response.content
    # The control: a real person's number is shown again, chosen.
    response = client.post("/fr/admin/accounts/liaisonprofile/add/", {"user": world["liaison"].pk})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("key", "persona"), ROUTES_FUZZED)
def test_a_form_answers_any_post_without_error_and_a_refusal_changes_nothing(world, key, persona):
    fuzz_route(world, key, persona)
