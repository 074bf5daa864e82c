"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import require_system_tool

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves (creating data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Without these, Chromium phones home at start, and this machine's closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
_axe = Axe()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_system_tool("chromium", package="chromium")
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Bootstrap drops its colour transitions under reduced motion: axe then measures contrast
    # on settled colours, never halfway through a button's focus or hover transition.
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture
def new_page(browser, browser_context_args):
    """A page in a fresh context of its own (another person's browser), set up like `page`."""

    def make(**options):
        return browser.new_context(**{**browser_context_args, **options}).new_page()

    return make


@pytest.fixture
def assert_accessible():
    """Run axe-core on the page as it stands: no WCAG 2.1 A or AA violation."""

    def check(page):
        # A page still loading has no document for axe to read: the test waits for what it
        # expects to see; this waits for the rest of the page to arrive.
        page.wait_for_load_state()
        results = _axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check
