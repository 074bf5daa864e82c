"""Transfers: a person moves, and their referral goes to an agency near their new home.

The sending agency asks (with the participant's signed consent); the receiving agency accepts
or declines. While it decides, the receiving agency reads only the summary written when the
transfer was asked, never the sending agency's records. On acceptance it gets its own
participant and referral, which shows the history it came with up to that moment; the sending
agency keeps its referral, closed, read-only.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipv.audit.services import Action, audit_record
from referrals.models import (
    ORDER_DETAILS,
    PARTICIPANT_DETAILS,
    SOURCE_DETAILS,
    Consent,
    EventKind,
    Milestone,
    Participant,
    Referral,
    Transfer,
)
from referrals.services.milestones import milestone_record
from referrals.services.referrals import (
    check_program_offered,
    event_record,
    referral_locked,
    transition_apply,
)


def _audit(transfer, action, *, by, agency, event, label=None):
    """An event in `agency`'s trail, named by what that agency knows: its own referral (the
    sender's, or the receiver's new one), else the agency the transfer came from."""
    audit_record(
        action=action,
        actor=by,
        agency=agency,
        target=transfer,
        label=label or transfer.referral,
        details={"event": event},
    )


def transfer_summary(referral: Referral, *, modules_attended) -> dict:
    """What an intake worker needs to decide on a transfer, and nothing more: who, in which
    language, which program and order, the order's dates, where the referral stands and the
    modules attended (counted by the program's app, which asks). Nothing of the people named
    in the order, no contact details, no birth date, no court file number, charges or
    referrer."""
    person = referral.participant
    return {
        "name": person.display_name,
        "language": person.language,
        "interpreter_language": person.interpreter_language if person.interpreter_needed else "",
        "program": referral.program,
        "stream": referral.stream,
        "source_order": referral.source_order,
        "court": {"fr": referral.court.name_fr, "en": referral.court.name_en},
        "order_date": referral.order_date.isoformat(),
        "return_court_date": (
            referral.return_court_date.isoformat() if referral.return_court_date else None
        ),
        "complete_by": referral.complete_by.isoformat(),
        "status": referral.status,
        "modules_attended": sorted(modules_attended),
    }


@transaction.atomic
def transfer_request(
    *, referral: Referral, by, to_agency, reason: str, consent_signed_on, modules_attended
):
    """Ask another agency to take the referral over. `modules_attended` (the numbers) goes in
    the summary the other agency reads: sessions_app.services.program counts them."""
    referral = referral_locked(referral)
    if not referral.is_open:
        raise ValidationError(_("A closed referral cannot be transferred."), code="closed")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    if to_agency.pk == referral.agency_id:
        raise ValidationError({"to_agency": _("Choose another agency.")}, code="same")
    check_program_offered(agency=to_agency, program=referral.program)
    if consent_signed_on > timezone.localdate():
        raise ValidationError(
            {"consent_signed_on": _("A consent cannot be signed in the future.")}, code="future"
        )
    transfer = Transfer(
        agency_id=referral.agency_id,
        to_agency=to_agency,
        referral=referral,
        reason=reason,
        consent_signed_on=consent_signed_on,
        requested_by=by,
        summary=transfer_summary(referral, modules_attended=modules_attended),
    )
    transfer.full_clean(exclude=["agency", "referral", "requested_by", "to_agency"])
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        raise ValidationError(
            _("A transfer of this referral is already waiting."), code="pending"
        ) from None
    Consent.objects.create(
        agency_id=referral.agency_id,
        participant_id=referral.participant_id,
        referral=referral,
        kind=Consent.Kind.RELEASE_TRANSFER,
        signed_on=consent_signed_on,
        recorded_by=by,
    )
    event_record(
        referral,
        EventKind.TRANSFER_REQUESTED,
        by=by,
        reason=reason,
        to_agency=to_agency.name_en,
    )
    _audit(
        transfer,
        Action.RECORD_CREATED,
        by=by,
        agency=referral.agency,
        event=EventKind.TRANSFER_REQUESTED,
    )
    return transfer


def _transfer_locked(transfer: Transfer) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("referral__participant", "agency", "to_agency")
        .get(pk=transfer.pk)
    )
    if transfer.status != Transfer.Status.PENDING:
        raise ValidationError(
            _("This transfer was already answered or cancelled."), code="answered"
        )
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, by) -> Transfer:
    """The sending agency takes its request back before it is answered."""
    transfer = _transfer_locked(transfer)
    transfer.status = Transfer.Status.CANCELLED
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.save()
    event_record(transfer.referral, EventKind.TRANSFER_CANCELLED, by=by)
    _audit(
        transfer,
        Action.RECORD_CHANGED,
        by=by,
        agency=transfer.agency,
        event=EventKind.TRANSFER_CANCELLED,
    )
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: Transfer, by, note: str) -> Transfer:
    """The receiving agency says no, and why; the referral stays where it was."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why, for the other agency.")}, code="note")
    transfer = _transfer_locked(transfer)
    transfer.status = Transfer.Status.DECLINED
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.decision_note = note.strip()
    transfer.save()
    event_record(
        transfer.referral,
        EventKind.TRANSFER_DECLINED,
        by=by,
        reason=transfer.decision_note,
    )
    _audit(
        transfer,
        Action.RECORD_CHANGED,
        by=by,
        agency=transfer.to_agency,
        event=EventKind.TRANSFER_DECLINED,
        label=transfer.agency,
    )
    return transfer


@transaction.atomic
def transfer_accept(*, transfer: Transfer, by, note: str = "") -> Referral:
    """The receiving agency takes the referral: a participant and a referral of its own (the
    order unchanged, received today); the sending agency's referral closes as transferred.
    The "transferred" milestone written here is how the confidential store hands the people
    named in the order to the receiving agency's partner-contact workers (victims.consumers)."""
    transfer = _transfer_locked(transfer)
    old = referral_locked(transfer.referral)
    receiving = transfer.to_agency
    check_program_offered(agency=receiving, program=old.program)
    source = old.participant
    person = Participant.objects.create(
        agency=receiving, **{field: getattr(source, field) for field in PARTICIPANT_DETAILS}
    )
    new = Referral.objects.create(
        agency=receiving,
        participant=person,
        submitted_by=by,
        via=Referral.Via.TRANSFER,
        accepted_at=timezone.now(),
        accepted_by=by,
        transferred_from=old,
        **{field: getattr(old, field) for field in ORDER_DETAILS + SOURCE_DETAILS},
    )
    milestone_record(referral=new, kind=Milestone.Kind.ACCEPTED, by=by)
    transfer.status = Transfer.Status.ACCEPTED
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.decision_note = (note or "").strip()
    transfer.new_referral = new
    transfer.save()
    transition_apply(
        old,
        "transfer_out",
        by=by,
        reason=transfer.reason,
        to_agency=receiving.name_en,
        new_referral=new.pk,
    )
    event_record(
        new,
        EventKind.TRANSFERRED_IN,
        by=by,
        reason=transfer.reason,
        to_status=new.status,
        from_agency=transfer.agency.name_en,
    )
    from referrals.services.duplicates import duplicates_flag

    duplicates_flag(participant=person)
    _audit(
        transfer,
        Action.RECORD_CREATED,
        by=by,
        agency=receiving,
        event=EventKind.TRANSFERRED_IN,
        label=new,
    )
    return new
