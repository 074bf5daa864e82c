"""A dashboard too large to count while the person waits (more referrals in its scope than
FIGURES_COUNT_IN_REQUEST_REFERRALS), for a period with no fresh summary: the page answers at
once that the figures are being counted, the worker counts them (once, however often the page
asks), and the page shows them when they are there; or counts them on the spot when asked."""

from datetime import date
from unittest import mock

import pytest

from ipv.figures import snapshots, tasks
from ipv.figures.models import Snapshot
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from tests.figures.making import many

pytestmark = pytest.mark.django_db

WAITING = "These figures are being counted for this period."
POLL = {"HX-Request": "true", "HX-Trigger": "figures-counting"}
# A period of one's own choosing: never summarised by the worker on its own.
CHOSEN = Period(date(2026, 7, 2), date(2026, 9, 30))
QUERY = "period=custom&start=2026-07-02&end=2026-09-30"


@pytest.fixture
def files(world):
    """River: 4 referrals received in the period, at Ottawa; Lakehead: 6, at Thunder Bay."""
    many(4, world.agency, world.court, date(2026, 7, 6))
    many(6, world.other_agency, world.other_court, date(2026, 8, 3))
    return world


@pytest.fixture
def large(settings):
    """Every scope of the tests counts as too large to count in the request."""
    settings.FIGURES_COUNT_IN_REQUEST_REFERRALS = 3


def _pages(world):
    return {
        "agency": (world["manager"], f"/en/a/{world.agency.slug}/figures/", "section-flow"),
        "courts": (world["liaison"], "/en/court/figures/", "section-court"),
        "province": (world["admin"], "/en/province/figures/", "section-flow"),
    }


def _scope(world, kind):
    return {
        "agency": Scope.agency(world.agency),
        "courts": Scope.of_courts([world.court.pk]),
        "province": Scope.province(),
    }[kind]


@pytest.mark.parametrize("kind", ["agency", "courts", "province"])
def test_the_page_waits_for_the_worker_then_shows_the_figures(
    client, files, large, kind, django_capture_on_commit_callbacks
):
    person, base, section = _pages(files)[kind]
    url = f"{base}?{QUERY}"
    client.force_login(person)
    with mock.patch.object(tasks.count_period, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            waiting = client.get(url)
        assert waiting.status_code == 200
        html = waiting.content.decode()
        assert WAITING in html and f'id="{section}"' not in html
        assert 'id="rollup"' not in html
        assert 'hx-trigger="every 3s"' in html and "now=1" in html
        scope = _scope(files, kind)
        delay.assert_called_once_with(scope.key, "2026-07-02", "2026-09-30")
        # The page asks again while it waits: nothing yet, and the worker is not asked twice.
        with django_capture_on_commit_callbacks(execute=True):
            asked = client.get(url, headers=POLL)
        assert asked.status_code == 204 and asked.content == b""
        delay.assert_called_once()

    assert tasks.count_period(scope.key, "2026-07-02", "2026-09-30") == len(
        snapshots.sections_of(scope)
    ) + (1 if kind == "province" else 0)
    ready = client.get(url, headers=POLL)
    assert ready.status_code == 200 and ready["HX-Refresh"] == "true"
    shown = client.get(url).content.decode()
    assert WAITING not in shown and f'id="{section}"' in shown
    assert "Figures as of" in shown
    if kind == "province":
        assert 'id="rollup"' in shown


def test_what_the_worker_counted_is_what_the_page_would_count(files, large):
    scope = Scope.agency(files.agency)
    tasks.count_period(scope.key, "2026-07-02", "2026-09-30")
    stored = snapshots.read(scope, CHOSEN, CHOSEN.previous())
    for section in snapshots.sections_of(scope):
        live = section.compute(scope, CHOSEN, CHOSEN.previous())
        assert snapshots.encode(stored[section.key][1]) == snapshots.encode(live), section.key
    # Outreach's counts are stored as the agency's confidential rows, as the summaries are.
    outreach = Snapshot.objects.filter(section="outreach")
    assert outreach.exists() is False or all(row.confidential for row in outreach)


def test_counted_now_when_asked_and_counted_on_the_spot_when_small(client, files, large, settings):
    client.force_login(files["manager"])
    url = f"/en/a/{files.agency.slug}/figures/?{QUERY}"
    with mock.patch.object(tasks.count_period, "delay") as delay:
        now = client.get(f"{url}&now=1").content.decode()
        assert WAITING not in now and 'id="section-flow"' in now
        settings.FIGURES_COUNT_IN_REQUEST_REFERRALS = 20_000
        small = client.get(url).content.decode()
        assert WAITING not in small and 'id="section-flow"' in small
        delay.assert_not_called()


def test_with_the_broker_down_the_page_still_answers_and_offers_to_count_now(
    client, files, large, django_capture_on_commit_callbacks
):
    client.force_login(files["manager"])
    url = f"/en/a/{files.agency.slug}/figures/?{QUERY}"
    with (
        mock.patch.object(tasks.count_period, "delay", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and WAITING in html
    assert f'href="?{QUERY.replace("&", "&amp;")}&amp;now=1"' in html


def test_the_waiting_page_in_french(client, files, large):
    client.force_login(files["manager"])
    with mock.patch.object(tasks.count_period, "delay"):
        html = client.get(f"/fr/a/{files.agency.slug}/figures/?{QUERY}").content.decode()
    assert "Ces statistiques sont en cours de calcul pour cette période." in html
    assert WAITING not in html


def test_another_agency_neither_waits_for_nor_reads_what_was_counted(client, files, large):
    """The snapshot counted for River is River's: Lakehead's manager asking for the same
    period waits for Lakehead's own."""
    river = Scope.agency(files.agency)
    tasks.count_period(river.key, "2026-07-02", "2026-09-30")
    client.force_login(files["other_manager"])
    with mock.patch.object(tasks.count_period, "delay") as delay:
        html = client.get(f"/en/a/{files.other_agency.slug}/figures/?{QUERY}")
    assert WAITING in html.content.decode()
    delay.assert_not_called()  # on commit, which the test client's transaction never reaches


def test_a_counted_summary_that_cannot_be_read_is_counted_on_the_spot_not_waited_for(
    client, files, large
):
    scope = Scope.agency(files.agency)
    tasks.count_period(scope.key, "2026-07-02", "2026-09-30")
    Snapshot.objects.filter(scope=scope.key, section="flow").update(results=[{"figure": "gone"}])
    client.force_login(files["manager"])
    with mock.patch.object(tasks.count_period, "delay") as delay:
        html = client.get(f"/en/a/{files.agency.slug}/figures/?{QUERY}").content.decode()
    assert WAITING not in html and 'id="section-flow"' in html
    delay.assert_not_called()


def test_a_quarterly_report_is_counted_for_its_download_however_large(client, files, large):
    import csv
    import io

    client.force_login(files["manager"])
    with mock.patch.object(tasks.count_period, "delay") as delay:
        response = client.get(
            f"/en/a/{files.agency.slug}/figures/report/?quarter=2026-3&format=csv&language=en"
        )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response.status_code == 200 and len(lines) > 10
    assert ["Referrals", "Referrals received", "4", "0"] in [line[:4] for line in lines]
    delay.assert_not_called()


def test_the_report_page_shown_again_waits_as_the_dashboard_does(client, files, large):
    """The report's page without a quarter (or a refused one) shows the dashboard: it waits for
    its figures the same way, and offers to count them now."""
    client.force_login(files["manager"])
    url = f"/en/a/{files.agency.slug}/figures/report/"
    with mock.patch.object(tasks.count_period, "delay"):
        html = client.get(url).content.decode()
        assert WAITING in html and 'href="?now=1"' in html
        assert client.get(url, headers=POLL).status_code == 204
        now = client.get(f"{url}?now=1").content.decode()
    assert WAITING not in now and 'id="section-flow"' in now
