"""A referral-count figure for every agency of the province, grouped by region: the province's
roll-up (its dashboard page, and the quarterly province export).

Read outside any agency, so small counts are hidden: a count of 1 to 4 reads "< 5" (primary
suppression). A region's total is shown, so where exactly one of its agencies' counts is hidden,
the total minus the others would give it away: the next smallest count of that region is hidden
too (secondary suppression). Pure: no request, no language but the active one for names.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from directory.models import Agency, Region
from ipv.figures.definitions import Figure, Result, shown
from ipv.figures.periods import Period
from ipv.figures.scope import SUPPRESSED
from referrals.models import Referral


@dataclass
class RegionRollup:
    """One region: its total, and one Result per agency of the region (in name order)."""

    region: Region
    total: Result
    agencies: list[Result] = field(default_factory=list)


def by_region(figure: Figure, current: Period, previous: Period) -> list[RegionRollup]:
    """`figure` (a referral count: it has a `where`) for every agency, by region in the
    Region model's order, with small counts hidden. Two queries whatever the number of
    agencies: the agencies, and the figure's counts grouped by agency."""
    if figure.where is None:
        raise ValueError(f"{figure.key} is not a referral count")
    counts = {
        row["agency_id"]: (row["now"], row["before"])
        for row in Referral.objects.values("agency_id")
        .annotate(
            now=Count("pk", filter=figure.where(current)),
            before=Count("pk", filter=figure.where(previous)),
        )
        .order_by()
    }
    regions: dict[int, RegionRollup] = {}
    agencies = Agency.objects.select_related("region").order_by(
        "region__position", "region__slug", "name_en"
    )
    for agency in agencies:
        now, before = counts.get(agency.pk, (0, 0))
        rollup = regions.get(agency.region_id)
        if rollup is None:
            rollup = regions[agency.region_id] = RegionRollup(
                agency.region, Result(figure, 0, 0, label=str(agency.region.name))
            )
        rollup.total.current += now
        rollup.total.previous += before
        rollup.agencies.append(Result(figure, now, before, label=agency.name, by=str(agency.pk)))
    rollups = list(regions.values())
    for rollup in rollups:
        rollup.agencies.sort(key=lambda result: result.label.casefold())
        _suppress(rollup)
    return rollups


def _suppress(rollup: RegionRollup) -> None:
    """Hide the region's small counts, for each period apart (see the module's docstring)."""
    for column in ("current", "previous"):
        values = [getattr(cell, column) for cell in rollup.agencies]
        hidden = [i for i, value in enumerate(values) if shown(value) == SUPPRESSED]
        if len(hidden) == 1:
            # Hiding a zero tells nothing away; with no other count above zero, the total
            # equals the hidden count and is itself below five.
            others = [i for i, value in enumerate(values) if value > 0 and i not in hidden]
            if others:
                hidden.append(min(others, key=lambda i: values[i]))
        for i in hidden:
            setattr(rollup.agencies[i], column, SUPPRESSED)
        setattr(rollup.total, column, shown(getattr(rollup.total, column)))
