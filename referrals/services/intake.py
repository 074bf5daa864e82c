"""The intake: booking the appointment (and moving or missing it), then recording what it
found — eligibility, consents and releases signed, notes and risk flags — and, when the person
cannot start, the return to the court with the reason written for it."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipv.notifications.models import Channel, Kind
from ipv.notifications.services import Draft, messages_cancel, messages_write, within_hours
from referrals import reasons
from referrals.models import Consent, EventKind, Intake, Referral, Status
from referrals.reasons import Reason
from referrals.services.consent import StopLinks, participant_drafts
from referrals.services.referrals import event_record, referral_locked, transition_apply

# Reminders leave the day before the appointment (sent by a periodic job, see tasks.py).
REMINDER_AHEAD = timedelta(hours=24)
# An intake is booked within a year; a later date is a typing mistake.
INTAKE_AHEAD = timedelta(days=365)
INTAKE_TOO_FAR = gettext_lazy("Book the intake within a year (by %(limit)s).")


def _check_moment(scheduled_at) -> None:
    now = timezone.now()
    if scheduled_at <= now:
        raise ValidationError({"scheduled_at": _("Choose a moment in the future.")}, code="past")
    latest = now + INTAKE_AHEAD
    if scheduled_at > latest:
        limit = formats.date_format(timezone.localtime(latest), "DATETIME_FORMAT")
        raise ValidationError({"scheduled_at": INTAKE_TOO_FAR % {"limit": limit}}, code="too_far")


def _reminders_cancel(intake: Intake, referral: Referral) -> None:
    """The appointment moved or will not happen: its reminders not yet sent stay unsent."""
    for channel in Channel.values:
        messages_cancel(
            key_prefix=f"participant:{referral.participant_id}:{channel}:intake:{intake.pk}:",
            reason="intake moved or missed",
        )


@transaction.atomic
def intake_book(
    *, referral: Referral, by, scheduled_at, mode, location="", interpreter_booked=False
) -> Intake:
    """Book the intake appointment (again, after a missed one)."""
    referral = referral_locked(referral)
    _check_moment(scheduled_at)
    appointment = {
        "scheduled_at": scheduled_at,
        "mode": mode,
        "location": location,
        "interpreter_booked": interpreter_booked,
        "reminder_sent_at": None,
    }
    intake = Intake.objects.filter(referral=referral).first()
    if intake is None:
        intake = Intake(agency_id=referral.agency_id, referral=referral, booked_by=by)
    else:
        _reminders_cancel(intake, referral)
    for field, value in appointment.items():
        setattr(intake, field, value)
    intake.booked_by = by
    intake.full_clean(exclude=["agency", "referral", "booked_by"])
    intake.save()
    referral.intake = intake
    when = timezone.localtime(scheduled_at).isoformat(timespec="minutes")
    booked = Reason(reasons.INTAKE_BOOKED)
    transition_apply(referral, "book_intake", by=by, reason=booked, scheduled_at=when)
    return intake


@transaction.atomic
def intake_reschedule(
    *, referral: Referral, by, reason, scheduled_at, mode, location="", interpreter_booked=False
) -> Intake:
    """Move a booked intake to another moment; the timeline keeps both."""
    referral = referral_locked(referral)
    if referral.status != Status.INTAKE_BOOKED:
        raise ValidationError(_("There is no booked intake to move."), code="status")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    _check_moment(scheduled_at)
    intake = Intake.objects.select_for_update().get(referral=referral)
    _reminders_cancel(intake, referral)
    before = timezone.localtime(intake.scheduled_at).isoformat(timespec="minutes")
    intake.scheduled_at, intake.mode, intake.location = scheduled_at, mode, location
    intake.interpreter_booked = interpreter_booked
    intake.times_rescheduled += 1
    intake.reminder_sent_at = None
    intake.full_clean(exclude=["agency", "referral", "booked_by"])
    intake.save()
    event_record(
        referral,
        EventKind.INTAKE_RESCHEDULED,
        by=by,
        reason=reason.strip(),
        before=before,
        after=timezone.localtime(scheduled_at).isoformat(timespec="minutes"),
    )
    return intake


@transaction.atomic
def intake_missed(*, referral: Referral, by, reason: str) -> Referral:
    """The person did not come: back to "contacted", to be booked again."""
    referral = referral_locked(referral)
    intake = Intake.objects.select_for_update().filter(referral=referral).first()
    if intake is not None and referral.status == Status.INTAKE_BOOKED:
        _reminders_cancel(intake, referral)
        intake.times_missed += 1
        intake.save(update_fields=["times_missed"])
    return transition_apply(referral, "miss_intake", by=by, reason=reason)


@transaction.atomic
def intake_record(
    *,
    referral: Referral,
    by,
    held_on,
    eligibility: str,
    reason: str = "",
    court_reason: str = "",
    notes: str = "",
    risk_flags=(),
    consents: dict | None = None,
) -> Referral:
    """Record the intake's outcome.

    Eligible: the program agreement must be signed; the referral's intake is done. Not
    eligible: the referral returns to the court with the reason written for it
    (`court_reason`); `reason` stays in the agency's history (the court's reason when empty).
    The court's notice is issued by sessions_app.services.program.intake_record.
    """
    referral = referral_locked(referral)
    if referral.status != Status.INTAKE_BOOKED:
        raise ValidationError(_("Book the intake before recording it."), code="status")
    consents = {kind: signed for kind, signed in (consents or {}).items() if signed}
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("An intake cannot be recorded before it is held.")
    if eligibility == Intake.Eligibility.ELIGIBLE:
        if Consent.Kind.PROGRAM_AGREEMENT not in consents:
            errors[Consent.Kind.PROGRAM_AGREEMENT] = _(
                "The program agreement must be signed for the person to start."
            )
    elif not (court_reason or "").strip():
        errors["court_reason"] = _("Say why the person is not eligible: the court is told.")
    for kind, signed_on in consents.items():
        if signed_on > timezone.localdate():
            errors[kind] = _("A consent cannot be signed in the future.")
    if errors:
        raise ValidationError(errors)
    intake = Intake.objects.select_for_update().get(referral=referral)
    intake.held_on, intake.eligibility = held_on, eligibility
    intake.notes, intake.risk_flags = notes, sorted(set(risk_flags))
    intake.completed_at, intake.completed_by = timezone.now(), by
    intake.full_clean(exclude=["agency", "referral", "booked_by", "completed_by"])
    intake.save()
    referral.intake = intake
    Consent.objects.bulk_create(
        Consent(
            agency_id=referral.agency_id,
            participant_id=referral.participant_id,
            referral=referral,
            kind=kind,
            signed_on=signed_on,
            recorded_by=by,
        )
        for kind, signed_on in sorted(consents.items())
    )
    if eligibility == Intake.Eligibility.ELIGIBLE:
        return transition_apply(
            referral, "complete_intake", by=by, reason=reason.strip() or Reason(reasons.ELIGIBLE)
        )
    return _return(referral, by=by, reason=reason, court_reason=court_reason)


def _return(referral: Referral, *, by, reason: str, court_reason: str) -> Referral:
    court_reason = (court_reason or "").strip()
    if not court_reason:
        raise ValidationError(
            {"court_reason": _("Write the reason for the court: it is printed on its notice.")},
            code="court_reason",
        )
    reason = (reason or "").strip() or court_reason
    transition_apply(referral, "return_to_court", by=by, reason=reason)
    return referral


@transaction.atomic
def referral_return(*, referral: Referral, by, court_reason: str, reason: str = "") -> Referral:
    """Return the referral to the court (before the person starts a group), with the reason
    written for the court. `reason` stays in the agency's history (the court's reason when
    empty). The court's notice is issued by sessions_app.services.program.referral_return,
    which calls this in its transaction."""
    referral = referral_locked(referral)
    return _return(referral, by=by, reason=reason, court_reason=court_reason)


def intake_what(intake: Intake) -> str:
    """What a reminder's key says of its appointment: its moment too, so a rebooked intake is
    reminded again."""
    moment = timezone.localtime(intake.scheduled_at).isoformat(timespec="minutes")
    return f"intake:{intake.pk}:{moment}"


def intake_key(participant_id: int, channel: str, intake: Intake) -> str:
    return f"participant:{participant_id}:{channel}:{intake_what(intake)}"


def intake_reminders_send(*, now=None) -> int:
    """Remind the intakes of the next 24 hours, once each, in the participant's language,
    through the channels they agreed to, within the agency's quiet hours. Safe to run twice at
    once (rows locked, and each reminder has its key). Returns how many were written."""
    now = now or timezone.now()
    stop_links = StopLinks()
    with transaction.atomic():
        due = (
            Intake.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                completed_at__isnull=True,
                reminder_sent_at__isnull=True,
                scheduled_at__gt=now,
                scheduled_at__lte=now + REMINDER_AHEAD,
                referral__status=Status.INTAKE_BOOKED,
            )
            .select_related("referral__participant", "referral__agency")
        )
        drafts = []
        for intake in due:
            participant, agency = intake.referral.participant, intake.referral.agency
            send_after = within_hours(now, agency.quiet_hours_start, agency.quiet_hours_end)
            if send_after < intake.scheduled_at:
                drafts.extend(_intake_drafts(intake, participant, agency, send_after, stop_links))
            intake.reminder_sent_at = now
            intake.save(update_fields=["reminder_sent_at"])
        return messages_write(drafts, now=now, skip_refused=True)


def _intake_drafts(intake, participant, agency, send_after, stop_links) -> list[Draft]:
    return participant_drafts(
        participant,
        what=intake_what(intake),
        template="intake_reminder",
        context={
            "intake": intake,
            "agency": agency,
            # Written up to a day ahead: the word depends on the day it is read (sent), which
            # quiet hours may push past midnight.
            "on_the_day": timezone.localdate(intake.scheduled_at) == timezone.localdate(send_after),
        },
        email_context={"participant": participant},
        stop_links=stop_links,
        kind=Kind.INTAKE_REMINDER,
        agency=agency,
        send_after=send_after,
        expires_at=intake.scheduled_at,
    )
