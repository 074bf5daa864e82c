"""How a figure's value reads: counts with their thousands, days, shares as percentages, money
in the reader's format; a hidden small count as "< 5", an unknown one as a dash."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import get_group_symbol, parse_pattern
from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from ipv.core.i18n import current_language, format_money
from ipv.figures.definitions import COUNT, DAYS, MONEY, SHARE

register = template.Library()


def _locale() -> str:
    return "en_CA" if current_language() == "en" else "fr_CA"


# A dashboard writes some three hundred numbers: Babel's locale and patterns are parsed once,
# not for each (what babel.numbers.format_decimal does), and a count is grouped by Python.
@cache
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


@cache
def _pattern(places: int):
    return parse_pattern("#,##0" + ("." + "#" * places if places else ""))


@cache
def _group_symbol(name: str) -> str:
    return get_group_symbol(_babel_locale(name))


def _number(value, places: int = 0) -> str:
    """`value` with its thousands grouped and at most `places` decimals, as
    format_decimal(value, "#,##0.#…", locale) writes it."""
    name = _locale()
    if places == 0 and type(value) is int and value >= 0:
        return f"{value:,}".replace(",", _group_symbol(name))
    return _pattern(places).apply(value, _babel_locale(name))


@register.filter
def figure_value(value, unit=COUNT) -> str:
    if value is None:
        return "—"
    if isinstance(value, str | Promise):
        # "< 5", a lazy translation, read in the page's language.
        return str(value)
    if unit == MONEY:
        return format_money(Decimal(value))
    if unit == SHARE:
        percent = _number(round(float(value) * 100, 1), 1)
        # Canadian French puts a non-breaking space before the sign.
        return f"{percent}\xa0%" if current_language() == "fr" else f"{percent}%"
    if unit == DAYS:
        days = round(float(value), 1)
        return ngettext("%(days)s day", "%(days)s days", days) % {"days": _number(days, 1)}
    return _number(value, 0)


@register.filter
def figure_change(result) -> str:
    """The change since the previous period, signed ("+3", "−2 days", "no change")."""
    change = result.change
    if change is None:
        return "—"
    if change == 0:
        return gettext("no change")
    sign = "+" if change > 0 else "\u2212"
    return sign + figure_value(abs(change), result.figure.unit)


# --- Charts -------------------------------------------------------------------------------
# A chart is drawn (by static/js/figures.js) from a small table that is always in the page, so
# the figures read the same without JavaScript. Each row carries its value twice: as the reader
# reads it, and as a plain machine number (`data-value`) the script never has to parse.

CHARTS = ("line", "bar", "funnel")


@dataclass(frozen=True)
class ChartRow:
    label: str
    shown: str
    value: str  # "" when nothing is drawn: a hidden small count ("< 5") or an unknown value


@dataclass(frozen=True)
class Chart:
    kind: str
    unit: str
    caption: str
    heading: str  # the first column's heading: what each row stands for
    axis: str  # what the values are, for the value column and the chart's value axis
    rows: list[ChartRow]

    @property
    def skips(self) -> bool:
        return any(row.value == "" for row in self.rows)


def _month(day) -> str:
    """A month as its reader writes it: "Sep 2026", "sept. 2026"."""
    return format_date(day, "MMM y", locale=_babel_locale(_locale()))


def _machine(value, unit) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return ""
    if unit == SHARE:
        return str(round(float(value) * 100, 1))
    if isinstance(value, float):
        return str(round(value, 1))
    return str(value)


def _axis(unit) -> str:
    return {
        DAYS: gettext("Days"),
        SHARE: gettext("Percent"),
        MONEY: gettext("Dollars"),
    }.get(unit, gettext("Number"))


@register.filter
def chart_of(result) -> Chart | None:
    """The table a result's chart is drawn from, or None when it has no chart: its months for
    a "line", its breakdown rows (this period) for a "bar" or a "funnel"."""
    figure = result.figure
    unit = figure.unit
    if figure.chart == "line" and result.months:
        rows = [
            ChartRow(_month(month), figure_value(value, unit), _machine(value, unit))
            for month, value in result.months
        ]
        caption = gettext("%(figure)s, by month") % {"figure": figure.label}
        heading = gettext("Month")
    elif figure.chart in ("bar", "funnel") and result.rows:
        rows = [
            ChartRow(str(row.label), figure_value(row.current, unit), _machine(row.current, unit))
            for row in result.rows
        ]
        caption = gettext("%(figure)s, this period") % {"figure": figure.label}
        heading = gettext("Step") if figure.chart == "funnel" else gettext("Category")
    else:
        return None
    return Chart(figure.chart, unit, caption, heading, _axis(unit), rows)
