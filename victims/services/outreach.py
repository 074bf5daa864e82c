"""The partner-contact worker's writes: people, consent, safe-contact rules, contacts, safety
plans, tasks and their assignment, closing and reopening outreach. Each runs in a transaction
that names its agency to the row-level security policies (victims.rls)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ipv.accounts.models import Membership
from ipv.core.choices import Role
from referrals.models import Referral, Status
from sessions_app.models import GroupFacilitator
from sessions_app.selectors import current_enrollment
from victims import rules
from victims.models import (
    Assignment,
    ConsentRecord,
    Contact,
    LetterPrinted,
    OutreachTask,
    SafetyPlanVersion,
    Victim,
)
from victims.models.outreach import PLAN_SECTIONS, LetterKind, TaskKind
from victims.models.people import Channel, ConsentState, OutreachState
from victims.rls import confidential
from victims.services.messages import messages_hold_back
from victims.services.once import first_send

RULE_FIELDS = (
    "channels",
    "safe_days",
    "safe_from",
    "safe_until",
    "voicemail_ok",
    "message_ok",
    "code_word",
    "do_not_contact",
    "may_name_program",
    "safe_contact_notes",
)
PERSON_FIELDS = (
    "relationship",
    "full_name",
    "language",
    "interpreter",
    "phone",
    "email",
    "address",
)


def check_served_here(referral: Referral) -> None:
    """Refuse outreach work on a referral transferred out: the receiving agency serves its
    people now, on its own copy of their records."""
    if referral.status == Status.TRANSFERRED:
        raise ValidationError(
            _("This referral was transferred: its outreach goes on at the receiving agency."),
            code="transferred",
        )


# What the participant's program must be for a letter to say it.
LETTER_NEEDS = {
    LetterKind.START: {Status.ENROLLED, Status.NON_COMPLIANT, Status.COMPLETED, Status.DISCHARGED},
    LetterKind.DISCHARGE: {Status.DISCHARGED},
    LetterKind.COMPLETION: {Status.COMPLETED},
}


def _saved(victim: Victim, values: dict) -> Victim:
    """`victim` with `values` set, checked and saved."""
    for field, value in values.items():
        setattr(victim, field, value)
    victim.full_clean(exclude=["agency", "referral", "created_by"])
    victim.save()
    return victim


def _locked(victim: Victim) -> Victim:
    return Victim.objects.select_for_update().get(pk=victim.pk, agency_id=victim.agency_id)


def person_add(*, agency, referral: Referral, by, **details) -> Victim:
    """A person the partner-contact worker learns of (a new partner, a family or community
    member), beside the referral."""
    with confidential(agency):
        check_served_here(referral)
        victim = Victim(
            agency=agency, referral=referral, created_by=by, source=Victim.Source.OUTREACH
        )
        return _saved(victim, {f: details[f] or "" for f in PERSON_FIELDS if f in details})


# A message waiting for a safe moment was written for these: the old number or address may be
# one someone else now holds.
ADDRESS_FIELDS = ("phone", "email")


def person_update(*, victim: Victim, by, **details) -> Victim:
    """Correct who a person is and how to reach them. A new number or address holds back the
    messages written for the old one (a task each instead)."""
    with confidential(victim.agency_id):
        victim = _locked(victim)
        before = {field: getattr(victim, field) for field in ADDRESS_FIELDS}
        victim = _saved(victim, {f: details[f] or "" for f in PERSON_FIELDS if f in details})
        if any(getattr(victim, field) != before[field] for field in ADDRESS_FIELDS):
            messages_hold_back(victim=victim, by=by)
        return victim


def rules_set(*, victim: Victim, by, **values) -> Victim:
    """Record the person's safe-contact rules. A message prepared under the old rules is held
    back (a task instead): nothing written for the rules as they were goes out."""
    with confidential(victim.agency_id):
        chosen = {field: values[field] for field in RULE_FIELDS if field in values}
        victim = _saved(_locked(victim), {**chosen, "rules_updated_at": timezone.now()})
        if victim.do_not_contact:
            # Nothing may ask to contact them any more, not even a mandatory notice.
            _cancel_tasks(victim, by, keep_mandatory=False)
        messages_hold_back(victim=victim, by=by)
        return victim


def consent_record(*, victim: Victim, by, topic: str, given: bool, how: str, on) -> ConsentRecord:
    """An answer about consent. Withdrawing consent to be contacted cancels the open tasks
    that would contact them, but mandatory notices."""
    with confidential(victim.agency_id):
        victim = _locked(victim)
        record = ConsentRecord(
            agency_id=victim.agency_id,
            victim=victim,
            topic=topic,
            given=given,
            how=how,
            on=on,
            recorded_by=by,
        )
        record.full_clean()
        if on > timezone.localdate():
            raise ValidationError({"on": _("The date cannot be in the future.")})
        record.save()
        state = ConsentState.GIVEN if given else ConsentState.WITHDRAWN
        if topic == ConsentRecord.Topic.CONTACT:
            victim.consent_contact = state
            if not given:
                _cancel_tasks(victim, by, keep_mandatory=True)
        else:
            victim.consent_updates = state
        victim.save(update_fields=["consent_contact", "consent_updates"])
        if not given:
            # Every message waiting was news or contact they no longer agree to.
            messages_hold_back(victim=victim, by=by)
        return record


def _cancel_tasks(victim: Victim, by, *, keep_mandatory: bool) -> int:
    tasks = OutreachTask.objects.filter(victim=victim, state=OutreachTask.State.OPEN)
    if keep_mandatory:
        tasks = tasks.filter(mandatory=False)
    return tasks.update(state=OutreachTask.State.CANCELLED, done_at=timezone.now(), done_by=by)


def outreach_close(*, victim: Victim, by, because: str) -> Victim:
    """Close outreach for a person, with the reason; their open tasks are cancelled. A new
    milestone of the participant reopens it (victims.consumers)."""
    with confidential(victim.agency_id):
        victim = _locked(victim)
        if victim.outreach == OutreachState.CLOSED:
            raise ValidationError(_("Outreach for this person is already closed."))
        victim.outreach = OutreachState.CLOSED
        victim.closed_because = because
        victim.closed_at = timezone.now()
        victim.full_clean(exclude=["agency", "referral", "created_by"])
        victim.save()
        _cancel_tasks(victim, by, keep_mandatory=False)
        messages_hold_back(victim=victim, by=by)
        return victim


def outreach_reopen(*, victim: Victim, by) -> Victim:
    """Open outreach for a person again (the worker's own decision)."""
    with confidential(victim.agency_id):
        victim = _locked(victim)
        victim.outreach = OutreachState.OPEN
        victim.closed_because = ""
        victim.closed_at = None
        victim.save()
        return victim


def contact_log(
    *,
    victim: Victim,
    by,
    at,
    channel: str,
    outcome: str,
    services=(),
    cultural_supports=(),
    support_service=None,
    note: str = "",
    task: OutreachTask | None = None,
    inbound: bool = False,
    submission_key=None,
) -> Contact | None:
    """Log an attempt or a contact. Refused where the person's safe-contact rules forbid the
    channel, the day or the hour, or a message left; a task named is done by it."""
    with confidential(victim.agency_id):
        victim = _locked(victim)
        check_served_here(victim.referral)
        if not first_send(agency_id=victim.agency_id, by=by, key=submission_key):
            return None  # sent before: logged then
        if at > timezone.now() + timedelta(minutes=5):
            raise ValidationError({"at": _("A contact cannot be logged in the future.")})
        if task is not None and (task.victim_id != victim.pk or task.agency_id != victim.agency_id):
            raise ValidationError({"task": _("That task is not one of this person's.")})
        mandatory = task is not None and task.mandatory
        leaves = outcome == "message_left"
        # The rules say how the agency may reach them; a call or visit of theirs is logged.
        reason = None
        if not inbound:
            reason = rules.refusal(
                victim, channel=channel, at=at, leaves_message=leaves, mandatory=mandatory
            )
        if reason:
            raise ValidationError({"channel": reason}, code="unsafe")
        contact = Contact(
            agency_id=victim.agency_id,
            referral_id=victim.referral_id,
            victim=victim,
            at=at,
            channel=channel,
            inbound=inbound,
            outcome=outcome,
            services=list(services),
            cultural_supports=list(cultural_supports),
            support_service=support_service,
            note=note or "",
            task=task,
            by=by,
        )
        contact.full_clean()
        contact.save()
        if task is not None and task.state == OutreachTask.State.OPEN:
            task_close(task=task, by=by)
        return contact


def plan_save(*, victim: Victim, by, **sections) -> SafetyPlanVersion:
    """Save the safety plan: a new version, numbered after the last. Refused empty, and
    when nothing changed since the last version."""
    with confidential(victim.agency_id):
        victim = _locked(victim)
        check_served_here(victim.referral)
        texts = {name: (sections.get(name) or "").strip() for name in PLAN_SECTIONS}
        if not any(texts.values()):
            raise ValidationError(_("Write at least one section of the plan."), code="empty")
        latest = victim.plans.order_by("-number").first()
        if latest and all(getattr(latest, name) == texts[name] for name in PLAN_SECTIONS):
            raise ValidationError(
                _("Nothing changed since version %(number)s.") % {"number": latest.number},
                code="unchanged",
            )
        last = latest.number if latest else 0
        plan = SafetyPlanVersion(
            agency_id=victim.agency_id,
            victim=victim,
            number=last + 1,
            saved_by=by,
            **texts,
        )
        plan.full_clean()
        plan.save()
        return plan


def letter_printed(*, victim: Victim, by, kind: str, language: str) -> LetterPrinted:
    """Note that a letter was printed; refused where letters are not a safe channel. A
    discharge notice is mandatory: it goes even to someone who withdrew consent."""
    with confidential(victim.agency_id):
        # The rules as they are now, not as the caller read them: they may have just changed.
        victim = _locked(victim)
        if kind in LETTER_NEEDS and victim.referral.status not in LETTER_NEEDS[kind]:
            raise ValidationError(
                _("The participant's program is not where this letter says it is."),
                code="untrue",
            )
        reason = rules.refusal(
            victim, channel=Channel.LETTER, mandatory=kind == LetterKind.DISCHARGE
        )
        updates_refused = victim.consent_updates == ConsentState.WITHDRAWN
        if not reason and kind != LetterKind.DISCHARGE and updates_refused:
            reason = _("This person withdrew their consent to updates on the program.")
        if reason:
            raise ValidationError(reason, code="unsafe")
        letter = LetterPrinted(
            agency_id=victim.agency_id, victim=victim, kind=kind, language=language, by=by
        )
        letter.full_clean()
        letter.save()
        return letter


def task_close(*, task: OutreachTask, by, cancelled: bool = False) -> OutreachTask:
    """Mark a task done (or cancelled)."""
    with confidential(task.agency_id):
        task = OutreachTask.objects.select_for_update().get(pk=task.pk, agency_id=task.agency_id)
        if task.state != OutreachTask.State.OPEN:
            return task
        task.state = OutreachTask.State.CANCELLED if cancelled else OutreachTask.State.DONE
        task.done_at, task.done_by = timezone.now(), by
        task.save()
        return task


def task_add(*, victim: Victim, by, due_on, assignee=None) -> OutreachTask:
    """A follow-up the worker sets themselves, for them or another partner-contact worker;
    never one that would contact someone who must not be, or withdrew their consent."""
    with confidential(victim.agency_id):
        check_served_here(victim.referral)
        if not victim.reachable:
            raise ValidationError(
                _("No task can ask to contact this person: see their consent and rules."),
                code="unreachable",
            )
        if assignee is not None:
            check_outreach_worker(
                agency_id=victim.agency_id, referral=victim.referral, worker=assignee
            )
        task = OutreachTask(
            agency_id=victim.agency_id,
            referral_id=victim.referral_id,
            victim=victim,
            kind=TaskKind.FOLLOW_UP,
            due_on=due_on,
            assignee=assignee,
        )
        task.full_clean()
        task.save()
        return task


def task_assign(*, task: OutreachTask, by, assignee) -> OutreachTask:
    """Give a task to a partner-contact worker of the agency (or to no one)."""
    with confidential(task.agency_id):
        if assignee is not None:
            check_outreach_worker(agency_id=task.agency_id, referral=task.referral, worker=assignee)
        task = OutreachTask.objects.select_for_update().get(pk=task.pk, agency_id=task.agency_id)
        if task.state != OutreachTask.State.OPEN:
            raise ValidationError(_("This task is finished: it keeps who held it."))
        task.assignee = assignee
        task.save(update_fields=["assignee"])
        return task


def check_outreach_worker(*, agency_id: int, referral: Referral, worker) -> None:
    """A partner-contact worker of the agency who does not run the participant's group —
    unless the agency allows one person in both roles."""
    roles = set(
        Membership.objects.filter(
            agency_id=agency_id, user=worker, user__is_active=True, is_active=True
        ).values_list("role", flat=True)
    )
    if Role.PARTNER_CONTACT not in roles:
        raise ValidationError(_("Only a partner-contact worker of the agency can carry outreach."))
    if referral.agency.allow_facilitator_partner_contact:
        return
    enrollment = current_enrollment(referral=referral)
    if (
        enrollment is not None
        and GroupFacilitator.objects.filter(group_id=enrollment.group_id, user=worker).exists()
    ):
        raise ValidationError(
            _("This person runs the participant's group: they cannot also contact the victims.")
        )


def assignment_set(*, referral: Referral, by, worker) -> Assignment:
    """Name the partner-contact worker who carries a referral's outreach; the open tasks
    nobody holds, and those the previous worker held, go to them."""
    with confidential(referral.agency_id):
        check_outreach_worker(agency_id=referral.agency_id, referral=referral, worker=worker)
        previous = (
            Assignment.objects.filter(referral=referral).values_list("worker_id", flat=True).first()
        )
        assignment, _created = Assignment.objects.update_or_create(
            referral=referral,
            defaults={
                "agency_id": referral.agency_id,
                "worker": worker,
                "assigned_by": by,
                "assigned_at": timezone.now(),
            },
        )
        OutreachTask.objects.filter(
            Q(assignee__isnull=True) | Q(assignee_id=previous),
            referral=referral,
            state=OutreachTask.State.OPEN,
        ).update(assignee=worker)
        return assignment
