"""The safe-contact rules, checked on every contact logged and every message the system
prepares: each answer is None (allowed) or the reason, worded for the screen."""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
import phonenumbers
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from victims.models.people import Channel, ConsentState, Victim

# Leaving something behind: a voicemail on a phone, the message itself by text or email.
_LEAVES_A_MESSAGE_BY = {
    Channel.PHONE: "voicemail_ok",
    Channel.TEXT: "message_ok",
    Channel.EMAIL: "message_ok",
}


def canadian_mobile(number: str) -> bool:
    """Whether `number` reads as a valid Canadian number a text can go to."""
    try:
        parsed = phonenumbers.parse(number or "", "CA")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number_for_region(parsed, "CA")


def refusal(
    victim: Victim,
    *,
    channel: str,
    at: datetime | None = None,
    leaves_message: bool = False,
    mandatory: bool = False,
) -> str | None:
    """Why contacting `victim` by `channel` at `at` is not allowed, or None when it is.

    A mandatory notice (a discharge) still goes to someone who withdrew consent, by the
    channels and at the times their rules allow; "do not contact" stops everything."""
    if victim.do_not_contact:
        return _("This person must not be contacted.")
    if victim.consent_contact == ConsentState.WITHDRAWN and not mandatory:
        return _("This person withdrew their consent to be contacted.")
    if channel not in victim.channels:
        return _("Their safe-contact rules do not allow this channel: %(channel)s.") % {
            # A channel that does not exist (a form tampered with) is named as sent, not a 500.
            "channel": Channel(channel).label.lower() if channel in Channel.values else channel
        }
    if channel == Channel.TEXT and not canadian_mobile(victim.phone):
        return _("Their phone number is not a valid Canadian number: no text can go to it.")
    if channel == Channel.EMAIL and not victim.email:
        return _("There is no email address for this person.")
    if channel == Channel.LETTER and not victim.address:
        return _("There is no mailing address for this person.")
    leave = _LEAVES_A_MESSAGE_BY.get(channel)
    if leaves_message and leave and not getattr(victim, leave):
        return _("Their safe-contact rules do not allow leaving a message.")
    if at is None or channel == Channel.LETTER:
        return None
    # The agency's clock (Ontario's), whatever time zone happens to be active.
    local = timezone.localtime(at, timezone.get_default_timezone())
    if local.weekday() not in victim.safe_days:
        return _("Their safe-contact rules do not allow contact on that day of the week.")
    start, end = victim.safe_from, victim.safe_until
    if start and end and not _within(local.time(), start, end):
        return _("Their safe-contact rules allow contact only between %(start)s and %(end)s.") % {
            "start": _time(start),
            "end": _time(end),
        }
    return None


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
