"""Re-referral: of the people who completed the program (or were discharged from it), how many
were referred again within one year, and within two.

Shares and counts only. No figure here lists its cases: the referral that makes a case count
may be another agency's file, and a list would tell one agency about it.
"""

from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ipv.figures.definitions import SHARE, Figure, Result, Section
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Referral, Status

# Within 12 months, within 24: the days after the closing a new referral may arrive in.
WINDOWS = {12: 365, 24: 730}
CLOSINGS = (Status.COMPLETED, Status.DISCHARGED)


# The same sentence after a completion and after an exclusion, whole for the translators.
AFTER_COMPLETION = _(
    "Of the referrals completed in the period, the share whose person was referred again "
    "within %(months)s months: another referral of the same person (same date of birth and "
    "same legal name, read without accents, capitals or extra spaces; or a record the agency "
    "merged with theirs), at any agency and under any court file, received 1 to %(days)s days "
    "after the day of completion. A transfer between agencies is not a new referral. Only the "
    "completions whose %(days)s days have all gone by before today are in the share: for the "
    "others it is not known yet."
)
AFTER_DISCHARGE = _(
    "Of the referrals that ended in the period with an exclusion from the program "
    "(discharge), the share whose person was referred again within %(months)s months: another "
    "referral of the same person (same date of birth and same legal name, read without "
    "accents, capitals or extra spaces; or a record the agency merged with theirs), at any "
    "agency and under any court file, received 1 to %(days)s days after the day of the "
    "exclusion. A transfer between agencies is not a new referral. Only the exclusions whose "
    "%(days)s days have all gone by before today are in the share: for the others it is not "
    "known yet."
)


def _definition(sentence, months: int):
    """The sentence for a window, translated when it is read (not when this module loads)."""
    return lazy(lambda: sentence % {"months": months, "days": WINDOWS[months]}, str)()


FIGURES = {
    (Status.COMPLETED, 12): Figure(
        "rereferred_12_after_completion",
        _("Referred again within 12 months of completing"),
        _definition(AFTER_COMPLETION, 12),
        unit=SHARE,
    ),
    (Status.COMPLETED, 24): Figure(
        "rereferred_24_after_completion",
        _("Referred again within 24 months of completing"),
        _definition(AFTER_COMPLETION, 24),
        unit=SHARE,
    ),
    (Status.DISCHARGED, 12): Figure(
        "rereferred_12_after_discharge",
        _("Referred again within 12 months of an exclusion from the program"),
        _definition(AFTER_DISCHARGE, 12),
        unit=SHARE,
    ),
    (Status.DISCHARGED, 24): Figure(
        "rereferred_24_after_discharge",
        _("Referred again within 24 months of an exclusion from the program"),
        _definition(AFTER_DISCHARGE, 24),
        unit=SHARE,
    ),
}


def _next_referral():
    """The day the closed referral's person was next referred, after the closing day, at any
    agency; transfers are the same referral moving, not a new one.

    The same person is found three ways, each through its own index, and the earliest day kept
    (PostgreSQL's LEAST passes over the ways that found nothing): by date of birth and folded
    legal name (`Participant.name_key`, a stored column indexed with the date of birth, so that
    no name is folded at query time); by the participant record itself; by a record the agency
    merged into it. One OR of the three would let PostgreSQL use none of the indexes and read
    every later referral for each closing.
    """
    later = Referral.objects.filter(received_on__gt=OuterRef("closed_on")).exclude(
        via=Referral.Via.TRANSFER
    )
    ways = (
        # A de-identified person (referrals.retention) has no name left to match on: without
        # this, everyone de-identified born the same year would be one person.
        Q(
            participant__date_of_birth=OuterRef("participant__date_of_birth"),
            participant__name_key=OuterRef("participant__name_key"),
        )
        & ~Q(participant__name_key=""),
        Q(participant=OuterRef("person")),
        Q(participant__merged_into=OuterRef("person")),
    )
    firsts = [
        Subquery(
            later.filter(way)
            .exclude(pk=OuterRef("pk"))
            .order_by("received_on")
            .values("received_on")[:1]
        )
        for way in ways
    ]
    return Least(*firsts)


def _closings(scope: Scope, current: Period, previous: Period):
    """The scope's completions and exclusions of both periods, each with the day it closed and
    the day the person was next referred, counted by (status, closing day, next referral): one
    query."""
    return (
        scope.rows(Referral.objects.all(), court="court")
        .filter(
            status__in=CLOSINGS,
            status_changed_at__gte=previous.starts_at,
            status_changed_at__lt=current.ends_before,
        )
        # A closed status is final: the moment it was set is the closing.
        .annotate(
            closed_on=TruncDate("status_changed_at"),
            person=Coalesce("participant__merged_into", "participant"),
        )
        .annotate(again_on=_next_referral())
        .values("status", "closed_on", "again_on")
        .annotate(closings=Count("pk"))
        .order_by()
    )


def _share(again: int, known: int) -> float | None:
    return again / known if known else None


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    today = timezone.localdate()
    # {(status, months, "now"|"before"): [known, referred again]}
    tally = {
        (status, months, when): [0, 0] for status, months in FIGURES for when in ("now", "before")
    }
    for row in _closings(scope, current, previous):
        closed_on: date = row["closed_on"]
        when = "now" if closed_on >= current.start else "before"
        for months, days in WINDOWS.items():
            # Known once every day of the window has gone by.
            if closed_on + timedelta(days=days) >= today:
                continue
            counts = tally[(row["status"], months, when)]
            counts[0] += row["closings"]
            if row["again_on"] and row["again_on"] <= closed_on + timedelta(days=days):
                counts[1] += row["closings"]
    results = []
    for (status, months), figure in FIGURES.items():
        known_now, again_now = tally[(status, months, "now")]
        known_before, again_before = tally[(status, months, "before")]
        results.append(
            Result(
                figure,
                _share(again_now, known_now),
                _share(again_before, known_before),
                counted=(known_now, known_before),
            )
        )
    return results


SECTION = Section(
    "rereferral",
    _("Re-referral"),
    "cases",
    tuple(FIGURES.values()),
    compute,
)
