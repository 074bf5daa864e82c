"""Taking attendance, and what follows from it: a referral whose twelve modules are attended
completes (and its certificate is issued); one whose absences reach the agency's limits is
flagged for the intake worker's review."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.models import Referral, Status
from referrals.services.referrals import referral_locked, transition_apply
from sessions_app import completion
from sessions_app.models import Attendance, Enrollment, Session
from sessions_app.services.documents import certificate_issue

# Said ahead of a session, an absence can be excused; nothing else is known before it starts.
BEFORE_THE_SESSION = {Attendance.Status.EXCUSED}


@dataclass(frozen=True)
class Mark:
    """What the facilitator noted for one person at one session."""

    referral_id: int
    status: str
    minutes_late: int | None = None
    note: str = ""


def roster(*, session: Session) -> list[Referral]:
    """Who is expected at the session: those enrolled in the group that day, then the
    make-up attendees added from other groups."""
    placed = Enrollment.objects.filter(
        referral=OuterRef("pk"), group_id=session.group_id, start_date__lte=session.date
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=session.date))
    enrolled = Referral.objects.filter(Exists(placed))
    makeups = Referral.objects.filter(attendance__session=session, attendance__makeup=True)
    return list(
        (enrolled | makeups)
        .distinct()
        .select_related("participant")
        .order_by("participant__legal_name", "pk")
    )


def _check(session: Session, mark: Mark, expected: set[int], makeup: bool) -> str | None:
    """Why this mark cannot be saved, or None."""
    if session.status == Session.Status.CANCELLED:
        return _("This session was cancelled: there is no attendance to take.")
    if not makeup and mark.referral_id not in expected:
        return _("This person is not enrolled in the group on that day.")
    if mark.status not in BEFORE_THE_SESSION and not session.has_started:
        return _("The session has not happened yet: only an excused absence can be noted.")
    if mark.status == Attendance.Status.LATE and not (mark.minutes_late or 0) > 0:
        return _("Say how many minutes late.")
    return None


@transaction.atomic
def attendance_record(*, session: Session, by, marks: list[Mark], makeup=False) -> dict:
    """Save the marks of a session. Saving again (another tab, a double click) updates the
    same rows. Returns referral id → the error that kept its mark from being saved."""
    session = Session.objects.select_related("group__agency").get(pk=session.pk)
    expected = {referral.pk for referral in roster(session=session)}
    errors, saved = {}, []
    for mark in marks:
        problem = _check(session, mark, expected, makeup)
        if makeup and problem is None:
            problem = _check_makeup(session, mark.referral_id)
        if problem:
            errors[mark.referral_id] = problem
            continue
        Attendance.objects.update_or_create(
            session=session,
            referral_id=mark.referral_id,
            defaults={
                "agency_id": session.agency_id,
                "status": mark.status,
                "minutes_late": mark.minutes_late
                if mark.status == Attendance.Status.LATE
                else None,
                "note": mark.note.strip(),
                "recorded_by": by,
                "recorded_at": timezone.now(),
                # Once someone came as a make-up, they stay one at this session.
                **({"makeup": True} if makeup else {}),
            },
        )
        saved.append(mark.referral_id)
    for referral in Referral.objects.filter(pk__in=saved).select_related("agency"):
        _follow_up(referral, by)
    return errors


def _check_makeup(session: Session, referral_id: int) -> str | None:
    referral = Referral.objects.filter(pk=referral_id, agency_id=session.agency_id).first()
    if referral is None or referral.status not in (Status.ENROLLED, Status.NON_COMPLIANT):
        return _("Only someone enrolled in a group can come as a make-up.")
    if referral.program != session.group.program:
        return _("This person follows the other program.")
    return None


def _follow_up(referral: Referral, by) -> None:
    """Complete the referral, or flag it for review, as its attendance now says."""
    if referral.status != Status.ENROLLED:
        return
    if completion.modules_attended(referral=referral) >= completion.ALL_MODULES:
        referral = referral_locked(referral)
        transition_apply(
            referral, "complete", by=by, reason=_("Each of the twelve modules attended.")
        )
        certificate_issue(referral=referral, by=by)
        return
    reason = completion.review_reason(referral=referral)
    if reason:
        transition_apply(referral_locked(referral), "flag_non_compliance", by=by, reason=reason)
