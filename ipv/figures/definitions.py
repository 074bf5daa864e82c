"""What each figure counts, written once.

A `Figure` carries its label and its written definition (shown beside it on every page and in
every export); the sections (ipv.figures.sections) compute them. A figure that counts
referrals names its rule as a condition on the referral (`where`), so that its count, the list
of cases behind it, the exports and the tests all read the same rule.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ipv.figures.periods import Period
from ipv.figures.scope import SMALLEST_SHOWN, SUPPRESSED, Scope

COUNT, DAYS, SHARE, MONEY = "count", "days", "share", "money"

Number = int | float | Decimal | None


@dataclass(frozen=True)
class Figure:
    """One figure: `unit` is COUNT, DAYS, SHARE (0 to 1) or MONEY.

    `where(period)` (referral counts only) is the condition a referral meets to be counted
    for `period`; `by` is the referral field its breakdown groups on, if it has one. `chart`
    says how a page may draw it besides its table: "line" (its `months`), "bar" (its rows),
    "funnel" (its rows, in order, from referral to outcome), or "" (a table is enough).
    """

    key: str
    label: Promise
    definition: Promise
    unit: str = COUNT
    where: Callable[[Period], Q] | None = None
    by: str = ""
    chart: str = ""

    @property
    def lists_referrals(self) -> bool:
        """Whether the cases behind it can be listed (a referral count)."""
        return self.where is not None


@dataclass
class Result:
    """A figure's value for the period and the one before, and its breakdown: one Result per
    row, `label` saying what the row is and `by` the value it stands for (for its list)."""

    figure: Figure
    current: Number | str
    previous: Number | str = None
    rows: list["Result"] = field(default_factory=list)
    label: str = ""
    by: str = ""
    # A trend: (first day of the month, value) for each month of the period.
    months: list = field(default_factory=list)
    # For a median or a share: how many cases it was computed from, in the period and the one
    # before (a page read outside the agency hides it when fewer than five).
    counted: tuple = (None, None)

    def hidden_when_small(self, hide=frozenset()) -> "Result":
        """This result as read outside the agency: counts of 1 to 4, and medians or shares
        computed from fewer than five cases, become "< 5"; its rows and months likewise.
        `hide`: the columns ("current", "previous") whose total is hidden whatever its parts,
        for another figure's sake (hidden_together)."""
        current, previous = self.current, self.previous
        rows = [row.hidden_when_small() for row in self.rows]
        months = self.months
        if self.figure.unit == COUNT:
            # Each column's parts (its breakdown, the months of this period) must not give a
            # hidden one away beside the total; where one cannot keep them, the total is hidden,
            # and so is every part of it, in each (else another would give the total back).
            month_cells = [value for _month, value in self.months]
            columns = {
                "current": [
                    ([row.current for row in self.rows], _keys(self.rows)),
                    (month_cells, [month.isoformat() for month, _value in self.months]),
                ],
                "previous": [([row.previous for row in self.rows], _keys(self.rows))],
            }
            shown_parts = {
                column: protected_parts(getattr(self, column), parts, hide=column in hide)
                for column, parts in columns.items()
            }
            current, (row_now, now_months) = shown_parts["current"]
            previous, (row_before,) = shown_parts["previous"]
            for row, now, before in zip(rows, row_now, row_before, strict=True):
                row.current, row.previous = now, before
            months = [
                (month, value)
                for (month, _value), value in zip(self.months, now_months, strict=True)
            ]
        else:
            current = SUPPRESSED if _small(self.counted[0]) and current is not None else current
            previous = SUPPRESSED if _small(self.counted[1]) and previous is not None else previous
        return replace(self, current=current, previous=previous, rows=rows, months=months)

    @property
    def change(self) -> Number:
        """How much it moved since the previous period (None when either is unknown)."""
        if isinstance(self.current, int | float | Decimal) and isinstance(
            self.previous, int | float | Decimal
        ):
            return self.current - self.previous
        return None


def shown(value):
    """A count as read outside the agency: 1 to 4 hidden (zero tells nothing about anyone)."""
    if isinstance(value, int) and 0 < value < SMALLEST_SHOWN:
        return SUPPRESSED
    return value


# A count hidden only because, shown beside its total, it would give a hidden one away (it is
# five or more: "< 5" would be false).
HIDDEN = _("hidden")


def protected(
    total, cells: list, keys: list, forced=frozenset(), floors=None
) -> tuple[list, object]:
    """`cells` (parts of `total`) as read outside the agency, and `total` as it may be shown
    beside them: counts of 1 to 4 hidden ("< 5") and, when the total is shown and equals their
    sum, enough other cells hidden ("hidden") that none of them can be narrowed down.

    A reader knows the hidden cells' sum (the total less the cells shown), that each "< 5" is
    1 to 4 and that each "hidden" is 5 or more (it would read "< 5" otherwise): cells are hidden,
    smallest first, until every "< 5" may still be anything from 1 to 4 and no cell hidden for
    another table's sake (`forced`, indexes) can be worked out (`_exposed`). When even every
    cell above zero hidden would not do, the total is hidden too (HIDDEN is returned for it).

    Equal cells are chosen by `keys` (what each cell stands for: an agency's id, a category's
    code, a month; `tie_key`), never by their place: a page in the other language lists named rows
    in another order, and each must hide the same cells, or together they would give the small
    one away. `floors`: by index, the least a cell above four is known to be once hidden,
    where its own parts shown elsewhere tell more than "five or more"."""
    floors = floors or {}
    values = [shown(value) for value in cells]
    small = [i for i, value in enumerate(values) if value == SUPPRESSED]
    big = sorted(i for i in forced if i not in small and cells[i] > 0)
    for i in big:
        values[i] = HIDDEN
    # Cells hidden before (their value unknown here) or a total that is not their sum: each
    # cell stands alone.
    if not (small or big) or not isinstance(total, int):
        return values, total
    if not all(isinstance(v, int) for v in cells) or total != sum(cells):
        return values, total
    others = sorted(
        (i for i, value in enumerate(cells) if i not in small and i not in big and value > 0),
        key=lambda i: (cells[i], tie_key(keys[i])),
    )
    was_forced = bool(big)

    def exposed():
        least = [max(SMALLEST_SHOWN, floors.get(i, 0)) for i in big]
        return _exposed(sum(cells[i] for i in small + big), len(small), least, was_forced)

    while exposed():
        if not others:
            return values, HIDDEN
        big.append(others.pop(0))
        values[big[-1]] = HIDDEN
    return values, total


def hidden_together(results: list["Result"]) -> tuple[list["Result"], set]:
    """`results` (one page's, as counted) read outside the agency (hidden_when_small), and the
    (column, count) of the referral counts whose total had to be hidden. Another referral count
    of the page with the same total is likely the same referrals (received, and received by
    court, by stream, by program…; completions and the court's completions): it hides its total
    and its parts too, or it would give the hidden one back."""
    shown = [result.hidden_when_small() for result in results]
    hidden = {
        (column, getattr(result, column))
        for result, read in zip(results, shown, strict=True)
        if _a_referral_count(result)
        for column in ("current", "previous")
        if getattr(read, column) is HIDDEN
    }
    if not hidden:
        return shown, hidden
    for i, result in enumerate(results):
        hide = {
            column
            for column in ("current", "previous")
            if (column, getattr(result, column)) in hidden
        }
        if hide and _a_referral_count(result):
            shown[i] = result.hidden_when_small(hide=hide)
    return shown, hidden


def _a_referral_count(result: "Result") -> bool:
    return result.figure.where is not None and result.figure.unit == COUNT


def protected_parts(total, parts: list, hide=False) -> tuple[object, list[list]]:
    """`total` as read outside the agency, and each of `parts` (its partitions: (cells, keys),
    a breakdown, the months) kept beside it (protected). Where one cannot be kept, or with
    `hide`, the total is hidden, and every part of it, in each (else another would give the
    total back)."""
    total = shown(total)
    found = [protected(total, cells, keys) for cells, keys in parts]
    hidden = hide and isinstance(total, int) and total > 0
    if hidden or any(whole is HIDDEN for _values, whole in found):
        return HIDDEN, [everything_hidden(cells) for cells, _keys in parts]
    return total, [values for values, _whole in found]


def everything_hidden(cells: list) -> list:
    """`cells` with none read: counts of 1 to 4 as "< 5", the others above zero "hidden"."""
    return [
        HIDDEN if isinstance(value, int) and value >= SMALLEST_SHOWN else shown(value)
        for value in cells
    ]


def _exposed(hidden_sum: int, small: int, big: list[int], forced: bool) -> bool:
    """Whether `hidden_sum`, split between `small` cells of 1 to 4 and cells above four of at
    least `big` each, narrows a small one below 1 to 4, or leaves one of the others a single
    value (when some are hidden for another table's sake: `forced`)."""
    if small:
        most = hidden_sum - (small - 1) - sum(big)
        least = 1 if big else hidden_sum - (SMALLEST_SHOWN - 1) * (small - 1)
        if most < SMALLEST_SHOWN - 1 or least > 1:
            return True
    if forced:
        for floor in big:
            most = hidden_sum - small - (sum(big) - floor)
            least = floor if len(big) > 1 else hidden_sum - (SMALLEST_SHOWN - 1) * small
            if most <= max(least, floor):
                return True
    return False


def tie_key(key) -> tuple:
    """A key compared alike in every table: an id, written as a number or as its digits,
    compares as that number (so "9" before "10"); anything else as its text."""
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return (0, int(key), "")
    return (1, 0, str(key))


def _keys(rows: list["Result"]) -> list:
    """What each row stands for (its `by`), or its place for rows without one (in a fixed
    order: their figure's)."""
    return [row.by or i for i, row in enumerate(rows)]


def _small(count) -> bool:
    return count is not None and count < SMALLEST_SHOWN


@dataclass(frozen=True)
class Section:
    """A part of a dashboard: its figures and how they are computed. `audience` says who
    reads it: "cases" (case workers and managers), "fees" (who may see fees), "outreach"
    (partner-contact workers and managers, counts only), "court" (what a court may read)."""

    key: str
    title: Promise
    audience: str
    figures: tuple[Figure, ...]
    compute: Callable[[Scope, Period, Period], list[Result]]
    # Counted for one agency at a time only (what victims say stays with their agency: no
    # court's, region's or province's page or report shows it).
    one_agency: bool = False


# Breakdowns whose rows are named after a court or an agency: read in alphabetical order of
# the reader's language (a French and an English name may not sort alike).
NAMED_ROWS = {"court", "agency"}


def folded(text: str) -> str:
    """`text` as names are compared: accents and capitals aside."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def in_reading_order(rows: list[Result]) -> list[Result]:
    """A breakdown's `rows` in the order a reader looks for them: by name in the active
    language (accents and capitals aside) when they are named, as given otherwise."""
    if not rows or rows[0].figure.by not in NAMED_ROWS:
        return rows
    return sorted(rows, key=lambda row: (folded(str(row.label)), row.by))


def referral_counts(
    base: QuerySet, figures, current: Period, previous: Period
) -> dict[str, tuple[int, int]]:
    """Each referral-count figure for both periods, in one query over `base` (the scope's
    referrals): {key: (current, previous)}."""
    wanted = {}
    for figure in figures:
        wanted[f"{figure.key}__now"] = Count("pk", filter=figure.where(current))
        wanted[f"{figure.key}__before"] = Count("pk", filter=figure.where(previous))
    totals = base.aggregate(**wanted)
    return {f.key: (totals[f"{f.key}__now"], totals[f"{f.key}__before"]) for f in figures}


def referral_breakdown(
    base: QuerySet, figure: Figure, current: Period, previous: Period, labels: dict
) -> list[Result]:
    """`figure` by each value of its `by` field, in the order of `labels` ({value: label}),
    values never met left out."""
    counts = base.values(figure.by).annotate(
        now=Count("pk", filter=figure.where(current)),
        before=Count("pk", filter=figure.where(previous)),
    )
    found = {row[figure.by]: row for row in counts.order_by() if row["now"] or row["before"]}
    rows = [
        Result(figure, found[value]["now"], found[value]["before"], label=label, by=str(value))
        for value, label in labels.items()
        if value in found
    ]
    return in_reading_order(rows)
