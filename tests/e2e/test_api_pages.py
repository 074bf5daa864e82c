"""The API's own pages for people: its docs (Swagger UI from our static files) and the admin's
page that shows a new token once, both under the security policy and passing axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ipv.api.models import ApiToken
from tests.e2e.test_admin import refusals
from tests.e2e.test_signed_in_pages import sign_in


def test_the_api_docs_pass_axe_under_the_security_policy(page, live_server, assert_accessible):
    refused = refusals(page)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert response.status == 200
    page.wait_for_selector(".swagger-ui .opblock")
    assert refused == []
    assert_accessible(page)


def _submit(page, fields):
    """Post `fields` (name, value pairs) from the page, as its form would."""
    page.evaluate(
        """(fields) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = location.pathname;
            for (const [name, value] of fields) {
                const input = document.createElement("input");
                input.type = "hidden";
                input.name = name;
                input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        fields,
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_showing_a_new_token_once_passes_axe(
    page, live_server, world, assert_accessible, language
):
    sign_in(page, live_server.url, "admin@platform.test", language)
    page.goto(f"{live_server.url}/{language}/admin/api/apitoken/add/")
    csrf = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    expires = timezone.localtime() + timedelta(days=30)
    with page.expect_navigation():
        _submit(
            page,
            [
                ["csrfmiddlewaretoken", csrf],
                ["kind", ApiToken.Kind.values[0]],
                ["name", "Ottawa court system"],
                ["officer", str(world["liaison"].pk)],
                ["courts", str(world.court.pk)],
                ["scopes", "referrals:read"],
                ["expires_at_0", expires.date().isoformat()],
                ["expires_at_1", "12:00:00"],
            ],
        )
    assert re.search(r"ipv_[0-9a-f]{8}_\S{20,}", page.content()), page.content()[:2000]
    assert ApiToken.objects.count() == 1
    assert_accessible(page)
