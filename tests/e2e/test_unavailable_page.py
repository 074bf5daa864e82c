"""The page every request answers while the database is down (ipv.core.outage) passes axe, in
its two languages at once."""

from django.test import RequestFactory
from playwright.sync_api import expect

from ipv.core.outage import unavailable


def test_the_database_down_page_passes_axe(page, live_server, assert_accessible):
    page.goto(f"{live_server.url}/healthz")  # same origin, so the styles load
    page.set_content(unavailable(RequestFactory().get("/fr/")).content.decode())
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("section[lang=en] h2")).to_be_visible()
    assert_accessible(page)
