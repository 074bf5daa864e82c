"""Reads of the confidential store. What case workers may know is only how many people an
order names; the records themselves are read by partner-contact workers (and audited)."""

from django.db.models import Count, QuerySet

from victims.models import Victim


def victims_named_count(*, agency, referral) -> int:
    """How many people the referral's order names. Not who they are."""
    return Victim.objects.filter(agency=agency, referral=referral).count()


def victims_named_counts(*, agency, referrals: QuerySet) -> dict[int, int]:
    """Referral id → how many people its order names, for a page of referrals in one query."""
    rows = (
        Victim.objects.filter(agency=agency, referral__in=referrals)
        .values("referral")
        .annotate(count=Count("pk"))
    )
    return {row["referral"]: row["count"] for row in rows}
