"""The figures pages in a browser, in French and English: with JavaScript, every chart is drawn
under the CSP (a canvas before each chart's table, no policy violation, no console error) and
axe-core finds nothing; without JavaScript, the tables carry the same values and axe-core still
finds nothing; the period form is used from the keyboard."""

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.utils.translation import gettext_lazy
from playwright.sync_api import expect

from ipv.figures import snapshots
from ipv.figures.definitions import DAYS, SHARE, Figure, Result, Section
from ipv.figures.scope import SUPPRESSED, Scope
from tests.conftest import make_referral
from tests.e2e.test_signed_in_pages import sign_in


@dataclass(frozen=True)
class Page:
    """A figures page to check: who reads it, and its path after the language."""

    email: str
    path: str

    def url(self, base, language, world) -> str:
        return f"{base}/{language}" + self.path.format(slug=world.agency.slug)


# Adding a figures page to these tests is one line (the court's and the province's pages too).
PAGES = {
    "agency dashboard": Page("manager@riviere.test", "/a/{slug}/figures/"),
    "cases behind a figure": Page(
        "manager@riviere.test", "/a/{slug}/figures/cases/received/?period=last_12_months"
    ),
    "partner-contact worker's outreach half": Page(
        "partner_contact@riviere.test", "/a/{slug}/figures/"
    ),
    "court liaison's figures": Page("liaison@court.test", "/court/figures/"),
    "province's figures": Page("admin@platform.test", "/province/figures/"),
    "province's figures, a region opened": Page(
        "admin@platform.test", "/province/figures/?region=east"
    ),
}

# A stand-in section with one figure of each kind of chart, small counts and an unknown value
# among them, so every kind is drawn whatever sections are merged. It counts nothing.
LINE = Figure(
    "sample_line", gettext_lazy("Sample trend"), gettext_lazy("Sample."), unit=DAYS, chart="line"
)
BAR = Figure("sample_bar", gettext_lazy("Sample groups"), gettext_lazy("Sample."), chart="bar")
FUNNEL = Figure(
    "sample_funnel", gettext_lazy("Sample steps"), gettext_lazy("Sample."), chart="funnel"
)
SHARED = Figure(
    "sample_share", gettext_lazy("Sample share"), gettext_lazy("Sample."), unit=SHARE, chart="line"
)


def _samples(scope, current, previous):
    months = [(date(2026, month, 1), value) for month, value in ((9, 12.5), (10, None), (11, 3))]
    return [
        Result(LINE, 10.0, 12.0, months=months),
        Result(
            BAR,
            1240,
            1100,
            rows=[
                Result(BAR, 1200, 1000, label="Court"),
                Result(BAR, SUPPRESSED, 100, label="Defence"),
                Result(BAR, 40, 0, label="Crown"),
            ],
        ),
        Result(
            FUNNEL,
            30,
            20,
            rows=[
                Result(FUNNEL, 30, 20, label="Received"),
                Result(FUNNEL, 20, 15, label="Intake held"),
                Result(FUNNEL, 12, 9, label="Completed"),
            ],
        ),
        Result(SHARED, 0.5, 0.4, months=[(date(2026, 11, 1), 0.5)]),
    ]


SAMPLES = Section(
    "samples", gettext_lazy("Samples"), "cases", (LINE, BAR, FUNNEL, SHARED), _samples
)


@pytest.fixture
def figures(world, monkeypatch):
    """Referrals received this year from two sources, one accepted, and the stand-in section."""
    monkeypatch.setattr(snapshots, "SECTIONS", (*snapshots.SECTIONS, SAMPLES))
    people = [("Marc Lavoie", "court"), ("Paul Girard", "court"), ("Luc Roy", "probation")]
    for number, (name, source) in enumerate(people):
        make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": name, "date_of_birth": date(1980, 1, number + 1)},
            source=source,
            court_file_number=f"4811-998-26-0010{number}",
            received_on=date(2026, 11, number + 3),
        )
    return world


def _watch(page) -> list[str]:
    """What goes wrong in the page: console errors, uncaught errors, CSP violations."""
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " console.error('CSP: ' + e.violatedDirective + ' ' + e.blockedURI); });"
    )
    return problems


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_figures_pages_draw_their_charts_under_the_csp_and_pass_axe(
    page, live_server, figures, assert_accessible, language, name
):
    problems = _watch(page)
    sign_in(page, live_server.url, PAGES[name].email, language)
    page.goto(PAGES[name].url(live_server.url, language, figures))
    charts = page.locator("table[data-chart]")
    # Every chart's table has its canvas before it, named for a screen reader.
    expect(page.locator("canvas[role=img]")).to_have_count(charts.count())
    for canvas in page.locator("canvas[role=img]").all():
        assert canvas.get_attribute("aria-label")
        assert canvas.bounding_box()["height"] > 50
    assert_accessible(page)
    assert problems == []


def test_the_dashboard_draws_a_line_a_bar_chart_and_a_funnel(
    page, live_server, figures, assert_accessible
):
    problems = _watch(page)
    sign_in(page, live_server.url, "manager@riviere.test", "en")
    page.goto(PAGES["agency dashboard"].url(live_server.url, "en", figures))
    for kind in ("line", "bar", "funnel"):
        expect(page.locator(f".figure-chart-{kind} canvas")).not_to_have_count(0)
    trend = page.locator("table[data-chart=line]", has_text="Sample trend, by month")
    expect(trend.locator("caption")).to_have_text("Sample trend, by month")
    expect(trend.locator("tbody th")).to_have_text(["Sep 2026", "Oct 2026", "Nov 2026"])
    expect(trend.locator("tbody td")).to_have_text(["12.5 days", "—", "3 days"])
    expect(trend).to_contain_text("have no bar or point in the chart")
    groups = page.locator("table[data-chart=bar]", has_text="Sample groups")
    expect(groups.locator("td[data-value]")).to_have_text(["1,200", "< 5", "40"])
    assert [cell.get_attribute("data-value") for cell in groups.locator("td").all()[:3]] == [
        "1200",
        "",
        "40",
    ]
    # The referrals' own table is still there, with its columns.
    expect(page.locator("#figure-received th[scope=row]").first).to_contain_text(
        "Referrals received"
    )
    expect(page.locator("#figure-received td a").first).to_have_text(re.compile(r"^\s*[1-9]"))
    assert problems == []


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_figures_pages_read_the_same_without_javascript(
    new_page, live_server, figures, assert_accessible, language, name
):
    page = new_page(java_script_enabled=False)
    sign_in(page, live_server.url, PAGES[name].email, language)
    page.goto(PAGES[name].url(live_server.url, language, figures))
    expect(page.locator("main table").first).to_be_visible()
    expect(page.locator("canvas")).to_have_count(0)
    signed_in = page.context.storage_state()
    # axe-core itself is a script: it runs in a page whose own scripts are all refused (the
    # CSP allows no inline script, so this is the page as a reader without JavaScript has it).
    page = new_page(storage_state=signed_in)
    page.route(re.compile(r"\.js(\?|$)"), lambda route: route.abort())
    page.goto(PAGES[name].url(live_server.url, language, figures))
    expect(page.locator("main table").first).to_be_visible()
    expect(page.locator("canvas")).to_have_count(0)
    assert_accessible(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_period_is_chosen_from_the_keyboard(page, live_server, figures, language):
    sign_in(page, live_server.url, "manager@riviere.test", language)
    page.goto(PAGES["agency dashboard"].url(live_server.url, language, figures))
    choice = page.locator("#id_period")
    choice.focus()
    # The usual periods, in order: the last 12 months, this month, last month, this quarter,
    # last quarter, this year, last year.
    for _ in range(6):
        page.keyboard.press("ArrowDown")
    expect(choice).to_have_value("last_year")
    # From the choice, Tab moves through the two dates (their parts and calendar buttons)
    # to Show.
    show = page.locator("form:has(select[name=period]) button[type=submit]")
    for _ in range(12):
        page.keyboard.press("Tab")
        if show.evaluate("button => button === document.activeElement"):
            break
    expect(show).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"period=last_year"))
    expect(page.locator("#figure-received td").first).to_have_text("0")
    expect(page.locator("canvas[role=img]")).not_to_have_count(0)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_dashboard_read_from_the_workers_summary_says_as_of_when_and_passes_axe(
    page, live_server, figures, assert_accessible, language
):
    snapshots.refresh(Scope.agency(figures.agency))
    problems = _watch(page)
    sign_in(page, live_server.url, "manager@riviere.test", language)
    page.goto(f"{live_server.url}/{language}/a/{figures.agency.slug}/figures/")
    expect(page.locator("#figures-as-of")).to_be_visible()
    expect(page.locator("canvas[role=img]")).to_have_count(
        page.locator("table[data-chart]").count()
    )
    assert_accessible(page)
    assert problems == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_figures_counted_by_the_worker_show_once_counted(
    page, live_server, figures, assert_accessible, settings, language
):
    """A dashboard too large to count while the person waits says so, passes axe, asks again
    every few seconds, and shows the figures when the worker (eager here) has counted them."""
    settings.FIGURES_COUNT_IN_REQUEST_REFERRALS = 0
    problems = _watch(page)
    sign_in(page, live_server.url, "manager@riviere.test", language)
    page.goto(
        PAGES["agency dashboard"].url(live_server.url, language, figures)
        + "?period=custom&start=2026-07-02&end=2026-09-30"
    )
    expect(page.locator("#figures-counting[role=status]")).to_be_visible()
    expect(page.locator("#section-flow")).to_have_count(0)
    assert_accessible(page)
    expect(page.locator("#section-flow")).to_be_visible(timeout=15_000)
    expect(page.locator("#figures-counting")).to_have_count(0)
    expect(page.locator("#figures-as-of")).to_be_visible()
    assert problems == []
