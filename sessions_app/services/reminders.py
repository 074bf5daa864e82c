"""Reminders of the next group session, to each participant expected there, the day before at
the agency's chosen time, through the channels the participant agreed to, within the agency's
quiet hours. Prepared by a periodic sweep, under an idempotency key per person, channel and
session, so a sweep run twice (or by two beats) writes each reminder once."""

import functools
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import formats, timezone, translation

from ipv.core.beat import single_run
from ipv.core.i18n import format_phone
from ipv.notifications.models import Channel, Kind
from ipv.notifications.services import messages_cancel, messages_write, within_hours
from ipv.notifications.texts import canadian_mobile_number
from referrals.models import Referral, Status
from referrals.services.consent import StopLinks, participant_drafts
from sessions_app.models import Enrollment, Session


def session_what(session: Session) -> str:
    """What a reminder's key says of its session: its moment too, so a moved session is
    reminded again at its new time (and the reminder of the old one is cancelled)."""
    return f"session:{session.pk}:{session.date.isoformat()}T{session.start_time:%H:%M}"


def session_key(participant_id: int, channel: str, session: Session) -> str:
    return f"participant:{participant_id}:{channel}:{session_what(session)}"


def _due_sessions(now) -> list[Session]:
    """Tomorrow's sessions (local dates) of the agencies whose reminder time has come, and
    today's not yet begun (a sweep that was down yesterday evening catches up)."""
    local = timezone.localtime(now)
    today = local.date()
    tomorrow = today + timedelta(days=1)
    return list(
        Session.objects.filter(status=Session.Status.SCHEDULED, group__is_active=True)
        .filter(
            Q(date=tomorrow, agency__session_reminder_time__lte=local.time())
            | Q(date=today, start_time__gt=local.time())
        )
        .select_related("group", "agency")
        .order_by("pk")
    )


@dataclass(frozen=True)
class Expected:
    """Who is expected at a session, with what reminders need of them (read as plain values:
    10,000 model instances and phone numbers parsed twice cost more than the sweep's budget)."""

    participant_id: int
    language: str
    email: str
    phone: str
    consent_email: bool
    consent_sms: bool

    @property
    def pk(self) -> int:
        return self.participant_id


def _expected(sessions: list[Session]) -> dict[int, list[Expected]]:
    """For each session, the people expected there: in the group that day, their referral
    enrolled."""
    if not sessions:
        return {}
    days = {session.date for session in sessions}
    rows = (
        Enrollment.objects.filter(
            group_id__in={session.group_id for session in sessions},
            start_date__lte=max(days),
            referral__status=Status.ENROLLED,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=min(days)))
        # As stored (E.164 text): a PhoneNumber per row costs a validation at each use.
        .annotate(phone=Cast("referral__participant__phone", CharField()))
        .order_by("pk")
        .values_list(
            "group_id",
            "start_date",
            "ended_on",
            "referral__participant_id",
            "referral__participant__language",
            "referral__participant__email",
            "phone",
            "referral__participant__consent_email",
            "referral__participant__consent_sms",
        )
    )
    by_group = {}
    for group_id, start_date, ended_on, *person in rows:
        by_group.setdefault(group_id, []).append((start_date, ended_on, Expected(*person)))
    return {
        session.pk: [
            person
            for start_date, ended_on, person in by_group.get(session.group_id, [])
            if start_date <= session.date and (ended_on is None or ended_on >= session.date)
        ]
        for session in sessions
    }


def session_reminder_context(session: Session, language: str) -> dict:
    """What a session's reminder says in `language`, the same for everyone expected there:
    worded once per session and language, not once per person (10,000 reminders a sweep)."""
    group, agency = session.group, session.agency
    starts_at = timezone.localtime(session.starts_at)
    with translation.override(language):
        return {
            "weekday": formats.date_format(starts_at, "l"),
            "day": formats.date_format(starts_at, "DATE_FORMAT"),
            "when": formats.date_format(starts_at, "DATETIME_FORMAT"),
            "time": formats.time_format(starts_at, "TIME_FORMAT"),
            "location": group.location,
            "video_link": group.video_link,
            "agency_name": agency.name,
            "agency_phone": format_phone(agency.phone),
        }


def session_reminders_prepare(*, now=None) -> int:
    """Write the reminders of the sessions now due (see `_due_sessions`), once each. Returns
    how many were new. One process at a time (an advisory lock); the keys make it safe anyway."""
    now = now or timezone.now()
    with single_run("session-reminders") as mine:
        if not mine:
            return 0
        sessions = _due_sessions(now)
        expected = _expected(sessions)
        stop_links = StopLinks()
        mobile = functools.cache(canadian_mobile_number)
        drafts = []
        for session in sessions:
            agency = session.agency
            send_after = within_hours(now, agency.quiet_hours_start, agency.quiet_hours_end)
            starts_at = session.starts_at
            if send_after >= starts_at:
                continue
            contexts = {}
            for person in expected[session.pk]:
                language = person.language
                if language not in contexts:
                    contexts[language] = session_reminder_context(session, language)
                context = contexts[language]
                drafts += participant_drafts(
                    person,
                    what=session_what(session),
                    template="session_reminder",
                    context=context,
                    stop_links=stop_links,
                    mobile=mobile,
                    kind=Kind.SESSION_REMINDER,
                    agency=agency,
                    send_after=send_after,
                    expires_at=starts_at,
                )
        # Rendered language by language: fewer switches of the active translation.
        drafts.sort(key=lambda draft: (draft.language, draft.channel))
        return messages_write(drafts, now=now, skip_refused=True)


def session_reminders_cancel(*, session: Session) -> int:
    """Cancel the reminders not yet sent of `session` at its present date and time (called
    before it is cancelled or moved, in the transaction of the change)."""
    participants = (
        Enrollment.objects.filter(group_id=session.group_id, start_date__lte=session.date)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=session.date))
        .values_list("referral__participant_id", flat=True)
        .distinct()
    )
    cancelled = 0
    for participant_id in participants:
        for channel in Channel.values:
            cancelled += messages_cancel(
                key_prefix=session_key(participant_id, channel, session),
                reason="session cancelled or moved",
            )
    return cancelled


# Whoever is still in the program may make up a missed module.
IN_THE_PROGRAM = (Status.ENROLLED, Status.NON_COMPLIANT)


def make_up_reminders_write(milestones, *, now=None) -> int:
    """For each unexcused absence (a milestone), a message on how to book a make-up, to a
    person still in the program, within quiet hours; once per absence (its key)."""
    now = now or timezone.now()
    if not milestones:
        return 0
    referrals = {
        referral.pk: referral
        for referral in Referral.objects.filter(
            pk__in={milestone.referral_id for milestone in milestones},
            status__in=IN_THE_PROGRAM,
        ).select_related("participant", "agency")
    }
    sessions = Session.objects.in_bulk(
        [milestone.params.get("session") for milestone in milestones]
    )
    stop_links = StopLinks()
    drafts = []
    for milestone in milestones:
        referral = referrals.get(milestone.referral_id)
        session = sessions.get(milestone.params.get("session"))
        if referral is None or session is None:
            continue
        agency, participant = referral.agency, referral.participant
        drafts += participant_drafts(
            participant,
            what=f"make_up:{milestone.pk}",
            template="make_up",
            context={"missed_on": session.date, "agency": agency},
            stop_links=stop_links,
            kind=Kind.MAKE_UP,
            agency=agency,
            send_after=within_hours(now, agency.quiet_hours_start, agency.quiet_hours_end),
        )
    return messages_write(drafts, now=now, skip_refused=True)
