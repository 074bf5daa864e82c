"""A referral-count figure for every agency of the province, grouped by region: the province's
roll-up (its dashboard page, and the quarterly province export).

Read outside any agency, so small counts are hidden: a count of 1 to 4 reads "< 5" (primary
suppression). A region's total is shown, so its agencies' counts are hidden beside it as
definitions.protected hides any table's cells: the next smallest counts above zero too, reading
"hidden" (secondary suppression: five or more, and saying "< 5" would be false), until no small
one can be narrowed down; a region whose agencies that cannot keep has its total hidden. The
same goes for the regions beside the province's total (on the same page); a hidden region's
agencies are hidden with it (shown, they would tell how much it is at least). Equal counts are
told apart by the agency's id, as every table does, never by the reader's alphabetical order.
Each period is hidden apart.
Pure: no request; names in the active language.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from directory.models import Agency, Region
from ipv.core import replica
from ipv.core.i18n import current_language, in_language
from ipv.figures import catalogue
from ipv.figures.aggregates import counting
from ipv.figures.definitions import (
    HIDDEN,
    SMALLEST_SHOWN,
    Figure,
    Result,
    everything_hidden,
    folded,
    protected,
)
from ipv.figures.periods import Period
from referrals.models import Referral


@dataclass
class RegionRollup:
    """One region: its total, and one Result per agency of the region (in name order)."""

    region: Region
    total: Result
    agencies: list[Result] = field(default_factory=list)


def counts(figures, current: Period, previous: Period) -> dict[str, dict[int, tuple]]:
    """Each of `figures` (referral counts: each has a `where`) by agency for both periods, in
    one query: {figure key: {agency id: (current, previous)}}, agencies with none left out."""
    wanted = {}
    for figure in figures:
        if figure.where is None:
            raise ValueError(f"{figure.key} is not a referral count")
        wanted[f"{figure.key}__now"] = Count("pk", filter=figure.where(current))
        wanted[f"{figure.key}__before"] = Count("pk", filter=figure.where(previous))
    found = {figure.key: {} for figure in figures}
    using = replica.read_alias()
    with counting(using):
        rows = list(Referral.objects.using(using).values("agency_id").annotate(**wanted).order_by())
    for row in rows:
        for figure in figures:
            pair = (row[f"{figure.key}__now"], row[f"{figure.key}__before"])
            if any(pair):
                found[figure.key][row["agency_id"]] = pair
    return found


REGION_FIELDS = ("pk", "slug", "position", "name_fr", "name_en")
REGION_COLUMNS = [f"region__{name}" for name in REGION_FIELDS]


def rollups(
    figures, counted: dict[str, dict[int, tuple]], hidden=frozenset()
) -> dict[str, list[RegionRollup]]:
    """Each of `figures` for every agency, by region in the Region model's order, with small
    counts hidden, from `counted` (as `counts` gives it): one query, the agencies with their
    regions."""
    # Their names and regions only, as plain values and in their order once for every figure:
    # a thousand agencies read as models (their phone numbers parsed, each with its region)
    # cost more than the rest of the page.
    regions, agencies, language = {}, [], current_language()
    for pk, name_fr, name_en, *region in Agency.objects.values_list(
        "pk", "name_fr", "name_en", *REGION_COLUMNS
    ).order_by():
        region_id = region[0]
        if region_id not in regions:
            regions[region_id] = Region(**dict(zip(REGION_FIELDS, region, strict=True)))
        agencies.append((regions[region_id], pk, in_language(name_fr, name_en, language)))
    agencies.sort(
        key=lambda agency: (agency[0].position, agency[0].slug, folded(agency[2]), agency[1])
    )
    return {
        figure.key: _by_region(figure, counted[figure.key], agencies, hidden) for figure in figures
    }


def by_region(figure: Figure, current: Period, previous: Period) -> list[RegionRollup]:
    """`figure` (a referral count) for every agency, by region, small counts hidden, counted
    now: two queries whatever the number of agencies."""
    return rollups([figure], counts([figure], current, previous))[figure.key]


def _by_region(
    figure: Figure, counted: dict[int, tuple], agencies, hidden=frozenset()
) -> list[RegionRollup]:
    """`agencies`: (region, id, name) in the regions' order, then by name. `hidden`: the
    (column, count) whose total the page hides (selectors.Sections.hidden): a roll-up of that
    count shows none of its parts."""
    regions: dict[int, RegionRollup] = {}
    for region, pk, name in agencies:
        now, before = counted.get(pk, (0, 0))
        rollup = regions.get(region.pk)
        if rollup is None:
            rollup = regions[region.pk] = RegionRollup(
                region, Result(figure, 0, 0, label=str(region.name))
            )
        rollup.total.current += now
        rollup.total.previous += before
        rollup.agencies.append(Result(figure, now, before, label=name, by=str(pk)))
    rollups = list(regions.values())
    _suppress(rollups, hidden)
    return rollups


def _suppress(regions: list[RegionRollup], hidden=frozenset()) -> None:
    """Hide the small counts, and the ones that would give them away (module docstring):
    region totals against the province's, each region's agencies against its total. A region
    whose agencies cannot be kept beside its total has its total hidden, and the regions are
    hidden again with it; a hidden region's agencies are all hidden; where the regions cannot
    be kept beside the province's total, none is shown."""
    for column in ("current", "previous"):
        totals = [getattr(region.total, column) for region in regions]
        cells = [[getattr(agency, column) for agency in region.agencies] for region in regions]
        if (column, sum(totals)) in hidden:
            shown_totals, shown_cells = (
                everything_hidden(totals),
                [everything_hidden(values) for values in cells],
            )
        else:
            shown_totals, shown_cells = _kept(regions, totals, cells)
        for region, total, values in zip(regions, shown_totals, shown_cells, strict=True):
            setattr(region.total, column, total)
            for agency, value in zip(region.agencies, values, strict=True):
                setattr(agency, column, value)


def _kept(regions, totals: list, cells: list[list]) -> tuple[list, list[list]]:
    """The regions' `totals` and their agencies' `cells` (one column) as they may be shown."""
    region_keys = [region.region.pk for region in regions]
    # Equal counts are told apart by the agency, never by its place in the reader's
    # alphabetical order (definitions.protected).
    keys = [[agency.by for agency in region.agencies] for region in regions]
    # What a hidden region's agencies, all hidden with it, still tell of its total.
    floors = dict(enumerate(sum(_least(cell) for cell in region) for region in cells))
    forced: set[int] = set()
    while True:
        shown_totals, province = protected(sum(totals), totals, region_keys, forced, floors)
        if province is HIDDEN:
            shown_totals = everything_hidden(totals)
        shown_cells, more = [], set()
        for i, total in enumerate(shown_totals):
            if isinstance(total, int):
                values, whole = protected(total, cells[i], keys[i])
                if whole is HIDDEN:
                    more.add(i)
            else:
                # Any of its agencies shown would tell more of its total than "hidden".
                values = everything_hidden(cells[i])
            shown_cells.append(values)
        if more <= forced:
            return shown_totals, shown_cells
        forced |= more


def _least(count: int) -> int:
    """The least a hidden count is known to be: 1 for "< 5", 5 for "hidden", 0 for none."""
    if count <= 0:
        return 0
    return 1 if count < SMALLEST_SHOWN else SMALLEST_SHOWN


def rollup_figures() -> dict:
    """The referral counts a roll-up can show, in the catalogue's order: each figure with a
    `where` and no breakdown of its own (a breakdown counts what its total counts), and once
    each rule (the court's "received" is the flow's)."""
    figures, rules = {}, set()
    for key, figure in catalogue.FIGURES.items():
        if figure.lists_referrals and not figure.by and figure.where not in rules:
            figures[key] = figure
            rules.add(figure.where)
    return figures
