"""Taking attendance, and what follows from it: a referral whose twelve modules are attended
completes (and its certificate is issued); one whose absences reach the agency's limits is
flagged for the intake worker's review."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fees.selectors import fee_rule_met
from ipv.core.search import by_name
from referrals.models import CLOSED_STATUSES, Milestone, Referral, Status
from referrals.reasons import MODULES_ATTENDED, Reason
from referrals.services.milestones import milestone_record
from referrals.services.referrals import referrals_touched, transition_apply
from sessions_app import completion
from sessions_app.models import Attendance, Enrollment, Session
from sessions_app.selectors import in_a_group_on
from sessions_app.services.documents import certificate_issue
from sessions_app.services.enrollment import enrollment_follow

# Said ahead of a session, an absence can be excused; nothing else is known before it starts.
BEFORE_THE_SESSION = {Attendance.Status.EXCUSED}


@dataclass(frozen=True)
class Mark:
    """What the facilitator noted for one person at one session."""

    referral_id: int
    status: str
    minutes_late: int | None = None
    note: str = ""


def expected_ids(*, session: Session, among=None) -> set[int]:
    """The referrals expected at the session: those enrolled in the group that day, and the
    make-up attendees added from other groups; with `among` (referral ids), only those of
    them who are (a line saved on its own asks about its person, not the whole roster)."""
    enrolled = Enrollment.objects.filter(
        group_id=session.group_id, start_date__lte=session.date
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=session.date))
    makeups = Attendance.objects.filter(session=session, makeup=True)
    if among is not None:
        enrolled = enrolled.filter(referral_id__in=among)
        makeups = makeups.filter(referral_id__in=among)
    ids = {*enrolled.values_list("referral_id", flat=True)}
    ids.update(makeups.values_list("referral_id", flat=True))
    return ids


def roster(*, session: Session, among=None) -> list[Referral]:
    """Who is expected at the session (expected_ids), by name."""
    return list(
        Referral.objects.filter(pk__in=expected_ids(session=session, among=among))
        .select_related("participant")
        .order_by(*by_name("participant__legal_name"), "pk")
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
    longest = session.group.duration_minutes
    if mark.status == Attendance.Status.LATE and mark.minutes_late > longest:
        return _(
            "The session lasts %(minutes)s minutes: later than that is an absence, not a delay."
        ) % {"minutes": longest}
    return None


def _lock(referral_ids) -> None:
    """Hold the referrals until the transaction ends, always in the same order: two saves
    that touch the same person (a roster and a make-up at once) run one after the other, the
    second one seeing the first one's marks, so the program completes once and nobody's mark is
    refused for a status the first save has just changed."""
    list(
        Referral.objects.select_for_update()
        .filter(pk__in=referral_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def attendance_record(*, session: Session, by, marks: list[Mark], makeup=False) -> dict:
    """Save the marks of a session. Saving again (another tab, a double click) updates the
    same rows. Returns referral id → the error that kept its mark from being saved."""
    session = Session.objects.select_related("group__agency").get(pk=session.pk)
    _lock([mark.referral_id for mark in marks])
    # A closed file keeps the marks it was closed on: what the discharge, the certificate or the
    # transfer relied on, and what the court was told, is not rewritten afterwards.
    closed = dict(
        Referral.objects.filter(
            pk__in=[mark.referral_id for mark in marks], status__in=CLOSED_STATUSES
        ).values_list("pk", "status")
    )
    marked = [mark.referral_id for mark in marks]
    expected = expected_ids(session=session, among=marked)
    errors, rows = {}, []
    before = {
        referral_id: (status, minutes, note)
        for referral_id, status, minutes, note in Attendance.objects.filter(
            session=session, referral_id__in=marked
        ).values_list("referral_id", "status", "minutes_late", "note")
    }
    for mark in marks:
        problem = _check(session, mark, expected, makeup)
        if makeup and problem is None:
            problem = _check_makeup(session, mark.referral_id)
        if problem:
            errors[mark.referral_id] = problem
            continue
        late = mark.status == Attendance.Status.LATE
        minutes = mark.minutes_late if late else None
        if before.get(mark.referral_id) == (mark.status, minutes, mark.note.strip()) and not makeup:
            continue  # unchanged: it keeps when and by whom it was recorded
        noted = before.get(mark.referral_id)
        changed = noted is not None and noted != (mark.status, minutes, mark.note.strip())
        # A completed file may still take a mark noted a moment late (it changes nothing the
        # certificate says); a discharged, withdrawn or transferred one takes none: the court,
        # or the agency it went to, decided on what it had.
        if mark.referral_id in closed and (changed or closed[mark.referral_id] != Status.COMPLETED):
            errors[mark.referral_id] = _(
                "This person's file is closed (%(status)s): their attendance no longer changes."
            ) % {"status": Status(closed[mark.referral_id]).label}
            continue
        rows.append(
            Attendance(
                agency_id=session.agency_id,
                session=session,
                referral_id=mark.referral_id,
                status=mark.status,
                minutes_late=minutes,
                note=mark.note.strip(),
                makeup=makeup,
                recorded_by=by,
                recorded_at=timezone.now(),
            )
        )
    # One statement for the whole roster; a row saved again (another tab) is updated, and
    # someone who came as a make-up stays one.
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "referral"],
        update_fields=["status", "minutes_late", "note", "recorded_by", "recorded_at"]
        + (["makeup"] if makeup else []),
    )
    referrals_touched(row.referral_id for row in rows)
    absences = [row for row in rows if row.status in completion.ABSENT]
    absent = Referral.objects.in_bulk([row.referral_id for row in absences])
    for row in absences:
        milestone_record(
            referral=absent[row.referral_id],
            kind=Milestone.Kind.ABSENCE_RECORDED,
            by=by,
            session=session.pk,
            excused=row.status == Attendance.Status.EXCUSED,
        )
    follow_up([row.referral_id for row in rows], by)
    return errors


def _check_makeup(session: Session, referral_id: int) -> str | None:
    referral = (
        Referral.objects.filter(pk=referral_id, agency_id=session.agency_id)
        .filter(in_a_group_on(session.date))
        .first()
    )
    if referral is None:
        return _("Only someone enrolled in a group can come as a make-up.")
    if referral.program != session.group.program:
        return _("This person follows the other program.")
    return None


def follow_up(referral_ids, by) -> None:
    """Complete the referrals whose twelve modules are now attended; flag for review those
    whose absences reached the agency's limits. The caller holds the transaction."""
    _lock(referral_ids)  # their status is read once they are held: it cannot change under us
    referrals = list(
        Referral.objects.filter(pk__in=referral_ids, status=Status.ENROLLED).select_related(
            "agency", "participant", "court"
        )
    )
    if not referrals:
        return
    progress = completion.progress_for(referrals=referrals)
    reasons = completion.review_reasons(referrals=referrals)
    for referral in referrals:
        if progress[referral.pk].is_complete and fee_rule_met(referral):
            transition_apply(referral, "complete", by=by, reason=Reason(MODULES_ATTENDED))
            enrollment_follow(referral=referral)
            certificate_issue(referral=referral, by=by)
        elif referral.pk in reasons:
            transition_apply(referral, "flag_non_compliance", by=by, reason=reasons[referral.pk])
