"""Every page behind the sign-in passes axe-core, in French and in English."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, totp_code


def sign_in(page, base, email, language="fr"):
    page.goto(f"{base}/{language}/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.locator("#id_code").fill(totp_code())
    page.locator("#id_code").press("Enter")
    expect(page.locator("#id_code")).to_have_count(0)


def _visit_all(page, base, paths, assert_accessible):
    for path in paths:
        response = page.goto(base + path)
        assert response.status in (200, 404), f"{path}: {response.status}"
        assert_accessible(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_managers_pages_pass_axe(page, live_server, world, assert_accessible, language):
    sign_in(page, live_server.url, "manager@riviere.test", language)
    slug, intake = world.agency.slug, world["intake"].pk
    paths = [
        f"/{language}/a/{slug}/",
        f"/{language}/a/{slug}/staff/",
        f"/{language}/a/{slug}/staff/?former=1",
        f"/{language}/a/{slug}/staff/{intake}/",
        f"/{language}/a/{slug}/settings/",
        f"/{language}/a/{slug}/audit/",
        f"/{language}/a/{slug}/audit/?since=nonsense",
        f"/{language}/a/{slug}/audit/?since=2026-11-20&until=2026-11-01",
        f"/{language}/a/{slug}/staff/{world['manager'].pk}/",
        f"/{language}/a/{slug}/documents/",
        f"/{language}/a/{slug}/documents/?waiting=1",
        f"/{language}/a/{slug}/transfers/?status=pending",
        f"/{language}/account/2fa/",
        f"/{language}/account/sessions/",
        f"/{language}/account/password/change/",
        f"/{language}/account/email/",
        f"/{language}/account/reauthenticate/",
    ]
    _visit_all(page, live_server.url, paths, assert_accessible)
    # The account menu opens and is usable from the keyboard.
    page.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".account-menu-items")).to_be_visible()
    assert_accessible(page)


def test_a_liaison_officers_and_a_refused_persons_pages_pass_axe(
    new_page, live_server, world, assert_accessible
):
    officer = new_page()
    sign_in(officer, live_server.url, "liaison@court.test", "en")
    expect(officer).to_have_url(f"{live_server.url}/en/court/")
    expect(officer.get_by_role("heading", name="Ottawa Courthouse")).to_be_visible()
    assert_accessible(officer)
    facilitator = new_page()
    sign_in(facilitator, live_server.url, "facilitator@riviere.test")
    response = facilitator.goto(f"{live_server.url}/fr/a/{world.agency.slug}/staff/")
    assert response.status == 403
    expect(facilitator.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    assert_accessible(facilitator)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_sign_in_pages_pass_axe(page, live_server, world, assert_accessible, language):
    base = live_server.url
    paths = [
        f"/{language}/account/login/",
        f"/{language}/account/password/reset/",
        f"/{language}/account/password/reset/done/",
        f"/{language}/account/signup/",
        f"/{language}/invitation/no-such-token/",
    ]
    _visit_all(page, base, paths, assert_accessible)
    page.goto(f"{base}/{language}/account/login/")
    page.locator("#id_login").fill("nobody@riviere.test")
    page.locator("#id_password").fill("wrong-password")
    page.locator("form button[type=submit]").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    assert_accessible(page)
