"""Messages to victims and partners: news of the participant's program written as an email or a
text when the person's rules allow one, at the first moment they allow; otherwise, and whenever
a message is held back or cannot be delivered, a task for the partner-contact worker.

Keys: `victim:{victim}:{channel}:update:{milestone}`. A change of the person's rules cancels
every message not yet sent under `victim:{victim}:`."""

import re
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ipv.core.beat import single_run
from ipv.core.i18n import format_phone
from ipv.notifications.models import Audience, Kind, OutboxMessage, State
from ipv.notifications.models import Channel as OutboxChannel
from ipv.notifications.services import Draft, messages_cancel, messages_write
from referrals.models import Milestone
from victims import rules
from victims.models import Contact, OutreachTask, Victim
from victims.models.outreach import NoMessage, Outcome, TaskKind
from victims.models.people import Channel, ConsentState, OutreachState
from victims.rls import confidential
from victims.services.workers import carrying_workers

MilestoneKind = Milestone.Kind

# What each update says, by the milestone's kind (the template words it).
NEWS = {
    MilestoneKind.INTAKE_DONE: "intake_done",
    MilestoneKind.ENROLLED: "enrolled",
    MilestoneKind.COMPLETED: "completed",
}
# The person's written channels, as the outbox names them; on a tie of moments, email first.
WRITTEN = {Channel.EMAIL: OutboxChannel.EMAIL, Channel.TEXT: OutboxChannel.SMS}
# A task kind for the milestone a message was about.
TASK_FOR_NEWS = {
    MilestoneKind.INTAKE_DONE: TaskKind.INTAKE_DONE,
    MilestoneKind.ENROLLED: TaskKind.ENROLLED,
    MilestoneKind.COMPLETED: TaskKind.COMPLETED,
}
EXPIRES_AFTER = timedelta(days=7)
# Why a message was cancelled, as the outbox keeps it (a code, not a sentence).
RULES_CHANGED = "rules_changed"
# How far back the sweep looks for messages that went nowhere.
SWEEP_DAYS = 30

_KEY = re.compile(r"^victim:(?P<victim>\d+):(?P<channel>\w+):update:(?P<milestone>\d+)$")


def update_key(*, victim_id: int, channel: str, milestone_id: int) -> str:
    return f"victim:{victim_id}:{channel}:update:{milestone_id}"


def victim_prefix(victim_id: int) -> str:
    return f"victim:{victim_id}:"


def rules_reason(victim) -> str | None:
    """Why no written update may go to `victim` whatever the moment (a NoMessage code), or
    None. Works on a row of plain values too: nothing here decrypts a contact detail."""
    if victim.do_not_contact:
        return NoMessage.DO_NOT_CONTACT
    if victim.outreach == OutreachState.CLOSED:
        return NoMessage.OUTREACH_CLOSED
    if victim.consent_contact != ConsentState.GIVEN:
        return NoMessage.CONSENT_CONTACT
    if victim.consent_updates != ConsentState.GIVEN:
        return NoMessage.CONSENT_UPDATES
    if not set(WRITTEN) & set(victim.channels):
        return NoMessage.NO_CHANNEL
    if not victim.message_ok:
        return NoMessage.MESSAGE_NOT_OK
    return None


def update_planned(victim: Victim, milestone: Milestone, *, now: datetime):
    """(the Draft of the update to `victim` about `milestone`, None) when a message may go, or
    (None, the NoMessage code of why not)."""
    reason = rules_reason(victim)
    if reason:
        return None, reason
    written = [channel for channel in WRITTEN if channel in victim.channels]
    if all(rules.refusal_code(victim, channel=channel) for channel in written):
        return None, NoMessage.NO_ADDRESS
    agency = milestone.agency
    moments = []
    for channel in written:
        moment = rules.next_safe_moment(victim, channel, now, agency=agency)
        if moment is not None:
            moments.append((moment, channel))
    if not moments:
        return None, NoMessage.NO_SAFE_MOMENT
    moment, channel = min(moments, key=lambda pair: pair[0])
    # Not after the safe stretch it starts in: a message the worker could not send in time
    # must not reach the person at an unsafe hour (it expires, and becomes a task).
    closes = rules.safe_stretch_end(victim, channel, moment, agency=agency)
    outbox_channel = WRITTEN[channel]
    draft = Draft(
        key=update_key(victim_id=victim.pk, channel=outbox_channel, milestone_id=milestone.pk),
        channel=outbox_channel,
        to=victim.phone if channel == Channel.TEXT else victim.email,
        template="victim_update",
        context=update_context(victim, milestone),
        language=victim.language,
        kind=Kind.VICTIM_UPDATE,
        audience=Audience.VICTIM,
        agency=agency,
        send_after=moment,
        expires_at=min(closes, moment + EXPIRES_AFTER),
        sensitive=True,
    )
    return draft, None


def update_context(victim: Victim, milestone: Milestone) -> dict:
    """What the update's templates need, as plain values. Only the agency's phone: its name
    can say what the agency does (and so what the message is about), and the participant is
    never named."""
    return {
        "phone": format_phone(milestone.agency.phone),
        "named": victim.may_name_program,
        "program": milestone.referral.program,
        "news": NEWS[milestone.kind],
    }


def updates_write(pairs: list[tuple[Milestone, Victim]], *, now: datetime) -> dict:
    """Write the updates that may go for (milestone, person) pairs, each recorded on the
    person's record as an automatic contact (without its words). Returns (milestone id,
    victim id) → the NoMessage code of why no message went, for the pairs that need a task."""
    drafts, contacts, refused = [], [], {}
    for milestone, victim in pairs:
        draft, reason = update_planned(victim, milestone, now=now)
        if draft is None:
            refused[milestone.pk, victim.pk] = reason
            continue
        drafts.append(draft)
        contacts.append(
            Contact(
                agency_id=victim.agency_id,
                referral_id=victim.referral_id,
                victim_id=victim.pk,
                at=draft.send_after,
                channel=Channel.TEXT if draft.channel == OutboxChannel.SMS else Channel.EMAIL,
                outcome=Outcome.MESSAGE_LEFT,
                automatic=True,
                message_key=draft.key,
                milestone_id=milestone.pk,
            )
        )
    messages_write(drafts, now=now)
    Contact.objects.bulk_create(contacts, ignore_conflicts=True)
    return refused


def _task_kind(milestone_id: int) -> str:
    kind = Milestone.objects.filter(pk=milestone_id).values_list("kind", flat=True).first()
    return TASK_FOR_NEWS.get(kind, TaskKind.FOLLOW_UP)


def tasks_for_messages(
    victim: Victim, keys_and_reasons: list[tuple[str, str]], *, by, ask: bool = True
) -> int:
    """A task for each message of `victim` that will not reach them (held back, failed,
    expired), one per message key. Open when the person may still be asked for (and `ask`);
    recorded as cancelled otherwise (do not contact, consent or updates withdrawn, outreach
    closed, the file transferred), so that the record keeps it without asking anyone to make
    contact."""
    if not keys_and_reasons:
        return 0
    reachable = (
        ask
        and victim.reachable
        and victim.outreach == OutreachState.OPEN
        and victim.consent_updates != ConsentState.WITHDRAWN
    )
    now = timezone.now()
    due = rules.business_day_after(timezone.localdate(now, timezone.get_default_timezone()))
    worker = carrying_workers([victim.referral_id]).get(victim.referral_id)
    tasks = []
    for key, reason in keys_and_reasons:
        match = _KEY.match(key)
        kind = _task_kind(int(match["milestone"])) if match else TaskKind.FOLLOW_UP
        tasks.append(
            OutreachTask(
                agency_id=victim.agency_id,
                referral_id=victim.referral_id,
                victim_id=victim.pk,
                kind=kind,
                due_on=due,
                assignee_id=worker,
                no_message=reason,
                message_key=key,
                state=OutreachTask.State.OPEN if reachable else OutreachTask.State.CANCELLED,
                done_at=None if reachable else now,
                done_by=None if reachable else by,
            )
        )
    return len(OutreachTask.objects.bulk_create(tasks, ignore_conflicts=True))


def messages_hold_back(*, victim: Victim, by, ask: bool = True) -> int:
    """The person's rules changed: cancel each of their messages not yet sent, and make each a
    task, so nothing stale goes out and nothing is lost. In the caller's transaction, with the
    person's row locked. `ask=False`: the tasks are recorded cancelled (another agency now
    serves the person)."""
    prefix = victim_prefix(victim.pk)
    # Locked, so that a worker cannot claim them between reading and cancelling.
    keys = list(
        OutboxMessage.objects.select_for_update()
        .filter(state=State.PENDING, key__startswith=prefix)
        .values_list("key", flat=True)
    )
    if not keys:
        return 0
    messages_cancel(key_prefix=prefix, reason=RULES_CHANGED)
    return tasks_for_messages(victim, [(key, NoMessage.HELD_BACK) for key in keys], by=by, ask=ask)


def _reason_for(state: str, last_error: str) -> str:
    if state == State.FAILED:
        return NoMessage.FAILED
    if last_error == "expired":
        return NoMessage.EXPIRED
    return NoMessage.HELD_BACK


def undelivered_sweep(*, now: datetime | None = None) -> int:
    """A task for each message to a victim or partner that failed, expired or was cancelled and
    has none yet; run by beat, once at a time (two beats: one does it), and idempotent (one
    task per message key). Reads each agency's store inside its own policy."""
    now = now or timezone.now()
    with single_run("victims.undelivered_messages") as mine:
        if not mine:
            return 0
        undelivered = OutboxMessage.objects.filter(
            Q(state=State.FAILED) | Q(state=State.CANCELLED),
            audience=Audience.VICTIM,
            key__startswith="victim:",
            created_at__gte=now - timedelta(days=SWEEP_DAYS),
        )
        agencies = set(
            undelivered.exclude(agency_id=None).values_list("agency_id", flat=True).order_by()
        )
        made = 0
        for agency_id in sorted(agencies):
            with confidential(agency_id):
                rows = list(
                    undelivered.filter(agency_id=agency_id)
                    .exclude(
                        key__in=OutreachTask.objects.filter(agency_id=agency_id)
                        .exclude(message_key="")
                        .values("message_key")
                    )
                    .values_list("key", "state", "last_error")
                )
                by_victim = {}
                for key, state, last_error in rows:
                    match = _KEY.match(key)
                    if match:
                        by_victim.setdefault(int(match["victim"]), []).append(
                            (key, _reason_for(state, last_error))
                        )
                people = Victim.objects.filter(agency_id=agency_id, pk__in=list(by_victim)).only(
                    "pk",
                    "agency_id",
                    "referral_id",
                    "do_not_contact",
                    "consent_contact",
                    "consent_updates",
                    "outreach",
                )
                for victim in people:
                    made += tasks_for_messages(victim, by_victim[victim.pk], by=None)
        return made
