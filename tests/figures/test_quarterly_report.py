"""The quarterly statistical report: the dashboard's own figures, one table per section, in
the language asked for, typed cells and never a formula; a refused quarter shows the dashboard
with its error; the province's hides small counts."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from directory.models import Court
from ipv.audit.models import AuditEvent
from ipv.figures import selectors
from ipv.figures.exports import EVERY_AUDIENCE
from ipv.figures.periods import Period, quarter
from ipv.figures.scope import Scope
from referrals.models import Referral
from tests.conftest import make_referral

pytestmark = pytest.mark.django_db

Q3 = Period(date(2026, 7, 1), date(2026, 9, 30))


def received(world, days):
    """Referrals of the first agency received on `days` (the world's own are in Q4 2026)."""
    for number, day in enumerate(days):
        referral = make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": f"Report Person {number}", "date_of_birth": date(1980, 1, 2)},
            court_file_number=f"4811-998-26-1{number:04d}",
        )
        Referral.objects.filter(pk=referral.pk).update(received_on=day, order_date=day)


@pytest.fixture
def quarter_world(world):
    # Received: 3 in Q3 2026 (Jul 5, Aug 10, Sep 30), 1 in Q2 (May 2) — counted by hand.
    received(world, [date(2026, 7, 5), date(2026, 8, 10), date(2026, 9, 30), date(2026, 5, 2)])
    return world


def _url(world, **query):
    query = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/en/a/{world.agency.slug}/figures/report/?{query}"


def _expected(scope, language):
    """The dashboard's tables for Q3 2026 in `language`: title → [label, now, before]."""
    with translation.override(language):
        sections = selectors.dashboard(scope=scope, period=Q3, audiences=set(EVERY_AUDIENCE))
        tables = {}
        for section, results in sections:
            rows = []
            for result in results:
                rows.append([str(result.figure.label), result.current, result.previous])
                rows += [
                    [f"{result.figure.label} — {row.label}", row.current, row.previous]
                    for row in result.rows
                ]
            tables[str(section.title)] = rows
        return tables


def _cell(value):
    """As a cell reads back from the workbook: an unknown value is an empty cell."""
    if value is None:
        return None
    return value if isinstance(value, int | float | Decimal) else str(value)


def _read_xlsx(content):
    workbook = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
        for sheet in workbook.worksheets
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_xlsx_report_holds_the_dashboard_figures_one_sheet_per_section(
    client, quarter_world, language
):
    world = quarter_world
    client.force_login(world["manager"])
    response = client.get(_url(world, quarter="2026-3", format="xlsx", language=language))
    assert response.status_code == 200
    letter = "T" if language == "fr" else "Q"
    assert response["Content-Disposition"] == (
        f'attachment; filename="ipv-riviere-2026-{letter}3.xlsx"'
    )
    sheets = _read_xlsx(response.content)
    expected = _expected(Scope.agency(world.agency), language)
    assert list(sheets) == [title[:31] for title in expected]
    for title, rows in expected.items():
        sheet = sheets[title[:31]]
        assert len(sheet) == len(rows) + 1
        assert [row[:3] for row in sheet[1:]] == [[_cell(v) for v in row] for row in rows]
        # Every row carries its figure's definition.
        assert all(row[3] for row in sheet[1:])
    with translation.override(language):
        label = str(selectors.FIGURES["received"].label)
        flow = sheets[str(selectors.SECTION_OF["received"].title)[:31]]
    # By hand: 3 received in Q3 2026, 1 in Q2.
    assert next(row for row in flow if row[0] == label)[1:3] == [3, 1]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_csv_report_is_one_file_with_a_table_column(client, quarter_world, language):
    world = quarter_world
    client.force_login(world["manager"])
    response = client.get(_url(world, quarter="2026-3", format="csv", language=language))
    assert response.status_code == 200
    letter = "T" if language == "fr" else "Q"
    assert f'filename="ipv-riviere-2026-{letter}3.csv"' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = _expected(Scope.agency(world.agency), language)
    body = [line[:4] for line in lines[1:]]

    def text(value):
        return "" if value is None else str(value)

    assert body == [
        [title, str(label), text(now), text(before)]
        for title, rows in expected.items()
        for label, now, before in rows
    ]
    header = ["Table", "Figure", "This quarter", "Previous quarter", "Definition"]
    if language == "en":
        assert lines[0] == header


def test_a_court_name_like_a_formula_stays_text_in_both_formats(client, quarter_world):
    world = quarter_world
    Court.objects.filter(pk=world.court.pk).update(name_en='=HYPERLINK("http://x","y")')
    client.force_login(world["manager"])
    xlsx = client.get(_url(world, quarter="2026-3", format="xlsx", language="en"))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert cells, "the court's row is in the report"
    assert all(cell.data_type == "s" for cell in cells)
    text = client.get(_url(world, quarter="2026-3", format="csv", language="en")).content.decode()
    assert "'=HYPERLINK" in text
    assert '"=HYPERLINK' not in text and "— =HYPERLINK" not in text


@pytest.mark.parametrize(
    ("asked", "error"),
    [
        ("1999-4", "The quarter cannot be before 2000."),
        ("2999-1", "The quarter cannot be after the current one."),
        ("2026-5", "Give a quarter as year-number, e.g. 2026-3."),
        ("garbage", "Give a quarter as year-number, e.g. 2026-3."),
        ("", "This field is required."),
    ],
)
def test_a_refused_quarter_shows_the_dashboard_with_its_error(client, world, asked, error):
    client.force_login(world["manager"])
    response = client.get(_url(world, quarter=asked, format="xlsx", language="en"))
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "Referrals received" in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.FIGURES_EXPORTED).exists()
    # Positive control: a quarter ended is given.
    assert client.get(_url(world, quarter="2026-3", format="xlsx", language="en")).status_code == (
        200
    )


def test_the_dashboard_offers_the_report_to_managers_only(client, world):
    client.force_login(world["manager"])
    page = client.get(f"/en/a/{world.agency.slug}/figures/").content.decode()
    assert f"/en/a/{world.agency.slug}/figures/report/" in page
    client.force_login(world["intake"])
    page = client.get(f"/en/a/{world.agency.slug}/figures/").content.decode()
    assert "/figures/report/" not in page
    response = client.get(_url(world, quarter="2026-3", format="csv", language="en"))
    assert response.status_code == 403


def test_the_report_is_audited_with_what_was_asked_and_never_the_data(client, quarter_world):
    world = quarter_world
    client.force_login(world["manager"])
    client.get(_url(world, quarter="2026-3", format="csv", language="fr"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.FIGURES_EXPORTED)
    assert event.actor == world["manager"]
    assert event.agency == world.agency
    assert event.target_label == "ipv-riviere-2026-T3.csv"
    details = event.details
    assert details["start"] == "2026-07-01" and details["end"] == "2026-09-30"
    assert details["format"] == "csv" and details["language"] == "fr"
    assert details["rows"] > 0
    assert "Report Person" not in str(details)


def test_the_province_report_shows_small_counts_as_less_than_five(client, quarter_world):
    world = quarter_world
    client.force_login(world["admin"])
    response = client.get("/en/province/report/?quarter=2026-3&format=xlsx&language=en")
    assert response.status_code == 200
    assert 'filename="ipv-province-2026-Q3.xlsx"' in response["Content-Disposition"]
    sheets = _read_xlsx(response.content)
    flow = sheets["Referrals"]
    row = next(row for row in flow if row[0] == "Referrals received")
    # 3 and 1 across the province: both hidden.
    assert row[1:3] == ["< 5", "< 5"]
    expected = _expected(Scope.province(), "en")
    assert [r[:3] for r in flow[1:]] == [[_cell(v) for v in r] for r in expected["Referrals"]]
    event = AuditEvent.objects.get(action=AuditEvent.Action.FIGURES_EXPORTED)
    assert event.agency is None and event.actor == world["admin"]
    # Nobody else: a manager is refused; the form alone shows for the administrator.
    client.force_login(world["manager"])
    assert client.get("/en/province/report/?quarter=2026-3").status_code == 403
    client.force_login(world["admin"])
    assert client.get("/en/province/report/").status_code == 200


def test_a_quarter_is_compared_with_the_one_before():
    assert quarter(2026, 3).previous() == Period(date(2026, 4, 1), date(2026, 6, 30))


def test_the_province_report_gives_each_region_and_agency_with_small_counts_hidden(
    client, quarter_world
):
    """Received in Q3 2026 (hand-counted): 3 at River Services (East) → "< 5", and the region
    total hidden with it; none at Lakehead Centre (Northwest). The victims' outreach figures are
    counted for one agency at a time: the province's report has no such table."""
    world = quarter_world
    received(world, [date(2026, 7, 6 + n) for n in range(6)])  # 9 in Q3 now: shown
    client.force_login(world["admin"])
    response = client.get("/en/province/report/?quarter=2026-3&format=xlsx&language=en")
    sheets = _read_xlsx(response.content)
    assert "Outreach to victims and partners" not in sheets
    rollup = {row[0]: row[1:3] for row in sheets["By region and agency"][1:]}
    assert rollup["Referrals received — East"] == [9, "< 5"]
    assert rollup["Referrals received — East — River Services"] == [9, "< 5"]
    assert rollup["Referrals received — Northwest — Lakehead Centre"] == [0, 0]
    # The agency's own report has no roll-up (it would name the other agencies).
    client.force_login(world["manager"])
    own = client.get(_url(world, quarter="2026-3", format="xlsx", language="en"))
    assert "By region and agency" not in _read_xlsx(own.content)
