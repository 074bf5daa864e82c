"""Outreach tasks that follow the participant: from their milestones, from a concern raised
about them, and on a transfer, the hand-over of the whole outreach record."""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from ipv.audit.models import AuditEvent
from ipv.audit.services import audit_record
from referrals.models import Milestone, Referral
from victims import rules
from victims.models import (
    Concern,
    ConsentRecord,
    Contact,
    OutreachTask,
    SafetyPlanVersion,
    Victim,
)
from victims.models.outreach import NoMessage, TaskKind
from victims.models.people import ConsentState, OutreachState
from victims.rls import confidential
from victims.services import messages
from victims.services.once import first_send
from victims.services.outreach import check_served_here
from victims.services.workers import carrying_workers

Kind = Milestone.Kind

# The task each milestone calls for.
TASK_FOR = {
    Kind.ACCEPTED: TaskKind.ACCEPTED,
    Kind.INTAKE_DONE: TaskKind.INTAKE_DONE,
    Kind.ENROLLED: TaskKind.ENROLLED,
    Kind.ABSENCE_RECORDED: TaskKind.ABSENCES,
    Kind.ABSENCE_REVIEW_OPENED: TaskKind.ABSENCE_REVIEW,
    Kind.DISCHARGED: TaskKind.DISCHARGED,
    Kind.COMPLETED: TaskKind.COMPLETED,
    Kind.RETURNED_TO_COURT: TaskKind.RETURNED_TO_COURT,
}
# Notices the agency gives even to someone who withdrew their consent (by the safe channels
# their rules allow): the participant is out of the program.
MANDATORY = frozenset({Kind.DISCHARGED, Kind.RETURNED_TO_COURT})
# The milestones whose task is news of the program: none for someone who refused updates.
UPDATES = frozenset({Kind.INTAKE_DONE, Kind.ENROLLED, Kind.COMPLETED})
# Updates whose task stays even when a message gives the news: after the program, a person
# calls to follow up.
FOLLOWED_UP = frozenset({Kind.COMPLETED})


def _absences_reaching_limit(milestones: list[Milestone]) -> set[int]:
    """The absence milestones that bring a referral's unexcused absences up to the agency's
    limit: one task when the limit is reached, not one per absence after it.

    The referral's absences are replayed in order, each session counted once, as its latest
    mark says: a session marked again (unexcused, then excused on a note from a doctor) is
    not counted twice, nor as unexcused once excused."""
    absences = [m for m in milestones if m.kind == Kind.ABSENCE_RECORDED]
    if not absences:
        return set()
    history = defaultdict(list)
    for pk, referral_id, params in (
        Milestone.objects.filter(
            referral_id__in={m.referral_id for m in absences}, kind=Kind.ABSENCE_RECORDED
        )
        .order_by("pk")
        .values_list("pk", "referral_id", "params")
    ):
        history[referral_id].append((pk, params))
    wanted = {m.pk: m.agency.unexcused_absence_limit for m in absences}
    reaching = set()
    for entries in history.values():
        unexcused = {}  # session → whether its latest mark is an unexcused absence
        for pk, params in entries:
            before = sum(unexcused.values())
            unexcused[params.get("session", pk)] = not params.get("excused")
            limit = wanted.get(pk)
            if limit and before < limit == sum(unexcused.values()):
                reaching.add(pk)
    return reaching


def _updates_as_messages(milestones: list[Milestone], people: dict, done: set) -> dict:
    """Write the update messages the people's rules allow for the news among `milestones`;
    return (milestone id, victim id) → NoMessage code for every update pair: SENT where a
    message went, else why none did (the task made instead says so)."""
    pairs, reasons = [], {}
    for milestone in milestones:
        if milestone.kind not in UPDATES:
            continue
        for victim in people[milestone.referral_id]:
            if (milestone.pk, victim.pk) in done:
                continue
            reason = messages.rules_reason(victim)
            if reason:
                reasons[milestone.pk, victim.pk] = reason
            else:
                pairs.append((milestone, victim.pk))
    if not pairs:
        return reasons
    # Only the people a message may reach are read whole (their details decrypted).
    loaded = Victim.objects.in_bulk([pk for _milestone, pk in pairs])
    refused = messages.updates_write(
        [(milestone, loaded[pk]) for milestone, pk in pairs], now=timezone.now()
    )
    for milestone, pk in pairs:
        reasons[milestone.pk, pk] = refused.get((milestone.pk, pk), NoMessage.SENT)
    return reasons


def tasks_for_milestones(milestones: list[Milestone]) -> int:
    """The outreach tasks a batch of milestones calls for: one per person concerned who may
    be contacted (or for a mandatory notice, who has not asked never to be), due the next
    business day, for the referral's partner-contact worker or for no one yet. Outreach
    closed for a person reopens. Run twice, it creates nothing twice."""
    milestones = [m for m in milestones if m.kind in TASK_FOR]
    if not milestones:
        return 0
    # A referral taken over on a transfer is "accepted" at the receiving agency, whose
    # outreach team picks the file up through the hand-over (a "transferred" task): no first
    # contact on top of it, whichever consumer reads its milestone first.
    milestones = [
        m for m in milestones if not (m.kind == Kind.ACCEPTED and m.referral.transferred_from_id)
    ]
    reaching = _absences_reaching_limit(milestones)
    milestones = [m for m in milestones if m.kind != Kind.ABSENCE_RECORDED or m.pk in reaching]
    referral_ids = {m.referral_id for m in milestones}
    agency_ids = {m.agency_id for m in milestones}
    with confidential(*agency_ids):
        people = defaultdict(list)
        # Only what deciding needs, as plain rows: a batch can name thousands of people, and
        # loading their names and contact details would decrypt each.
        for victim in (
            Victim.objects.filter(agency_id__in=agency_ids, referral_id__in=referral_ids)
            .exclude(do_not_contact=True)
            .order_by("pk")
            .values_list(
                "pk",
                "agency_id",
                "referral_id",
                "consent_contact",
                "consent_updates",
                "outreach",
                "do_not_contact",
                "message_ok",
                "channels",
                named=True,
            )
        ):
            people[victim.referral_id].append(victim)
        workers = carrying_workers(referral_ids)
        # What an earlier reading of these milestones already made (the cursor moved back, a
        # batch read again): neither made again nor allowed to reopen what was closed since.
        read = [m.pk for m in milestones]
        done = set(
            OutreachTask.objects.filter(milestone__in=read).values_list("milestone_id", "victim_id")
        ) | set(Contact.objects.filter(milestone__in=read).values_list("milestone_id", "victim_id"))
        no_message = _updates_as_messages(milestones, people, done)
        tasks, reopened = [], set()
        for milestone in milestones:
            mandatory = milestone.kind in MANDATORY
            due = rules.business_day_after(
                timezone.localdate(milestone.occurred_at, timezone.get_default_timezone())
            )
            for victim in people[milestone.referral_id]:
                if (milestone.pk, victim.pk) in done:
                    continue
                if victim.consent_contact == ConsentState.WITHDRAWN and not mandatory:
                    continue
                # News of the program goes only to those who did not refuse it.
                updates_refused = victim.consent_updates == ConsentState.WITHDRAWN
                if milestone.kind in UPDATES and updates_refused:
                    continue
                reason = no_message.get((milestone.pk, victim.pk), "")
                if reason == NoMessage.SENT and milestone.kind not in FOLLOWED_UP:
                    continue  # the message gives the news
                if victim.outreach == OutreachState.CLOSED:
                    reopened.add(victim.pk)
                tasks.append(
                    OutreachTask(
                        agency_id=victim.agency_id,
                        referral_id=victim.referral_id,
                        victim_id=victim.pk,
                        kind=TASK_FOR[milestone.kind],
                        milestone_id=milestone.pk,
                        mandatory=mandatory,
                        due_on=due,
                        assignee_id=workers.get(milestone.referral_id),
                        no_message=reason,
                    )
                )
        created = OutreachTask.objects.bulk_create(tasks, ignore_conflicts=True)
        if reopened:
            Victim.objects.filter(pk__in=reopened).update(
                outreach=OutreachState.OPEN, closed_because="", closed_at=None
            )
        return len(created)


def concern_raise(*, referral: Referral, by, note: str, submission_key=None) -> Concern | None:
    """A concern for someone's safety about a participant (a threat said in group, a
    disclosure): an urgent task, due today, for each person named in the referral who has not
    asked never to be contacted — a notice given even to someone who withdrew their consent,
    by the channels their rules allow. Outreach closed for a person reopens. Whoever raises it
    learns nothing of them; the audit trail names the concern, never the note."""
    with confidential(referral.agency_id):
        check_served_here(referral)
        if not first_send(agency_id=referral.agency_id, by=by, key=submission_key):
            return None  # sent before
        concern = Concern(agency_id=referral.agency_id, referral=referral, note=note, raised_by=by)
        concern.full_clean()
        concern.save()
        worker = carrying_workers([referral.pk]).get(referral.pk)
        people = list(
            Victim.objects.filter(agency_id=referral.agency_id, referral=referral)
            .exclude(do_not_contact=True)
            .order_by("pk")
        )
        OutreachTask.objects.bulk_create(
            [
                OutreachTask(
                    agency_id=referral.agency_id,
                    referral=referral,
                    victim=victim,
                    kind=TaskKind.CONCERN,
                    concern=concern,
                    urgent=True,
                    # A threat is a notice the agency gives whatever the person's consent
                    # (withdrawn before or after): by the safe channels their rules allow.
                    mandatory=True,
                    due_on=timezone.localdate(),
                    assignee_id=worker,
                )
                for victim in people
            ]
        )
        closed = [victim.pk for victim in people if victim.outreach == OutreachState.CLOSED]
        if closed:
            Victim.objects.filter(pk__in=closed).update(
                outreach=OutreachState.OPEN, closed_because="", closed_at=None
            )
        audit_record(
            action=AuditEvent.Action.RECORD_CREATED,
            actor=by,
            agency=referral.agency,
            target=concern,
            details={"event": "concern", "referral": referral.pk},
        )
        return concern


def hand_over(*, milestone: Milestone) -> int:
    """A transfer was accepted: the receiving agency's outreach team takes over each person
    named in the order — who they are, their rules and consent, the contacts, the safety plan
    and its versions, and the open tasks (left unassigned), and one task to pick the file up
    for each person who may be contacted.
    Once: each copy names its original (a unique constraint), so a second run adds none."""
    old = milestone.referral
    new = Referral.objects.select_related("agency").get(pk=milestone.params["new_referral"])
    with confidential(old.agency_id, new.agency_id):
        originals = list(Victim.objects.filter(referral=old).order_by("pk"))
        already = set(
            Victim.objects.filter(referral=new, copied_from__isnull=False).values_list(
                "copied_from_id", flat=True
            )
        )
        copies = {}
        for victim in originals:
            if victim.pk in already:
                continue
            copy = Victim.objects.get(pk=victim.pk)
            copy.pk = None
            copy.agency_id, copy.referral_id, copy.copied_from_id = new.agency_id, new.pk, victim.pk
            copy.save()
            copies[victim.pk] = copy
        if not copies:
            return 0
        _copy_records(copies, new)
        # The sending agency no longer serves the participant: its open tasks end here, and
        # its messages not yet sent (each kept on its record as a task cancelled with them).
        OutreachTask.objects.filter(
            victim_id__in=list(copies), state=OutreachTask.State.OPEN
        ).update(state=OutreachTask.State.CANCELLED, done_at=timezone.now(), done_by=milestone.by)
        for original in originals:
            if original.pk in copies:
                messages.messages_hold_back(victim=original, by=milestone.by, ask=False)
        today = timezone.localdate(milestone.occurred_at, timezone.get_default_timezone())
        OutreachTask.objects.bulk_create(
            [
                OutreachTask(
                    agency_id=new.agency_id,
                    referral=new,
                    victim=copy,
                    kind=TaskKind.TRANSFERRED,
                    milestone=milestone,
                    due_on=rules.business_day_after(today),
                )
                for copy in copies.values()
                if copy.reachable
            ]
        )
        # A new milestone reopens outreach closed for a person, as tasks_for_milestones does:
        # closed outreach holds no open task.
        Victim.objects.filter(
            pk__in=[copy.pk for copy in copies.values() if copy.reachable],
            outreach=OutreachState.CLOSED,
        ).update(outreach=OutreachState.OPEN, closed_because="", closed_at=None)
        return len(copies)


def _copy_records(copies: dict[int, Victim], new: Referral) -> None:
    originals = list(copies)
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                agency_id=new.agency_id,
                victim=copies[record.victim_id],
                topic=record.topic,
                given=record.given,
                how=record.how,
                on=record.on,
                recorded_by_id=record.recorded_by_id,
                recorded_at=record.recorded_at,
            )
            for record in ConsentRecord.objects.filter(victim_id__in=originals)
        ]
    )
    Contact.objects.bulk_create(
        [
            Contact(
                agency_id=new.agency_id,
                referral=new,
                victim=copies[contact.victim_id],
                at=contact.at,
                channel=contact.channel,
                outcome=contact.outcome,
                services=contact.services,
                cultural_supports=contact.cultural_supports,
                support_service_id=contact.support_service_id,
                note=contact.note,
                by_id=contact.by_id,
                automatic=contact.automatic,
                message_key=contact.message_key,
                recorded_at=contact.recorded_at,
            )
            for contact in Contact.objects.filter(victim_id__in=originals).order_by("pk")
        ]
    )
    SafetyPlanVersion.objects.bulk_create(
        [
            SafetyPlanVersion(
                **{
                    field.attname: getattr(plan, field.attname)
                    for field in SafetyPlanVersion._meta.concrete_fields
                    if field.attname not in ("id", "agency_id", "victim_id", "copied_from_id")
                },
                agency_id=new.agency_id,
                victim=copies[plan.victim_id],
                copied_from_id=plan.pk,
            )
            for plan in SafetyPlanVersion.objects.filter(victim_id__in=originals).order_by("pk")
        ]
    )
    OutreachTask.objects.bulk_create(
        [
            OutreachTask(
                agency_id=new.agency_id,
                referral=new,
                victim=copies[task.victim_id],
                kind=task.kind,
                urgent=task.urgent,
                mandatory=task.mandatory,
                due_on=task.due_on,
            )
            for task in OutreachTask.objects.filter(
                victim_id__in=originals, state=OutreachTask.State.OPEN
            ).filter(~Q(kind=TaskKind.TRANSFERRED))
            # Only what may still be asked: never to contact someone who must not be, nor
            # anything but a mandatory notice to someone who withdrew.
            if copies[task.victim_id].reachable
            or (task.mandatory and not copies[task.victim_id].do_not_contact)
        ]
    )
