"""The completion engine: which of the twelve modules a referral has attended, what remains,
when it can end, and whether its absences call for a review.

An attendance counts when the person was present, or late by no more than the agency's
threshold, at a session of any group of the referral's program (make-ups included). Modules are
counted by number: the version of the curriculum a session taught does not matter.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from referrals import reasons
from referrals.models import EventKind, Referral, TimelineEntry
from referrals.reasons import Reason
from sessions_app.models import MODULE_COUNT, Attendance, Enrollment, Session

ALL_MODULES = frozenset(range(1, MODULE_COUNT + 1))
ABSENT = (Attendance.Status.EXCUSED, Attendance.Status.UNEXCUSED)


# The attendance rows that count for a module: present, or late by no more than the threshold
# of the agency where the session was held (a transfer brings attendance from another agency).
COUNTS = Q(status=Attendance.Status.PRESENT) | Q(
    status=Attendance.Status.LATE, minutes_late__lte=F("agency__late_threshold_minutes")
)


def order_chains(referrals) -> dict[int, list[int]]:
    """Referral id → its id and those of the referrals it was transferred from, newest first:
    one court order, followed from agency to agency. One query per transfer in the longest
    chain (none when nobody on the page was transferred)."""
    chains = {referral.pk: [referral.pk] for referral in referrals}
    tips = {
        referral.pk: referral.transferred_from_id
        for referral in referrals
        if referral.transferred_from_id
    }
    while tips:
        for pk, previous in tips.items():
            chains[pk].append(previous)
        earlier = dict(
            Referral.objects.filter(
                pk__in=tips.values(), transferred_from__isnull=False
            ).values_list("pk", "transferred_from_id")
        )
        tips = {pk: earlier[previous] for pk, previous in tips.items() if previous in earlier}
    return chains


def attendance_counted(*, referral):
    """The attendance rows that count towards the referral's completion: its own, and those of
    the referrals it was transferred from (the same court order). Read only by the completion
    engine and the certificate: a receiving agency sees no other page of them."""
    return Attendance.objects.filter(referral__in=order_chains([referral])[referral.pk]).filter(
        COUNTS
    )


@dataclass(frozen=True)
class Progress:
    attended: frozenset
    projected_finish: date | None = None

    @property
    def done(self) -> int:
        return len(self.attended)

    @property
    def remaining(self) -> list[int]:
        return sorted(ALL_MODULES - self.attended)

    @property
    def is_complete(self) -> bool:
        return self.attended >= ALL_MODULES


def modules_attended(*, referral) -> frozenset:
    """The numbers of the modules attended in a way that counts under the referral's court
    order, at this agency and at those it was transferred from."""
    rows = attendance_counted(referral=referral)
    return frozenset(rows.values_list("session__module__number", flat=True))


def progress(*, referral) -> Progress:
    """Modules attended, and when the rest can be done in the referral's group."""
    attended = modules_attended(referral=referral)
    return Progress(attended, _projected_finish(referral, ALL_MODULES - attended))


def progress_for(*, referrals) -> dict[int, Progress]:
    """Referral id → modules attended (across its transfers), for a page of referrals, in one
    query (and one per transfer in the longest chain)."""
    referrals = list(referrals)
    if not referrals:
        return {}
    chains = order_chains(referrals)
    heads: dict[int, list[int]] = {}
    for head, chain in chains.items():
        for pk in chain:
            heads.setdefault(pk, []).append(head)
    attended: dict[int, set] = {referral.pk: set() for referral in referrals}
    rows = (
        Attendance.objects.filter(referral__in=heads)
        .filter(COUNTS)
        .values_list("referral_id", "session__module__number")
    )
    for referral_id, number in rows:
        for head in heads[referral_id]:
            attended[head].add(number)
    return {pk: Progress(frozenset(numbers)) for pk, numbers in attended.items()}


def _projected_finish(referral, remaining) -> date | None:
    """The date of the group session by which every remaining module will have been taught,
    if the person attends from now on; None when done, not in a group, or beyond the
    sessions scheduled so far."""
    if not remaining:
        return None
    enrollment = Enrollment.objects.filter(referral=referral, ended_on__isnull=True).first()
    if enrollment is None:
        return None
    upcoming = (
        Session.objects.filter(
            group_id=enrollment.group_id,
            status=Session.Status.SCHEDULED,
            date__gte=max(timezone.localdate(), enrollment.start_date),
        )
        .exclude(attendance__referral=referral)
        .order_by("date")
        .values_list("date", "module__number")
    )
    left = set(remaining)
    for day, number in upcoming:
        left.discard(number)
        if not left:
            return day
    return None


def review_reasons(*, referrals) -> dict[int, Reason]:
    """Referral id → why the absence policy calls for a review, for those it does (worded
    when read).

    Absences count from the last review on: a worker who decided the person continues is not
    asked again about the same absences. One query for all the referrals.
    """
    last_review = (
        TimelineEntry.objects.filter(referral=OuterRef("referral"), kind=EventKind.RESUME)
        .order_by("-at")
        .values("at")[:1]
    )
    tallies = (
        Attendance.objects.filter(referral__in=referrals, status__in=ABSENT)
        .annotate(last_review=Subquery(last_review))
        .filter(Q(last_review__isnull=True) | Q(recorded_at__gt=F("last_review")))
        .values("referral")
        .annotate(
            total=Count("pk"),
            unexcused=Count("pk", filter=Q(status=Attendance.Status.UNEXCUSED)),
        )
    )
    agencies = {referral.pk: referral.agency for referral in referrals}
    found = {}
    for tally in tallies:
        agency = agencies[tally["referral"]]
        if tally["unexcused"] >= agency.unexcused_absence_limit:
            found[tally["referral"]] = Reason(
                reasons.UNEXCUSED_ABSENCES,
                {"count": tally["unexcused"], "limit": agency.unexcused_absence_limit},
            )
        elif tally["total"] >= agency.absence_limit:
            found[tally["referral"]] = Reason(
                reasons.ABSENCES, {"count": tally["total"], "limit": agency.absence_limit}
            )
    return found


def review_reason(*, referral) -> Reason | None:
    """Why the absence policy calls for a review of this referral, or None."""
    return review_reasons(referrals=[referral]).get(referral.pk)
