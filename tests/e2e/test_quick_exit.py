"""Quick exit on the victims' support pages: it leaves for a neutral site in the page's
language, by mouse or keyboard, and Back never returns to the support pages."""

import re

import pytest
from playwright.sync_api import expect

from directory import demo

NEUTRAL = {
    "fr": "https://www.meteomedia.com/ca",
    "en": "https://www.theweathernetwork.com/ca",
}


@pytest.fixture
def directory(live_server):
    demo.load()
    return live_server


@pytest.fixture
def neutral_sites(page):
    """The weather sites answer from here: the machine running the tests may be offline."""
    page.route(
        re.compile(r"https://www\.(meteomedia|theweathernetwork)\.com/.*"),
        lambda route: route.fulfill(
            content_type="text/html", body="<html lang='en'><title>Weather</title></html>"
        ),
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_back_after_a_quick_exit_never_returns_to_the_support_pages(
    page, directory, neutral_sites, language
):
    page.goto(f"{directory.url}/{language}/")
    home = page.url
    page.goto(f"{directory.url}/{language}/directory/services/")
    # Two searches: each used to add a page of support services to the history.
    page.locator("select[name=kind]").select_option(index=1)
    expect(page).to_have_url(re.compile(r"kind="))
    page.locator("select[name=kind]").select_option(index=2)
    expect(page.get_by_role("status")).to_be_visible()

    page.locator("[data-quick-exit]").click()
    expect(page).to_have_url(NEUTRAL[language])

    page.go_back()
    expect(page).to_have_url(home)
    assert "/directory/services/" not in page.url


def test_a_quick_exit_from_the_keyboard(page, directory, neutral_sites):
    page.goto(f"{directory.url}/fr/directory/")
    page.goto(f"{directory.url}/fr/directory/services/")
    page.locator("[data-quick-exit]").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(NEUTRAL["fr"])
    page.go_back()
    expect(page).to_have_url(f"{directory.url}/fr/directory/")

    page.goto(f"{directory.url}/en/directory/services/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page).to_have_url(NEUTRAL["en"])


def test_the_support_pages_say_how_to_browse_privately(page, directory, assert_accessible):
    page.goto(f"{directory.url}/fr/directory/services/")
    note = page.get_by_role("note")
    expect(note).to_contain_text("fenêtre de navigation privée")
    expect(note).to_contain_text("Ctrl+Maj+N")
    assert_accessible(page)
    page.goto(f"{directory.url}/en/directory/services/")
    expect(page.get_by_role("note")).to_contain_text("private window")
