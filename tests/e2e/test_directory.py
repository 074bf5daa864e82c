import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from playwright.sync_api import expect

from directory import demo
from ipv.core import views


@pytest.fixture
def directory(live_server):
    demo.load()
    return live_server


def test_a_person_searches_the_directory_in_french_then_in_english(
    page, directory, assert_accessible
):
    page.goto(f"{directory.url}/fr/directory/")
    assert_accessible(page)

    page.get_by_label("Mots-clés").fill("riviere")
    page.get_by_role("button", name="Rechercher").click()
    result = page.get_by_role("link", name="Services familiaux Rivière-des-Outaouais")
    expect(result).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("1 résultat")
    assert_accessible(page)

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Services familiaux Rivière-des-Outaouais"
    )
    expect(page.get_by_text("Palais de justice d'Ottawa")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{directory.url}/en/directory/agencies/riviere-des-outaouais/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ottawa River Family Services")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a program").click()
    page.get_by_label("Region").select_option(label="Northwest")
    expect(
        page.get_by_role("link", name="Lakehead Indigenous Family Healing Centre")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Ottawa River Family Services")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"region=northwest"))
    assert_accessible(page)


def test_support_services_filter_by_type_in_english(page, directory, assert_accessible):
    page.goto(f"{directory.url}/en/directory/services/")
    page.get_by_label("Type of service").select_option(label="Shelter")
    expect(page.get_by_role("status")).to_contain_text("2 results")
    expect(page.get_by_role("heading", name="Amik House")).to_be_visible()
    assert_accessible(page)


def test_the_search_works_without_javascript(new_page, directory):
    page = new_page(java_script_enabled=False)
    page.goto(f"{directory.url}/en/directory/")
    page.get_by_label("Language of service").select_option(label="Ojibwe (Anishinaabemowin)")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"language=oj"))
    expect(
        page.get_by_role("link", name="Lakehead Indigenous Family Healing Centre")
    ).to_be_visible()


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page, directory):
    page.goto(f"{directory.url}/en/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


PUBLIC_PAGES = [
    "/{lang}/",
    "/{lang}/directory/",
    "/{lang}/directory/?region=atlantis&language=xx&q=" + "x" * 300,
    "/{lang}/directory/?page=2&q=a",
    "/{lang}/directory/agencies/lakehead-healing/",
    "/{lang}/directory/services/",
    "/{lang}/directory/services/?kind=spa&open_24h=on",
    "/{lang}/no-such-page/",
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_public_page_passes_axe(page, directory, assert_accessible, language):
    for path in PUBLIC_PAGES:
        page.goto(directory.url + path.format(lang=language))
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_error_pages_pass_axe(page, directory, assert_accessible, language):
    request = RequestFactory().get(f"/{language}/")
    page.goto(f"{directory.url}/{language}/")  # same origin, so the styles load
    with translation.override(language):
        for view in (views.bad_request, views.permission_denied, views.server_error):
            page.set_content(view(request).content.decode())
            expect(page.locator("h1")).to_be_visible()
            assert_accessible(page)
