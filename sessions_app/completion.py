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
from referrals.models import EventKind, TimelineEntry
from referrals.reasons import Reason
from sessions_app.models import MODULE_COUNT, Attendance, Enrollment, Session

ALL_MODULES = frozenset(range(1, MODULE_COUNT + 1))
ABSENT = (Attendance.Status.EXCUSED, Attendance.Status.UNEXCUSED)


def counts(late_threshold: int) -> Q:
    """The attendance rows that count for a module."""
    return Q(status=Attendance.Status.PRESENT) | Q(
        status=Attendance.Status.LATE, minutes_late__lte=late_threshold
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
    """The numbers of the modules the referral has attended in a way that counts."""
    rows = Attendance.objects.filter(referral=referral).filter(
        counts(referral.agency.late_threshold_minutes)
    )
    return frozenset(rows.values_list("session__module__number", flat=True))


def progress(*, referral) -> Progress:
    """Modules attended, and when the rest can be done in the referral's group."""
    attended = modules_attended(referral=referral)
    return Progress(attended, _projected_finish(referral, ALL_MODULES - attended))


def progress_for(*, referrals) -> dict[int, Progress]:
    """Referral id → modules attended, for a page of referrals, in one query."""
    referrals = list(referrals)
    attended: dict[int, set] = {referral.pk: set() for referral in referrals}
    if not referrals:
        return {}
    thresholds = {
        referral.agency_id: referral.agency.late_threshold_minutes for referral in referrals
    }
    rows = (
        Attendance.objects.filter(referral__in=attended)
        .filter(status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE])
        .values_list(
            "referral_id", "agency_id", "status", "minutes_late", "session__module__number"
        )
    )
    for referral_id, agency_id, status, minutes_late, number in rows:
        if status == Attendance.Status.PRESENT or minutes_late <= thresholds[agency_id]:
            attended[referral_id].add(number)
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
