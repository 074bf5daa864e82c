"""How a figure's value reads: counts with their thousands, days, shares as percentages, money
in the reader's format; a hidden small count as "< 5", an unknown one as a dash."""

from decimal import Decimal

from babel.numbers import format_decimal
from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from ipv.core.i18n import current_language, format_money
from ipv.figures.definitions import COUNT, DAYS, MONEY, SHARE

register = template.Library()


def _locale() -> str:
    return "en_CA" if current_language() == "en" else "fr_CA"


def _number(value, places: int = 0) -> str:
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return format_decimal(value, format=pattern, locale=_locale())


@register.filter
def figure_value(value, unit=COUNT) -> str:
    if value is None:
        return "—"
    if isinstance(value, str | Promise):
        # A hidden count ("< 5", translated lazily).
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
