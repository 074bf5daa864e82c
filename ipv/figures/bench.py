"""Benchmark pages of the figures, on the data every other bench has seeded (run it last): the
agency's dashboard over a year and over five, and the list behind a figure, read by the bench
agency's manager (every section)."""

from fees.bench import MANAGER
from ipv.figures.periods import presets
from referrals.bench import AGENCY


def seed() -> dict:
    """Nothing of its own: the figures read what the other benches wrote."""
    return {}


def pages() -> list[tuple]:
    from django.utils import timezone

    base = f"/fr/a/{AGENCY}/figures/"
    year = presets(timezone.localdate())["last_12_months"]
    five = f"period=custom&start={year.end.replace(year=year.end.year - 5).isoformat()}"
    return [
        ("figures: agency dashboard, last 12 months", base, {}, MANAGER),
        ("figures: agency dashboard, 5 years", f"{base}?{five}&end={year.end}", {}, MANAGER),
        ("figures: cases behind 'received', 12 months", f"{base}cases/received/", {}, MANAGER),
    ]
