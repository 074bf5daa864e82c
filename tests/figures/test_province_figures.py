"""The province's figures: every agency's, for platform administrators, and one figure rolled
up by region then agency with small counts hidden (and the count that would give one away)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ipv.figures import rollup
from ipv.figures.periods import Period
from ipv.figures.sections.court import COURT_COMPLETED
from ipv.figures.sections.flow import RECEIVED
from ipv.figures.views_wide import rollup_figures
from referrals.models import Referral, Status
from tests.factories import AgencyFactory, RegionFactory
from tests.figures.making import many, referral

pytestmark = pytest.mark.django_db

CURRENT = Period(date(2026, 7, 1), date(2026, 9, 30))
PREVIOUS = CURRENT.previous()
QUERY = "period=custom&start=2026-07-01&end=2026-09-30"
Q3, Q2 = date(2026, 8, 3), date(2026, 5, 4)


@pytest.fixture
def province(world):
    """Referrals received, by region (East before Northwest: same position, by code):

    East      River 12 now / 3 before, Alpha 3 / 6, Beta 7 / 0 (and a transfer in, not counted)
      now:    Alpha's 3 "< 5"; alone, so the next smallest above zero, Beta's 7, "hidden".
              Total 22.
      before: River's 3 "< 5"; alone, so Alpha's 6 "hidden" (Beta's zero tells nothing).
              Total 9.
    Northwest Lakehead 5 / 2, Gamma 0 / 2
      now:    nothing hidden. Total 5.
      before: two "< 5" (2 and 2): no second one needed. Total 4, "< 5".
    Regions, before: Northwest's total alone is hidden, and the province's (13) is on the page:
      East's 9 is "hidden" too (its agencies already hide two counts: nothing more).
    River also completes 2 programs in Q3 (received in Q1).
    """
    east, northwest = world.agency.region, world.other_agency.region
    alpha = AgencyFactory(slug="alpha", name_en="Alpha House", name_fr="Maison Alpha", region=east)
    beta = AgencyFactory(slug="beta", name_en="Beta Place", name_fr="Place Beta", region=east)
    gamma = AgencyFactory(
        slug="gamma", name_en="Gamma Lodge", name_fr="Pavillon Gamma", region=northwest
    )
    court, other = world.court, world.other_court
    for agency, where, now, before in (
        (world.agency, court, 12, 3),
        (alpha, court, 3, 6),
        (beta, court, 7, 0),
        (world.other_agency, other, 5, 2),
        (gamma, other, 0, 2),
    ):
        many(now, agency, where, Q3)
        many(before, agency, where, Q2)
    referral(beta, court, Q3, via=Referral.Via.TRANSFER)
    many(2, world.agency, court, date(2026, 2, 2), status=Status.COMPLETED, changed_on=Q3)
    return world


def _table(regions):
    return [
        (
            (region.total.label, region.total.current, region.total.previous),
            [(a.label, a.current, a.previous) for a in region.agencies],
        )
        for region in regions
    ]


def test_the_roll_up_counts_each_agency_by_region_and_hides_what_would_point_at_someone(
    province, english
):
    assert _table(rollup.by_region(RECEIVED, CURRENT, PREVIOUS)) == [
        (
            ("East", 22, "hidden"),
            [
                ("Alpha House", "< 5", "hidden"),
                ("Beta Place", "hidden", 0),
                ("River Services", 12, "< 5"),
            ],
        ),
        (
            ("Northwest", 5, "< 5"),
            [("Gamma Lodge", 0, "< 5"), ("Lakehead Centre", 5, "< 5")],
        ),
    ]


def test_a_region_hidden_alone_hides_the_next_and_one_of_its_agencies(world, english):
    """East: River 20, Alpha 9 (total 29); Northwest: Lakehead 3 (total 3, "< 5").
    The province's total (32) minus East's would give Northwest's: East's total is hidden, and
    so are its agencies' counts, else they would give it back, or tell how much it is at least
    (River's 20 shown beside a hidden Alpha: 25 or more, and Northwest 7 at most)."""
    alpha = AgencyFactory(
        slug="alpha", name_en="Alpha House", name_fr="Maison Alpha", region=world.agency.region
    )
    many(20, world.agency, world.court, Q3)
    many(9, alpha, world.court, Q3)
    many(3, world.other_agency, world.other_court, Q3)
    assert _table(rollup.by_region(RECEIVED, CURRENT, PREVIOUS)) == [
        (
            ("East", "hidden", 0),
            [("Alpha House", "hidden", 0), ("River Services", "hidden", 0)],
        ),
        (("Northwest", "< 5", 0), [("Lakehead Centre", "< 5", 0)]),
    ]


def _hidden_in_each_language(region_slug):
    """For each language, the ids of the agencies of the region whose count this period is
    not shown, and whether the region's total is."""
    hidden = {}
    for language in ("en", "fr"):
        with translation.override(language):
            regions = rollup.by_region(RECEIVED, CURRENT, PREVIOUS)
        (region,) = (r for r in regions if r.region.slug == region_slug)
        hidden[language] = (
            isinstance(region.total.current, int),
            {int(a.by) for a in region.agencies if not isinstance(a.current, int)},
        )
    return hidden


def _twins(region):
    """Two agencies of 7 referrals each whose names sort in opposite orders in French and in
    English, and a third one of 3."""
    bay = AgencyFactory(name_en="Bay Services", name_fr="Services de la Baie", region=region)
    cedar = AgencyFactory(name_en="Cedar Place", name_fr="Maison Cèdre", region=region)
    small = AgencyFactory(name_en="Small Place", name_fr="Petit Lieu", region=region)
    return bay, cedar, small


def test_the_same_counts_are_hidden_in_both_languages_beside_a_regions_total(world):
    """Small Place's 3 is "< 5", so one of the two sevens is hidden too: the same one in French
    and in English, else the two pages together give 37 - 20 - 7 - 7 = 3."""
    region = RegionFactory(slug="centre", name_en="Centre", name_fr="Centre", position=1)
    bay, cedar, small = _twins(region)
    big = AgencyFactory(name_en="Big House", name_fr="Grande Maison", region=region)
    for agency, count in ((bay, 7), (cedar, 7), (small, 3), (big, 20)):
        many(count, agency, world.court, Q3)
    hidden = _hidden_in_each_language("centre")
    assert hidden["en"] == hidden["fr"]
    shown_total, agencies = hidden["en"]
    assert shown_total and small.pk in agencies and len(agencies & {bay.pk, cedar.pk}) == 1


def test_the_same_agency_is_hidden_in_both_languages_under_a_hidden_regions_total(world):
    """Centre 18 (two nines), Northwest 3 ("< 5"): Centre's total is hidden, and its nines with
    it, the same in French and in English, else 21 - 9 - 9 gives Northwest's 3."""
    region = RegionFactory(slug="centre", name_en="Centre", name_fr="Centre", position=1)
    bay, cedar, _small = _twins(region)
    many(9, bay, world.court, Q3)
    many(9, cedar, world.court, Q3)
    many(3, world.other_agency, world.other_court, Q3)
    hidden = _hidden_in_each_language("centre")
    assert hidden["en"] == hidden["fr"]
    shown_total, agencies = hidden["en"]
    assert not shown_total and agencies >= {bay.pk, cedar.pk}


def test_a_hidden_regions_agencies_do_not_tell_how_much_it_is_at_least(world, english):
    """East: River 1; Northwest: Lakehead 20, Gamma 5 (26 in all). Northwest's total is hidden
    beside East's "< 5": were Lakehead's 20 shown beside Gamma "hidden", Northwest would be 25
    or more, and East 1."""
    gamma = AgencyFactory(name_en="Gamma Lodge", region=world.other_agency.region)
    many(1, world.agency, world.court, Q3)
    many(20, world.other_agency, world.other_court, Q3)
    many(5, gamma, world.other_court, Q3)
    assert _table(rollup.by_region(RECEIVED, CURRENT, PREVIOUS)) == [
        (("East", "< 5", 0), [("River Services", "< 5", 0)]),
        (
            ("Northwest", "hidden", 0),
            [("Gamma Lodge", "hidden", 0), ("Lakehead Centre", "hidden", 0)],
        ),
    ]


def test_a_regions_agencies_read_in_alphabetical_order_accents_and_capitals_aside(world):
    region = RegionFactory(slug="centre", name_en="Centre", name_fr="Centre", position=1)
    for name in ("Zoé Centre", "École Nord", "eagle", "Ève"):
        AgencyFactory(name_en=name, name_fr=name, region=region)
    with translation.override("fr"):
        (centre,) = (r for r in rollup.by_region(RECEIVED, CURRENT, PREVIOUS) if r.region == region)
    assert [a.label for a in centre.agencies] == ["eagle", "École Nord", "Ève", "Zoé Centre"]


def test_the_province_reads_its_agencies_counts_in_the_roll_up_alone(client, world):
    """East: A 3, B 7, C 20; Northwest: D 6, Lakehead 30. A flat list of the agencies beside the
    province's total of 66 would hide A's 3 with D's 6, the roll-up East's with B's 7: read
    together, 30 - 20 - 7 gives A away. The court's section lists no agency for the province."""
    east, northwest = world.agency.region, world.other_agency.region
    a, b, c = (AgencyFactory(region=east) for _ in range(3))
    d = AgencyFactory(region=northwest)
    for agency, count in ((a, 3), (b, 7), (c, 20), (d, 6), (world.other_agency, 30)):
        many(count, agency, world.court, Q3)
    client.force_login(world["admin"])
    response = client.get(f"/en/province/figures/?{QUERY}&region={east.slug}")
    sections = dict((s.key, r) for s, r in response.context["sections"])
    received = next(r for r in sections["court"] if r.figure.key == "court_received")
    assert received.current == 66 and received.rows == []
    # Positive control: the roll-up has them, by region, with A's 3 kept.
    (rolled,) = (r for r in response.context["regions"] if r.region == east)
    shown = {int(agency.by): agency.current for agency in rolled.agencies}
    assert shown[a.pk] == "< 5" and shown[c.pk] == 20


def test_a_region_whose_agencies_cannot_be_kept_beside_its_total_has_it_hidden(world, english):
    """East: River 1, Alpha 5 (total 6): beside 6, "< 5" and "hidden" (five or more) would
    make River 1 and Alpha 5. East's total is hidden, and Northwest's with it (else the
    province's 36 less Northwest's 30 would give it back), and Northwest's agencies with it."""
    alpha = AgencyFactory(name_en="Alpha House", region=world.agency.region)
    gamma = AgencyFactory(name_en="Gamma Lodge", region=world.other_agency.region)
    many(1, world.agency, world.court, Q3)
    many(5, alpha, world.court, Q3)
    many(20, world.other_agency, world.other_court, Q3)
    many(10, gamma, world.other_court, Q3)
    assert _table(rollup.by_region(RECEIVED, CURRENT, PREVIOUS)) == [
        (("East", "hidden", 0), [("Alpha House", "hidden", 0), ("River Services", "< 5", 0)]),
        (
            ("Northwest", "hidden", 0),
            [("Gamma Lodge", "hidden", 0), ("Lakehead Centre", "hidden", 0)],
        ),
    ]


def _figures(response):
    return {r.figure.key: r for _s, results in response.context["sections"] for r in results}


def test_a_total_hidden_for_its_parts_is_hidden_wherever_the_page_shows_it(client, world):
    """River completes 4 programs in July and 4 in August: beside a total of 8, two months of
    "< 5" are 4 each, so the completions' total is hidden, and so is every other figure of 8
    on the page (the court's completions) and the roll-up of the completions."""
    east = world.agency.region
    for closed in (date(2026, 7, 6), date(2026, 8, 6)):
        many(4, world.agency, world.court, Q2, status=Status.COMPLETED, changed_on=closed)
    client.force_login(world["admin"])
    response = client.get(f"/en/province/figures/?{QUERY}&figure=completions&region={east.slug}")
    figures = _figures(response)
    assert figures["completions"].current == "hidden"
    assert [value for _month, value in figures["completions"].months] == ["< 5", "< 5", 0]
    assert figures["court_completed"].current == "hidden"
    (rolled,) = (r for r in response.context["regions"] if r.region == east)
    assert rolled.total.current == "hidden"
    assert {agency.current for agency in rolled.agencies} <= {"hidden", 0}
    # Positive control: the previous quarter, none of them, is shown.
    assert figures["completions"].previous == 0


def test_a_breakdowns_hidden_total_is_not_given_back_by_the_flat_figure(client, world):
    """The liaison officer's court: 4 early intervention and 4 coordinated prosecution
    referrals received. By stream, two "< 5" beside 8 would be 4 each: the total is hidden, in
    the breakdown and in the flat count of the same referrals."""
    for stream in ("early_intervention", "coordinated_prosecution"):
        many(4, world.agency, world.court, Q3, stream=stream)
    client.force_login(world["liaison"])
    figures = _figures(client.get(f"/en/court/figures/?{QUERY}"))
    assert figures["court_received_by_stream"].current == "hidden"
    assert figures["court_received"].current == "hidden"
    assert [row.current for row in figures["court_received"].rows] == ["hidden"]


def test_the_roll_up_reads_any_referral_count(province, english):
    [east, northwest] = rollup.by_region(COURT_COMPLETED, CURRENT, PREVIOUS)
    assert (east.total.current, northwest.total.current) == ("< 5", 0)
    assert [(a.label, a.current) for a in east.agencies] == [
        ("Alpha House", 0),
        ("Beta Place", 0),
        ("River Services", "< 5"),
    ]


def test_a_figure_without_a_rule_on_referrals_cannot_be_rolled_up(world):
    from ipv.figures.sections.court import DAYS_TO_COMPLETION

    with pytest.raises(ValueError):
        rollup.by_region(DAYS_TO_COMPLETION, CURRENT, PREVIOUS)


def test_the_roll_up_offers_each_referral_count_once(world):
    keys = list(rollup_figures())
    assert keys[0] == "received"
    assert "court_received" not in keys  # the same rule as "received"
    assert "received_by_stream" not in keys  # a breakdown of it
    assert "court_completed" in keys and "court_days_to_completion" not in keys


def test_the_roll_up_does_not_query_per_agency(province):
    with CaptureQueriesContext(connection) as few:
        rollup.by_region(RECEIVED, CURRENT, PREVIOUS)
    for i in range(8):
        agency = AgencyFactory(slug=f"more-{i}", name_en=f"More {i}", name_fr=f"Plus {i}")
        many(2, agency, province.court, Q3)
    with CaptureQueriesContext(connection) as more:
        regions = rollup.by_region(RECEIVED, CURRENT, PREVIOUS)
    assert len(more) == len(few)
    # The referrals counted in one query, the agencies read in another; beside them, only
    # the counting's own settings (ipv.figures.aggregates) and its savepoint.
    reading = [
        q["sql"] for q in more if "set_config" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert len(reading) == 2
    assert sum(len(region.agencies) for region in regions) >= 13


def _main(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_the_administrator_reads_every_section_and_the_roll_up(client, province):
    client.force_login(province["admin"])
    response = client.get(f"/en/province/figures/?{QUERY}")
    assert response.status_code == 200
    main = _main(response)
    assert 'id="rollup"' in main and 'id="section-flow"' in main
    assert 'id="section-court"' in main
    rollup_table = main.split('id="rollup"', 1)[1].split("</table>", 1)[0]
    assert "East" in rollup_table and "Northwest" in rollup_table
    assert "22" in rollup_table and "&lt; 5" in rollup_table
    # Province figures: counts, never a case or a person.
    assert "/figures/cases/" not in main and "Person Number" not in main


def _rollup(client, query):
    main = _main(client.get(f"/en/province/figures/?{query}"))
    return main.split('id="rollup"', 1)[1].split("</table>", 1)[0]


def test_the_roll_up_shows_the_agencies_of_the_region_opened_one_at_a_time(client, province):
    client.force_login(province["admin"])
    east = province.agency.region.slug
    closed = _rollup(client, QUERY)
    assert "Alpha House" not in closed and "Lakehead Centre" not in closed
    query = QUERY.replace("&", "&amp;")
    assert f'href="?{query}&amp;region={east}#rollup"' in closed
    assert "show its 3 agencies" in closed

    opened = _rollup(client, f"{QUERY}&region={east}")
    for name in ("Alpha House", "Beta Place", "River Services"):
        assert name in opened
    assert "Lakehead Centre" not in opened and "Gamma Lodge" not in opened
    # Its counts are the roll-up's, small ones hidden as when all are read.
    assert "hidden" in opened.split("Alpha House", 1)[1].split("</tr>", 1)[0]
    # Its link now closes it; the figure chosen goes with both.
    assert f'href="?{query}#rollup"' in opened and "hide its agencies" in opened
    chosen = _rollup(client, f"{QUERY}&figure=court_completed&region={east}")
    assert f"figure=court_completed&amp;region={east}" not in chosen  # open: the link closes
    assert "figure=court_completed" in chosen

    # A region that does not exist opens nothing, breaks nothing, and leaves the figure chosen.
    for wrong in ("nowhere", "%3Cscript%3E", "x" * 300, "%C3%A9t%C3%A9", "a%20b"):
        shown = _rollup(client, f"{QUERY}&figure=court_completed&region={wrong}")
        assert "Alpha House" not in shown and "East" in shown
        assert "<caption>Programs completed</caption>" in shown


def test_the_administrator_chooses_the_rolled_up_figure(client, province):
    client.force_login(province["admin"])
    response = client.get(f"/en/province/figures/?{QUERY}&figure=court_completed")
    main = _main(response)
    rollup_table = main.split('id="rollup"', 1)[1].split("</table>", 1)[0]
    assert "<caption>Programs completed</caption>" in rollup_table
    assert '<option value="court_completed" selected>' in main
    # An unknown figure falls back to the referrals received.
    response = client.get(f"/en/province/figures/?{QUERY}&figure=nothing")
    assert "<caption>Referrals received</caption>" in _main(response)


@pytest.mark.parametrize("persona", ["manager", "intake", "liaison", "other_manager"])
def test_everyone_else_signed_in_is_refused(client, world, persona):
    client.force_login(world[persona])
    assert client.get("/en/province/figures/").status_code == 403


def test_a_staff_member_who_is_not_a_superuser_is_refused(client, world):
    from tests.conftest import make_person

    client.force_login(make_person("staff@platform.test", "Sam Staff", is_staff=True))
    assert client.get("/en/province/figures/").status_code == 403


def test_someone_anonymous_is_sent_to_sign_in(client, world):
    response = client.get("/en/province/figures/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")


def test_the_administrator_finds_the_page_from_where_they_land(client, world):
    client.force_login(world["admin"])
    assert 'href="/en/province/figures/"' in client.get("/en/app/").content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_reads_in_both_languages(client, province, language):
    client.force_login(province["admin"])
    response = client.get(f"/{language}/province/figures/?{QUERY}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert ("Northwest" if language == "en" else "Nord-Ouest") in _main(response)
