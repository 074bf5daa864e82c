"""Writes about referrals: recording one (by the agency or by the court), correcting it, and
moving it through its statuses.

Every write is one transaction and leaves a line in the referral's timeline (`TimelineEntry`)
and an event in the audit trail; pghistory records the rows themselves.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory.models import Agency
from ipv.accounts.models import Membership, Role
from ipv.audit.services import Action, audit_record
from ipv.notifications.models import Audience, Kind
from ipv.notifications.services import email_enqueue, messages_cancel, messages_readdress
from ipv.notifications.texts import canadian_mobile_number
from referrals.models import (
    ACCEPTED,
    DischargeReason,
    EventKind,
    Milestone,
    Participant,
    Referral,
    TimelineEntry,
)
from referrals.reasons import Reason
from referrals.services.milestones import milestone_record

# Transitions a worker asks for with a reason alone; the others have forms of their own.
REASON_TRANSITIONS = (
    "contact",
    "waitlist",
    "flag_non_compliance",
    "resume",
    "discharge",
    "withdraw",
)

# Set by the services, not by whoever fills a form (the status only through transitions).
REFERRAL_CLEAN_EXCLUDE = ["agency", "participant", "submitted_by", "accepted_by", "status"]

# The order in which the referral page offers what can be done: the usual next step first.
ACTION_ORDER = [
    "contact",
    "book_intake",
    "complete_intake",
    "miss_intake",
    "waitlist",
    "enroll",
    "resume",
    "flag_non_compliance",
    "discharge",
    "return_to_court",
    "withdraw",
]


def event_record(
    referral, kind, *, by, reason: str | Reason = "", from_status="", to_status="", **details
) -> TimelineEntry:
    """Add a line to the referral's timeline. A reason the software gives (a `Reason`) is kept
    as its code and values, to be worded in the reader's language; a person's, as written."""
    system = reason if isinstance(reason, Reason) else None
    return TimelineEntry.objects.create(
        agency_id=referral.agency_id,
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason="" if system else reason,
        reason_code=system.code if system else "",
        reason_params=system.params if system else {},
        by=by,
        details=details,
    )


def _audit(action, *, referral, by, **details):
    audit_record(
        action=action,
        actor=by,
        agency=referral.agency,
        target=referral,
        label=referral,
        details=details,
    )


def check_program_offered(*, agency: Agency, program: str) -> None:
    if program not in agency.programs:
        raise ValidationError(
            {"program": _("This agency does not offer this program.")}, code="program"
        )


class AlreadySent(Exception):
    """The form was sent before: here is the referral it recorded then."""

    def __init__(self, referral: Referral):
        super().__init__(referral.pk)
        self.referral = referral


def _sent_before(*, submission_key, agency: Agency, by) -> None:
    """Raise AlreadySent when this form already recorded a referral. Two sends at the same
    moment wait for each other here, so the second finds what the first recorded."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [str(submission_key)]
        )
    earlier = Referral.objects.filter(submission_key=submission_key).first()
    if earlier is None:
        return
    if earlier.agency_id != agency.pk or earlier.submitted_by_id != by.pk:
        raise ValidationError(_("This form was already sent. Open a new one."), code="sent")
    raise AlreadySent(earlier)


@transaction.atomic
def referral_create(
    *,
    agency: Agency,
    by,
    participant: dict,
    order: dict,
    people_named: int = 0,
    via: str = Referral.Via.STAFF,
    submission_key=None,
) -> Referral:
    """Record a court referral and the person it concerns.

    The victims and partners named in the order go to the confidential store (a higher
    layer, victims.services.referral_create_naming, which calls this); the referral keeps no
    trace of them but their number, `people_named`. A new person who resembles one the
    agency already knows is flagged for a worker to merge or keep apart.
    """
    from referrals.services.duplicates import duplicates_flag

    if submission_key is not None:
        _sent_before(submission_key=submission_key, agency=agency, by=by)
    check_program_offered(agency=agency, program=order["program"])
    person = Participant(agency=agency, **participant)
    person.full_clean(exclude=["agency", "merged_into"])
    person.save()
    referral = Referral(
        agency=agency,
        participant=person,
        submitted_by=by,
        via=via,
        submission_key=submission_key,
        **order,
    )
    if via == Referral.Via.STAFF:
        referral.accepted_at, referral.accepted_by = timezone.now(), by
    referral.full_clean(exclude=REFERRAL_CLEAN_EXCLUDE)
    referral.save()
    if referral.is_accepted:
        milestone_record(referral=referral, kind=Milestone.Kind.ACCEPTED, by=by)
    kind = EventKind.E_REFERRAL if via == Referral.Via.E_REFERRAL else EventKind.CREATED
    event_record(referral, kind, by=by, to_status=referral.status, people_named=people_named)
    duplicates_flag(participant=person)
    _audit(Action.RECORD_CREATED, referral=referral, by=by, via=via)
    return referral


@transaction.atomic
def e_referral_submit(
    *,
    officer,
    agency: Agency,
    participant: dict,
    order: dict,
    people_named: int = 0,
    submission_key=None,
) -> Referral:
    """A court liaison officer sends a referral from one of their courts to an agency that
    serves that court. It lands in the agency's intake queue as received, not yet accepted."""
    court = order["court"]
    if not officer.liaison.courts.filter(pk=court.pk).exists():
        raise ValidationError({"court": _("Choose one of your courts.")}, code="court")
    if not agency.courts.filter(pk=court.pk).exists():
        raise ValidationError(
            {"agency": _("This agency does not serve that court.")}, code="agency"
        )
    referral = referral_create(
        agency=agency,
        by=officer,
        participant=participant,
        order=order,
        people_named=people_named,
        via=Referral.Via.E_REFERRAL,
        submission_key=submission_key,
    )
    _tell_intake_workers(referral)
    return referral


def referrals_touched(referral_ids) -> None:
    """What the court follows of these referrals changed elsewhere (attendance, a document for
    the court): their `updated_at` moves, so that a court system syncing by change reads them
    again (ipv.api). The row's history is not written for it: only that column changes."""
    Referral.objects.filter(pk__in=list(referral_ids)).update(updated_at=timezone.now())


def _tell_intake_workers(referral: Referral) -> None:
    """An email to the agency's intake workers that a referral waits: no name, no details."""
    workers = Membership.objects.filter(
        agency=referral.agency, role=Role.INTAKE, is_active=True, user__is_active=True
    ).select_related("user")
    for membership in workers:
        user = membership.user
        with translation.override(user.preferred_language):
            path = reverse(
                "agency:referral_detail",
                kwargs={"agency_slug": referral.agency.slug, "pk": referral.pk},
            )
        email_enqueue(
            to=user.email,
            template="e_referral_received",
            context={"agency": referral.agency, "url": settings.IPV_BASE_URL + path},
            language=user.preferred_language,
            key=f"e_referral:{referral.pk}:{user.pk}",
            kind=Kind.E_REFERRAL_RECEIVED,
            audience=Audience.STAFF,
            agency=referral.agency,
        )


@transaction.atomic
def e_referral_accept(*, referral: Referral, by) -> Referral:
    """The agency takes on an e-referral: the court sees it accepted."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.is_accepted:
        raise ValidationError(_("This referral was already accepted."), code="accepted")
    if not referral.is_open:
        raise ValidationError(_("This referral is closed."), code="closed")
    referral.accepted_at, referral.accepted_by = timezone.now(), by
    referral.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    event_record(referral, EventKind.ACCEPTED, by=by)
    milestone_record(referral=referral, kind=Milestone.Kind.ACCEPTED, by=by)
    _audit(Action.RECORD_CHANGED, referral=referral, by=by, event=EventKind.ACCEPTED)
    return referral


def _apply_changes(instance, changes: dict, exclude=()) -> list[str]:
    """Set the fields that differ; return their names (never their values: they may be
    sensitive, and the row history keeps both sides)."""
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, changes[name])
    instance.full_clean(exclude=list(exclude))
    return changed


@transaction.atomic
def referral_update(*, referral: Referral, by, **changes) -> Referral:
    """Correct a referral's order or source details."""
    if not referral.is_open:
        raise ValidationError(_("A closed referral cannot be changed."), code="closed")
    if "program" in changes:
        check_program_offered(agency=referral.agency, program=changes["program"])
    changed = _apply_changes(referral, changes, exclude=REFERRAL_CLEAN_EXCLUDE)
    if changed:
        referral.save()
        event_record(referral, EventKind.EDITED, by=by, fields=changed)
        _audit(Action.RECORD_CHANGED, referral=referral, by=by, fields=changed)
    return referral


def _pending_readdress(participant: Participant, changed) -> None:
    """The address or number changed: what was written for the old one goes to the new one,
    or nowhere when there is no new one (the old may now be someone else's, a partner's)."""
    for field, channel in (("email", "email"), ("phone", "sms")):
        if field not in changed:
            continue
        prefix = f"participant:{participant.pk}:{channel}:"
        if channel == "email":
            to = participant.email
        else:
            to = canadian_mobile_number(participant.phone) if participant.phone else None
        if to:
            messages_readdress(key_prefix=prefix, to=to)
        else:
            messages_cancel(key_prefix=prefix, reason="address changed")


@transaction.atomic
def participant_update(*, participant: Participant, by, **changes) -> Participant:
    """Correct a participant's details."""
    changed = _apply_changes(participant, changes, exclude=["agency", "merged_into"])
    if changed:
        participant.save()
        # Agreement withdrawn: what was written for that channel does not leave.
        for field, channel in (("consent_email", "email"), ("consent_sms", "sms")):
            if field in changed and not getattr(participant, field):
                messages_cancel(
                    key_prefix=f"participant:{participant.pk}:{channel}:",
                    reason="consent withdrawn",
                )
        _pending_readdress(participant, changed)
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=by,
            agency=participant.agency,
            target=participant,
            label=participant.audit_label(),
            details={"fields": changed},
        )
    return participant


def transition_of(referral: Referral, name: str):
    """The transition `name` from the referral's current status, or None."""
    method = getattr(type(referral), name, None)
    meta = getattr(method, "_django_fsm", None)
    return meta.get_transition(referral.status) if meta else None


def actions_available(referral: Referral) -> list:
    """The transitions that start from the referral's status, with their labels and forms.

    Their guards are checked when one is taken, and a refusal says why. A transfer starts
    from its own request, not from here.
    """
    available = [
        transition
        for transition in referral.get_all_status_transitions()
        if transition.source == referral.status
        and transition.name in ACTION_ORDER
        # Until the agency accepts an e-referral, it can only accept, return or withdraw it.
        and (referral.is_accepted or ACCEPTED not in transition.conditions)
    ]
    return sorted(available, key=lambda transition: ACTION_ORDER.index(transition.name))


def check_transition(referral: Referral, name: str):
    """Raise a ValidationError that says why `name` cannot be done now, if it cannot."""
    transition = transition_of(referral, name)
    if transition is None:
        raise ValidationError(
            _("Not possible while the referral is “%(status)s”.")
            % {"status": referral.get_status_display()},
            code="status",
        )
    failed = [guard.message for guard in transition.conditions if not guard(referral)]
    if failed:
        raise ValidationError(failed, code="guard")
    return transition


def transition_apply(referral: Referral, name: str, *, by, reason: str | Reason, **details):
    """Take transition `name` (the caller holds the row lock and the transaction). Only the
    referral changes: what follows in other apps (a place in a group, documents) is done by
    the service of the app that owns it, which calls this one."""
    if not isinstance(reason, Reason):
        reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    transition = check_transition(referral, name)
    before = referral.status
    getattr(referral, name)()
    referral.status_changed_at = timezone.now()
    referral.save()
    event_record(
        referral,
        name,
        by=by,
        reason=reason,
        from_status=before,
        to_status=referral.status,
        **details,
    )
    if transition.custom["milestone"]:
        milestone_record(
            referral=referral,
            kind=transition.custom["milestone"],
            by=by,
            # The ids among the details (a group, the new referral), never names or text.
            **{key: value for key, value in details.items() if isinstance(value, int)},
        )
    _audit(Action.STATUS_CHANGED, referral=referral, by=by, before=before, after=referral.status)
    return referral


def referral_locked(referral: Referral) -> Referral:
    """The referral again, locked for this transaction (two workers, one click each)."""
    return Referral.objects.select_for_update().select_related("agency").get(pk=referral.pk)


@transaction.atomic
def referral_transition(
    *, referral: Referral, name: str, by, reason: str, discharge_reason: str = ""
) -> Referral:
    """Move a referral along one of the transitions that need only a reason: the referral's
    side alone. The referral page goes through sessions_app.services.program, which also
    frees the person's place in a group when the referral closes.

    A discharge also takes its reason as a code (`DischargeReason`), so that discharges can
    be counted by why; the other transitions take none."""
    if name not in REASON_TRANSITIONS:
        raise ValueError(f"{name} is not a reason-only transition")
    referral = referral_locked(referral)
    if name == EventKind.DISCHARGE:
        if discharge_reason not in DischargeReason.values:
            raise ValidationError(
                {"discharge_reason": _("Choose why the person is discharged.")},
                code="discharge_reason",
            )
        referral.discharge_reason = discharge_reason
        return transition_apply(
            referral, name, by=by, reason=reason, discharge_reason=discharge_reason
        )
    if discharge_reason:
        raise ValueError("only a discharge has a discharge reason")
    return transition_apply(referral, name, by=by, reason=reason)
