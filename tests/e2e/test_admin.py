"""The Django admin works under the site's security policy and passes axe like every other
page: every changelist, add form and change form, signed in as the platform administrator with
a second factor."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from tests.e2e.test_signed_in_pages import sign_in


def admin_paths(language):
    """Each registered model's changelist, add form and the change form of its first row."""
    paths = []
    with translation.override(language):
        paths.append(reverse("admin:index"))
        for model in admin.site._registry:
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            paths.append(reverse(f"{name}_changelist"))
            paths.append(reverse(f"{name}_add"))
            first = model._default_manager.order_by("pk").first()
            if first is not None:
                paths.append(reverse(f"{name}_change", args=[first.pk]))
    return paths


def refusals(page) -> list:
    """What the page's security policy refused, as the browser reports it."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return refused


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_admin_page_passes_axe_under_the_security_policy(
    page, live_server, world, assert_accessible, language
):
    refused = refusals(page)
    sign_in(page, live_server.url, "admin@platform.test", language)
    for path in admin_paths(language):
        response = page.goto(live_server.url + path)
        # Case records are read-only: their add form answers 403, and that page passes too.
        assert response.status in (200, 403), f"{path}: {response.status}"
        assert refused == []
        assert_accessible(page)
        # axe's own probes may style elements inline: only the admin's are counted.
        refused.clear()


def test_the_two_list_selector_works_under_the_security_policy(
    page, live_server, world, assert_accessible
):
    refused = refusals(page)
    sign_in(page, live_server.url, "admin@platform.test", "en")
    page.goto(f"{live_server.url}/en/admin/directory/agency/{world.agency.pk}/change/")
    chosen = page.locator("#id_courts_to option")
    before = chosen.count()
    page.locator("#id_courts_from option").first.dblclick()
    assert chosen.count() == before + 1
    page.locator("#id_courts_input").fill("zzz")
    assert page.locator("#id_courts_from option").count() == 0
    assert refused == []
    assert_accessible(page)
