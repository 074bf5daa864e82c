"""Placing a referral in a group, moving it to another, and closing its place."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals import reasons
from referrals.models import EventKind, Status
from referrals.reasons import Reason
from referrals.services.referrals import (
    check_transition,
    event_record,
    referral_locked,
    transition_apply,
)
from sessions_app.models import Attendance, Enrollment, Group
from sessions_app.services.groups import check_within_a_year


def _drop_booked_ahead(attendance) -> None:
    """Remove what was noted ahead (an excused absence) at sessions not yet started: the person
    will not be there, so it neither counts towards the absence review nor reaches a report.
    The history keeps the removed rows."""
    now = timezone.localtime()
    attendance.filter(
        Q(session__date__gt=now.date())
        | Q(session__date=now.date(), session__start_time__gt=now.time())
    ).delete()


def _check_group(referral, group) -> None:
    errors = {}
    if group.agency_id != referral.agency_id or not group.is_active:
        errors["group"] = _("Choose one of the agency's running groups.")
    elif group.program != referral.program:
        errors["group"] = _("This group runs the other program.")
    elif group.language != referral.participant.language:
        errors["group"] = _("This group is not in the person's language of service.")
    elif group.enrollments.filter(ended_on__isnull=True).count() >= group.capacity:
        errors["group"] = _("This group is full.")
    if errors:
        raise ValidationError(errors, code="group")


@transaction.atomic
def enroll(*, referral, group: Group, start_date, by) -> Enrollment:
    """Place a referral (intake done, or waitlisted) in a group."""
    referral = referral_locked(referral)
    check_transition(referral, "enroll")
    group = Group.objects.select_for_update().get(pk=group.pk)  # places are counted
    if start_date < timezone.localdate():
        raise ValidationError({"start_date": _("Choose today or a day to come.")}, code="past")
    check_within_a_year(start_date, "start_date")
    _check_group(referral, group)
    enrollment = Enrollment.objects.create(
        agency_id=referral.agency_id,
        referral=referral,
        group=group,
        start_date=start_date,
        created_by=by,
    )
    transition_apply(
        referral,
        "enroll",
        by=by,
        reason=Reason(reasons.PLACED_IN_GROUP, {"group": group.name}),
        group=group.pk,
    )
    return enrollment


@transaction.atomic
def enrollment_move(*, referral, group: Group, start_date, by, reason: str) -> Enrollment:
    """Move an enrolled person to another group; what they attended stays theirs."""
    referral = referral_locked(referral)
    if referral.status not in (Status.ENROLLED, Status.NON_COMPLIANT):
        raise ValidationError(_("The person is not in a group."), code="status")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    current = Enrollment.objects.select_for_update().get(referral=referral, ended_on__isnull=True)
    if current.group_id == group.pk:
        raise ValidationError({"group": _("The person is already in this group.")}, code="same")
    group = Group.objects.select_for_update().get(pk=group.pk)
    _check_group(referral, group)
    check_within_a_year(start_date, "start_date")
    current.ended_on = max(timezone.localdate(), current.start_date)
    current.end_reason = Enrollment.End.MOVED
    current.save(update_fields=["ended_on", "end_reason"])
    _drop_booked_ahead(
        Attendance.objects.filter(referral=referral, session__group=current.group_id)
    )
    moved = Enrollment.objects.create(
        agency_id=referral.agency_id,
        referral=referral,
        group=group,
        start_date=max(start_date, current.ended_on),
        created_by=by,
    )
    event_record(
        referral,
        EventKind.GROUP_CHANGED,
        by=by,
        reason=reason.strip(),
        from_group=current.group_id,
        to_group=group.pk,
    )
    return moved


def enrollment_close(*, referral, end: str) -> None:
    """The referral left the program (completed, discharged, withdrawn, transferred): its
    place in the group is freed, and what was noted ahead anywhere is removed. The caller
    holds the transaction."""
    # Not before it started: a place booked to start next week can end today.
    Enrollment.objects.filter(referral=referral, ended_on__isnull=True).update(
        ended_on=Greatest(F("start_date"), Value(timezone.localdate())), end_reason=end
    )
    _drop_booked_ahead(Attendance.objects.filter(referral=referral))


# How a place in a group ends when the referral closes with each status (the others: "left").
END_OF = {
    Status.COMPLETED: Enrollment.End.COMPLETED,
    Status.DISCHARGED: Enrollment.End.DISCHARGED,
}


def enrollment_follow(*, referral) -> None:
    """After the referral's status changed: a closed referral frees its place in its group.
    (A discharge is reported to the court by the worker, who previews the report first.) The
    caller holds the transaction."""
    if not referral.is_open:
        enrollment_close(referral=referral, end=END_OF.get(referral.status, Enrollment.End.LEFT))
