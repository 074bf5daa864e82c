"""The tables a chart is drawn from: months in the reader's language, values as the reader
reads them beside plain machine numbers, nothing to draw for a hidden or unknown value."""

from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from django.utils import translation
from django.utils.translation import gettext_lazy

from ipv.figures.definitions import DAYS, MONEY, SHARE, Figure, Result, protected
from ipv.figures.definitions import HIDDEN as HIDDEN_MARK
from ipv.figures.scope import SUPPRESSED
from ipv.figures.templatetags.figures import _number, chart_of

TREND = Figure("trend", gettext_lazy("Days to first contact"), "", unit=DAYS, chart="line")
GROUPS = Figure("groups", gettext_lazy("Referrals by source"), "", chart="bar")
STEPS = Figure("steps", gettext_lazy("From referral to outcome"), "", chart="funnel")
SHARES = Figure("shares", gettext_lazy("Attendance"), "", unit=SHARE, chart="line")
MONEYS = Figure("moneys", gettext_lazy("Collected"), "", unit=MONEY, chart="line")
PLAIN = Figure("plain", gettext_lazy("Waitlist"), "")

MONTHS = [(date(2026, 9, 1), 12.25), (date(2026, 10, 1), None), (date(2026, 11, 1), 3)]


def test_a_trend_reads_its_months_in_english_with_machine_values_beside():
    with translation.override("en"):
        chart = chart_of(Result(TREND, 10, 12, months=MONTHS))
    assert chart.kind == "line"
    assert chart.caption == "Days to first contact, by month"
    assert [(r.label, r.shown, r.value) for r in chart.rows] == [
        ("Sep 2026", "12.2 days", "12.2"),
        ("Oct 2026", "—", ""),
        ("Nov 2026", "3 days", "3"),
    ]
    assert chart.skips
    assert chart.axis == "Days"


def test_a_trend_reads_its_months_in_french():
    with translation.override("fr"):
        chart = chart_of(Result(TREND, 10, 12, months=MONTHS))
    assert [row.label for row in chart.rows] == ["sept. 2026", "oct. 2026", "nov. 2026"]


def test_a_bar_chart_draws_its_rows_and_skips_a_hidden_count():
    rows = [
        Result(GROUPS, 1200, 1000, label="Court"),
        Result(GROUPS, SUPPRESSED, 3, label="Probation"),
    ]
    with translation.override("en"):
        chart = chart_of(Result(GROUPS, 1203, 1003, rows=rows))
    assert [(r.label, r.shown, r.value) for r in chart.rows] == [
        ("Court", "1,200", "1200"),
        ("Probation", "< 5", ""),
    ]
    assert chart.skips
    assert chart.heading == "Category"


def test_a_funnel_keeps_its_rows_order_and_skips_nothing_when_all_are_known():
    rows = [Result(STEPS, n, 0, label=label) for label, n in (("In", 30), ("Out", 12))]
    with translation.override("en"):
        chart = chart_of(Result(STEPS, 30, 0, rows=rows))
    assert [row.label for row in chart.rows] == ["In", "Out"]
    assert not chart.skips
    assert chart.heading == "Step"


def test_shares_are_drawn_as_percentages_and_money_as_plain_amounts():
    with translation.override("en"):
        share = chart_of(Result(SHARES, 0.5, 0.4, months=[(date(2026, 11, 1), 0.456)]))
        money = chart_of(Result(MONEYS, 0, 0, months=[(date(2026, 11, 1), Decimal("1234.50"))]))
    assert share.rows[0].value == "45.6"
    assert share.axis == "Percent"
    assert money.rows[0].value == "1234.50"


def test_a_figure_without_a_chart_or_without_data_has_no_chart_table():
    assert chart_of(Result(PLAIN, 3, 2)) is None
    assert chart_of(Result(TREND, 3, 2)) is None
    assert chart_of(Result(GROUPS, 0, 0, rows=[])) is None


@pytest.mark.parametrize("language, locale", [("fr", "fr_CA"), ("en", "en_CA")])
def test_values_are_written_as_babel_writes_them_in_both_languages(language, locale):
    """Counts grouped by Python and the other values by Babel's patterns parsed once read as
    format_decimal writes them: thousands, rounding, the decimal sign."""
    counts = [0, 4, 999, 1_000, 12_345, 1_234_567, 400_000_000]
    decimals = [0, 0.05, 0.25, 1.45, 2.5, 12.25, 999.95, 1234.56, Decimal("7.35"), 10**6 + 0.5]
    with translation.override(language):
        for value in counts:
            assert _number(value) == format_decimal(value, format="#,##0", locale=locale)
        for value in decimals:
            assert _number(value, 1) == format_decimal(value, format="#,##0.#", locale=locale)
        for value in (-3, -1234, 7.0, Decimal("1234")):
            assert _number(value) == format_decimal(value, format="#,##0", locale=locale)
    # Positive control: grouped in each language's way, so the comparison above can tell them.
    with translation.override("fr"):
        assert _number(1_234_567) == "1\xa0234\xa0567"
    with translation.override("en"):
        assert _number(1_234_567) == "1,234,567"


def test_a_breakdown_hides_the_same_rows_whatever_order_its_rows_are_read_in():
    """Rows named after courts are read in each language's alphabetical order: the count
    hidden beside a small one is chosen by what the row stands for, never by its place."""
    courts = Figure("courts", "By court", "", by="court")
    rows = [Result(courts, count, 0, by=by) for by, count in (("7", 9), ("3", 9), ("5", 2))]
    hidden = []
    for order in (rows, rows[::-1], [rows[1], rows[2], rows[0]]):
        result = Result(courts, 20, 0, rows=list(order)).hidden_when_small()
        hidden.append({row.by for row in result.rows if not isinstance(row.current, int)})
    assert hidden == [{"3", "5"}] * 3


def _reader_can_narrow(total, values, cells):
    """Whether the shown cells, the total and the marks' own bounds ("< 5": 1 to 4;
    "hidden": 5 or more) leave a "< 5" cell fewer values than 1 to 4: every split of the
    hidden sum is tried."""
    import itertools

    hidden = [i for i, value in enumerate(values) if not isinstance(value, int)]
    rest = total - sum(v for v in values if isinstance(v, int))
    ranges = [range(1, 5) if values[i] == SUPPRESSED else range(5, rest + 1) for i in hidden]
    possible = {i: set() for i in hidden}
    for split in itertools.product(*ranges):
        if sum(split) == rest:
            for i, value in zip(hidden, split, strict=True):
                possible[i].add(value)
    assert all(possible[i] for i in hidden), "the true values are not possible"
    return any(possible[i] != {1, 2, 3, 4} for i in hidden if values[i] == SUPPRESSED)


@pytest.mark.parametrize(
    "cells",
    [(1, 5, 20), (4, 4, 20), (1, 1, 5, 20), (2, 6), (3, 7, 7, 20), (2, 3, 9), (1, 9, 9, 50)],
)
def test_no_small_count_can_be_narrowed_from_the_total_and_the_marks(cells):
    """Each case reviewed: a total shown beside its cells leaves every "< 5" anywhere from 1 to
    4, else it is hidden too."""
    keys = [str(n) for n in range(len(cells))]
    values, total = protected(sum(cells), list(cells), keys)
    assert any(value == SUPPRESSED for value in values)
    if total == sum(cells):
        assert not _reader_can_narrow(total, values, cells), (values, total)
    else:
        assert total == HIDDEN_MARK


def test_equal_counts_are_told_apart_by_their_ids_as_numbers_in_every_table():
    """Agencies 9 and 10, both at 7 beside a 3: the same one is hidden whether their ids come
    as numbers (the roll-up) or as text (a breakdown's rows): "9" before "10"."""
    cells = [3, 7, 7, 20]
    as_numbers, _ = protected(sum(cells), cells, [1, 10, 9, 2])
    as_text, _ = protected(sum(cells), cells, ["1", "10", "9", "2"])
    assert as_numbers == as_text
    assert as_numbers[2] == HIDDEN_MARK  # agency 9


def test_no_table_of_up_to_three_cells_lets_a_small_count_be_narrowed():
    """Every table of one to three cells of 0, 1, 2, 4, 5, 6 or 9: shown beside its total,
    no "< 5" can be narrowed; where nothing could keep them, the total is hidden."""
    import itertools

    tried = hidden_totals = 0
    for size in (1, 2, 3):
        for cells in itertools.product((0, 1, 2, 4, 5, 6, 9), repeat=size):
            if not any(0 < cell < 5 for cell in cells):
                continue
            values, total = protected(sum(cells), list(cells), list(range(size)))
            tried += 1
            if total == HIDDEN_MARK:
                hidden_totals += 1
            else:
                assert not _reader_can_narrow(total, values, cells), (cells, values)
    # Positive controls: the sweep reached tables of each kind.
    assert tried > 200 and 0 < hidden_totals < tried
