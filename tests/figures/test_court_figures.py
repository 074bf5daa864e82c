"""The court liaison officer's figures: the referrals of their courts across agencies, counted
by hand, small counts hidden, nothing of another court, no victim, outreach or fee figure."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipv.figures import selectors
from ipv.figures.catalogue import SECTIONS
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections import court as court_section
from referrals.models import Referral, Status
from tests.factories import AgencyFactory, CourtFactory
from tests.figures.making import many, referral, report

pytestmark = pytest.mark.django_db

# Q3 2026, compared with Q2 2026.
CURRENT = Period(date(2026, 7, 1), date(2026, 9, 30))
PREVIOUS = CURRENT.previous()
QUERY = "period=custom&start=2026-07-01&end=2026-09-30"


@pytest.fixture
def courts(world):
    """The Ottawa court's referrals at two agencies (River, Lakehead), and Thunder Bay's.

    Ottawa, received (transfers apart):
      Q3: River 5 early intervention + 1 coordinated prosecution = 6; Lakehead 2 "other" = 8.
          (River's transfer in, received in Q3, is not counted.)
      Q2: River 5 early intervention (completed in Q3); Lakehead 1 early intervention
          (completed in Q3) = 6.
    Ottawa, completed:
      Q3: River 5 (received 2026-04-01, completed after 100, 110, 120, 130, 140 days),
          Lakehead 1 (received 2026-06-01, completed 2026-08-31: 91 days) = 6.
          Days: 91 100 110 120 130 140 -> median 115, 90th percentile 135 (of 6).
      Q2: River 1 (received 2026-01-15, completed 2026-05-15: 120 days) = 1.
    Ottawa, discharged: Q3 River 2; Q2 none (River's one discharged in Q1 2026).
    Ottawa, non-compliance reports (first issues): Q3 2 (the two Q3 discharges; one corrected
      in Q3, not counted again); Q2 1 (the Q1 discharge's, corrected in Q3, not counted again).
      A progress report in Q3 is not counted.
    Thunder Bay (Lakehead): 7 received in Q3, one discharged in Q3 with its report.
    """
    river, lakehead, ottawa, thunder = (
        world.agency,
        world.other_agency,
        world.court,
        world.other_court,
    )
    many(5, river, ottawa, date(2026, 7, 6))
    referral(river, ottawa, date(2026, 8, 3), stream="coordinated_prosecution")
    many(2, lakehead, ottawa, date(2026, 9, 1), stream="other")
    referral(river, ottawa, date(2026, 8, 10), via=Referral.Via.TRANSFER)
    for days in (100, 110, 120, 130, 140):
        referral(
            river,
            ottawa,
            date(2026, 4, 1),
            status=Status.COMPLETED,
            changed_on=date.fromordinal(date(2026, 4, 1).toordinal() + days),
        )
    referral(
        lakehead,
        ottawa,
        date(2026, 6, 1),
        status=Status.COMPLETED,
        changed_on=date(2026, 8, 31),
    )
    referral(
        river, ottawa, date(2026, 1, 15), status=Status.COMPLETED, changed_on=date(2026, 5, 15)
    )
    first, second = many(
        2, river, ottawa, date(2026, 2, 10), status=Status.DISCHARGED, changed_on=date(2026, 8, 20)
    )
    earlier = referral(
        river, ottawa, date(2026, 1, 5), status=Status.DISCHARGED, changed_on=date(2026, 3, 20)
    )
    report(first, date(2026, 8, 21))
    corrected = report(second, date(2026, 8, 22))
    report(second, date(2026, 8, 29), replaces=corrected)
    old = report(earlier, date(2026, 5, 1))
    report(earlier, date(2026, 8, 1), replaces=old)
    report(first, date(2026, 8, 25), kind="progress")
    many(7, lakehead, thunder, date(2026, 7, 20), stream="other")
    elsewhere = referral(
        lakehead, thunder, date(2026, 2, 1), status=Status.DISCHARGED, changed_on=date(2026, 9, 2)
    )
    report(elsewhere, date(2026, 9, 3))
    return world


def _results(scope):
    """The section as computed, unhidden (in English)."""
    return {r.figure.key: r for r in court_section.compute(scope, CURRENT, PREVIOUS)}


def _rows(result):
    return [(row.label, row.current, row.previous) for row in result.rows]


def test_the_court_section_counts_the_officers_court_by_hand(courts, english):
    results = _results(Scope.of_courts([courts.court.pk]))
    received = results["court_received"]
    assert (received.current, received.previous) == (8, 6)
    assert _rows(received) == [("Lakehead Centre", 2, 1), ("River Services", 6, 5)]
    by_stream = results["court_received_by_stream"]
    assert (by_stream.current, by_stream.previous) == (8, 6)
    assert _rows(by_stream) == [
        ("Early Intervention", 5, 6),
        ("Coordinated Prosecution", 1, 0),
        ("Other", 2, 0),
    ]
    completed = results["court_completed"]
    assert (completed.current, completed.previous) == (6, 1)
    assert _rows(completed) == [("Lakehead Centre", 1, 0), ("River Services", 5, 1)]
    reports = results["court_non_compliance_reports"]
    assert (reports.current, reports.previous) == (2, 1)
    discharged = results["court_discharged"]
    assert (discharged.current, discharged.previous) == (2, 0)
    median = results["court_days_to_completion"]
    assert (median.current, median.previous, median.counted) == (115, 120, (6, 1))
    ninetieth = results["court_days_to_completion_90"]
    assert (ninetieth.current, ninetieth.previous, ninetieth.counted) == (135, 120, (6, 1))
    assert list(results) == [figure.key for figure in court_section.SECTION.figures]


@pytest.mark.parametrize(
    ("key", "now", "before"),
    [("court_received", 8, 6), ("court_completed", 6, 1), ("court_discharged", 2, 0)],
)
def test_the_referrals_behind_each_count_are_exactly_that_many(courts, key, now, before):
    scope = Scope.of_courts([courts.court.pk])
    figure = court_section.SECTION.figures[
        [f.key for f in court_section.SECTION.figures].index(key)
    ]
    assert selectors.cases(scope=scope, figure=figure, period=CURRENT).count() == now
    assert selectors.cases(scope=scope, figure=figure, period=PREVIOUS).count() == before


def test_the_officer_of_another_court_sees_none_of_these_referrals(courts, english):
    results = _results(Scope.of_courts([courts.other_court.pk]))
    assert (results["court_received"].current, results["court_received"].previous) == (7, 0)
    assert _rows(results["court_received"]) == [("Lakehead Centre", 7, 0)]
    assert results["court_completed"].current == 0
    assert results["court_discharged"].current == 1
    assert results["court_non_compliance_reports"].current == 1
    assert results["court_days_to_completion"].current is None


def test_read_beyond_one_agency_the_small_counts_read_less_than_five(courts, english):
    sections = selectors.dashboard(
        scope=Scope.of_courts([courts.court.pk]), period=CURRENT, audiences={"court"}
    )
    [(section, results)] = sections
    assert section.key == "court"
    found = {r.figure.key: r for r in results}
    # Lakehead's 2 and River's 6 (before: 1 and 5): River's hidden too, yet beside a total of 8,
    # "hidden" (five or more) leaves Lakehead 3 at most (before: exactly 1). The totals are
    # hidden as well.
    assert (found["court_received"].current, found["court_received"].previous) == (
        "hidden",
        "hidden",
    )
    assert _rows(found["court_received"]) == [
        ("Lakehead Centre", "< 5", "< 5"),
        ("River Services", "hidden", "hidden"),
    ]
    assert (found["court_discharged"].current, found["court_discharged"].previous) == ("< 5", 0)
    median = found["court_days_to_completion"]
    assert (median.current, median.previous) == (115, "< 5")


def _main(response):
    page = response.content.decode()
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_officer_reads_their_courts_figures_and_nothing_else(client, courts):
    client.force_login(courts["liaison"])
    response = client.get(f"/en/court/figures/?{QUERY}")
    assert response.status_code == 200
    main = _main(response)
    assert 'id="section-court"' in main
    assert "Referrals received" in main
    assert "Non-compliance reports issued to the court" in main
    assert "115 days" in main and "135 days" in main
    assert "&lt; 5" in main
    # Only the court's section: nothing of the cases', fees' or outreach's sections.
    for other in SECTIONS:
        if other.audience != "court":
            assert f'id="section-{other.key}"' not in main
    lowered = main.lower()
    for word in ("fee", "victim", "outreach", "payment"):
        assert word not in lowered, word
    # No names: neither the participants' nor the staff's; no links to any case.
    assert "Person Number" not in main and "Tremblay" not in main
    assert "/a/" not in main and "/figures/cases/" not in main


def test_the_other_officer_reads_only_thunder_bay(client, courts):
    client.force_login(courts["other_liaison"])
    main = _main(client.get(f"/en/court/figures/?{QUERY}"))
    assert "River Services" not in main
    assert "Lakehead Centre" in main
    client.force_login(courts["liaison"])
    assert "River Services" in _main(client.get(f"/en/court/figures/?{QUERY}"))


def test_the_court_portal_links_to_its_figures(client, world):
    client.force_login(world["liaison"])
    assert 'href="/en/court/figures/"' in client.get("/en/court/").content.decode()


@pytest.mark.parametrize("persona", ["manager", "partner_contact", "admin"])
def test_someone_signed_in_who_is_not_an_officer_is_refused(client, world, persona):
    client.force_login(world[persona])
    assert client.get("/en/court/figures/").status_code == 403


def test_someone_anonymous_is_sent_to_sign_in(client, world):
    response = client.get("/en/court/figures/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_reads_in_both_languages(client, courts, language):
    client.force_login(courts["liaison"])
    response = client.get(f"/{language}/court/figures/?{QUERY}")
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    assert 'id="section-court"' in _main(response)


def _add_agencies(world, n):
    """`n` more agencies serving the Ottawa court, each with referrals in both periods."""
    for i in range(n):
        agency = AgencyFactory(slug=f"more-{i}", name_en=f"More {i}", name_fr=f"Plus {i}")
        many(2, agency, world.court, date(2026, 7, 7))
        referral(
            agency,
            world.court,
            date(2026, 4, 7),
            status=Status.COMPLETED,
            changed_on=date(2026, 8, 1),
        )
        report(
            referral(
                agency,
                world.court,
                date(2026, 3, 1),
                status=Status.DISCHARGED,
                changed_on=date(2026, 8, 2),
            ),
            date(2026, 8, 3),
        )


def test_the_queries_do_not_grow_with_agencies_or_referrals(courts):
    scope = Scope.of_courts([courts.court.pk, CourtFactory(slug="empty").pk])
    with CaptureQueriesContext(connection) as few:
        court_section.compute(scope, CURRENT, PREVIOUS)
    _add_agencies(courts, 6)
    with CaptureQueriesContext(connection) as more:
        results = court_section.compute(scope, CURRENT, PREVIOUS)
    assert len(more) == len(few) <= 8
    assert len(results[0].rows) == 8
