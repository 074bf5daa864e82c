"""The safe-contact rules, checked on every contact logged and every message the system
prepares: each answer is None (allowed) or the reason, as a code (refusal_code) or worded for
the screen (refusal)."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from ipv.notifications.texts import canadian_mobile_number
from victims.models.people import Channel, ConsentState, Victim

# Leaving something behind: a voicemail on a phone, the message itself by text or email.
_LEAVES_A_MESSAGE_BY = {
    Channel.PHONE: "voicemail_ok",
    Channel.TEXT: "message_ok",
    Channel.EMAIL: "message_ok",
}


def canadian_mobile(number: str) -> bool:
    """Whether `number` reads as a valid Canadian number a text can go to (the outbox's own
    test: a number it would refuse is no channel for a text)."""
    return canadian_mobile_number(number or "") is not None


def refusal_code(
    victim: Victim,
    *,
    channel: str,
    at: datetime | None = None,
    leaves_message: bool = False,
    mandatory: bool = False,
) -> str | None:
    """The code of the first rule that forbids contacting `victim` by `channel` at `at`, or
    None when none does. One rule set for the worker's contacts and the system's messages."""
    if victim.do_not_contact:
        return "do_not_contact"
    if victim.consent_contact == ConsentState.WITHDRAWN and not mandatory:
        return "consent_withdrawn"
    if channel not in victim.channels:
        return "channel"
    if channel == Channel.TEXT and not canadian_mobile(victim.phone):
        return "no_mobile"
    if channel == Channel.EMAIL and not victim.email:
        return "no_email"
    if channel == Channel.LETTER and not victim.address:
        return "no_address"
    leave = _LEAVES_A_MESSAGE_BY.get(channel)
    if leaves_message and leave and not getattr(victim, leave):
        return "no_message_left"
    if at is None or channel == Channel.LETTER:
        return None
    # The agency's clock (Ontario's), whatever time zone happens to be active.
    local = timezone.localtime(at, timezone.get_default_timezone())
    if local.weekday() not in victim.safe_days:
        return "day"
    start, end = victim.safe_from, victim.safe_until
    if start and end and not _within(local.time(), start, end):
        return "hours"
    return None


def refusal(
    victim: Victim,
    *,
    channel: str,
    at: datetime | None = None,
    leaves_message: bool = False,
    mandatory: bool = False,
) -> str | None:
    """Why contacting `victim` by `channel` at `at` is not allowed, worded for the screen, or
    None when it is.

    A mandatory notice (a discharge) still goes to someone who withdrew consent, by the
    channels and at the times their rules allow; "do not contact" stops everything."""
    code = refusal_code(
        victim, channel=channel, at=at, leaves_message=leaves_message, mandatory=mandatory
    )
    if code is None:
        return None
    if code == "channel":
        return _("Their safe-contact rules do not allow this channel: %(channel)s.") % {
            # A channel that does not exist (a form tampered with) is named as sent, not a 500.
            "channel": Channel(channel).label.lower() if channel in Channel.values else channel
        }
    if code == "hours":
        return _("Their safe-contact rules allow contact only between %(start)s and %(end)s.") % {
            "start": _time(victim.safe_from),
            "end": _time(victim.safe_until),
        }
    return {
        "do_not_contact": _("This person must not be contacted."),
        "consent_withdrawn": _("This person withdrew their consent to be contacted."),
        "no_mobile": _("Their phone number is not a valid Canadian number: no text can go to it."),
        "no_email": _("There is no email address for this person."),
        "no_address": _("There is no mailing address for this person."),
        "no_message_left": _("Their safe-contact rules do not allow leaving a message."),
        "day": _("Their safe-contact rules do not allow contact on that day of the week."),
    }[code]


# How far ahead a message may wait for a safe moment before a person calls instead.
LOOK_AHEAD = timedelta(days=7)


def quiet_hours(agency) -> tuple[time, time]:
    """The agency's hours for messages (its settings; 08:00 to 20:00 unless it chose others)."""
    return agency.quiet_hours_start, agency.quiet_hours_end


def _allowed(victim: Victim, channel: str, moment: datetime, quiet: tuple[time, time]) -> bool:
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return (
        _within(local.time(), *quiet)
        and refusal_code(victim, channel=channel, at=moment, leaves_message=True) is None
    )


def _daily(after: datetime, moments: set[time]) -> list[datetime]:
    """Each of `moments` on each day from `after`'s to LOOK_AHEAD later, after `after`."""
    tz = timezone.get_default_timezone()
    first = timezone.localtime(after, tz).date()
    return sorted(
        moment
        for moment in (
            datetime.combine(first + timedelta(days=day), each, tzinfo=tz)
            for day in range(LOOK_AHEAD.days + 2)
            for each in moments
        )
        if after < moment
    )


def next_safe_moment(victim: Victim, channel: str, after: datetime, *, agency) -> datetime | None:
    """The first moment from `after` at which a message by `channel` may reach `victim`: a
    safe day, inside their safe hours and the agency's hours for messages; None when the
    rules forbid it, or no such moment comes within LOOK_AHEAD.

    The moments allowed are a union of stretches, each opening at midnight (a safe day), at
    the safe hours' start or at the agency's start: the first is `after` or one of those."""
    if refusal_code(victim, channel=channel, leaves_message=True) is not None:
        return None
    quiet = quiet_hours(agency)
    opening = {time(0), quiet[0]} | ({victim.safe_from} if victim.safe_from else set())
    for moment in [after, *_daily(after, opening)]:
        if moment > after + LOOK_AHEAD:
            return None
        if _allowed(victim, channel, moment, quiet):
            return moment
    return None


def safe_stretch_end(victim: Victim, channel: str, moment: datetime, *, agency) -> datetime:
    """When the safe stretch that `moment` is in ends: midnight before an unsafe day, the end
    of the safe hours or of the agency's hours, whichever comes first (LOOK_AHEAD at most)."""
    quiet = quiet_hours(agency)
    closing = {time(0), quiet[1]} | ({victim.safe_until} if victim.safe_until else set())
    for candidate in _daily(moment, closing):
        if candidate >= moment + LOOK_AHEAD:
            break
        if not _allowed(victim, channel, candidate, quiet):
            return candidate
    return moment + LOOK_AHEAD


def _within(moment, start, end) -> bool:
    """Whether `moment` falls in the safe hours; hours from 22:00 until 02:00 run past
    midnight."""
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _time(moment) -> str:
    return time_format(moment, "TIME_FORMAT")


@lru_cache(maxsize=8)
def _ontario_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Canada(subdiv="ON", years=year))


def business_day_after(day: date, days: int = 1) -> date:
    """The `days`-th business day after `day`: weekends and Ontario statutory holidays
    skipped."""
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in _ontario_holidays(day.year):
            days -= 1
    return day
