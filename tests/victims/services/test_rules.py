"""The safe-contact rules: each refusal with its reason, each beside the contact it allows; and
the business day a task falls due on (weekends and Ontario's statutory holidays skipped)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from victims.models import Victim
from victims.models.people import ConsentState
from victims.rules import business_day_after, refusal

TORONTO = ZoneInfo("America/Toronto")
# A Tuesday, mid-morning in Toronto.
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def someone(**rules) -> Victim:
    """A person (never saved) reachable by every channel unless told otherwise."""
    values = {
        "full_name": "Sophie Lachance",
        "phone": "613-555-0142",
        "email": "sophie@example.org",
        "address": "12 Rideau Street, Ottawa ON K1N 5X8",
        "channels": ["phone", "text", "email", "letter", "in_person"],
        **rules,
    }
    return Victim(**values)


def test_do_not_contact_stops_everything_even_a_mandatory_notice():
    assert refusal(someone(), channel="phone") is None
    stopped = someone(do_not_contact=True)
    assert refusal(stopped, channel="phone") == "This person must not be contacted."
    assert refusal(stopped, channel="letter", mandatory=True) == (
        "This person must not be contacted."
    )


def test_withdrawn_consent_refuses_contact_but_a_mandatory_notice_by_a_safe_channel():
    withdrawn = someone(consent_contact=ConsentState.WITHDRAWN, channels=["letter"])
    assert refusal(withdrawn, channel="letter") == (
        "This person withdrew their consent to be contacted."
    )
    assert refusal(withdrawn, channel="letter", mandatory=True) is None
    # Mandatory, yet still only by the channels their rules allow.
    assert refusal(withdrawn, channel="phone", mandatory=True) == (
        "Their safe-contact rules do not allow this channel: phone."
    )


def test_a_channel_their_rules_do_not_allow_is_refused():
    assert refusal(someone(channels=["phone"]), channel="phone") is None
    assert refusal(someone(channels=["phone"]), channel="email") == (
        "Their safe-contact rules do not allow this channel: email."
    )


@pytest.mark.parametrize("number", ["613-555-0142", "+1 613 555 0142", "(613) 555-0142"])
def test_a_text_goes_to_a_valid_canadian_number(number):
    assert refusal(someone(phone=number), channel="text") is None


@pytest.mark.parametrize("number", ["555-0142", "123", "416-000-0000", "+33 1 42 68 53 00", ""])
def test_a_text_to_a_number_that_is_not_a_valid_canadian_one_is_refused(number):
    assert refusal(someone(phone=number), channel="text") == (
        "Their phone number is not a valid Canadian number: no text can go to it."
    )


def test_an_email_needs_an_address():
    assert refusal(someone(), channel="email") is None
    assert refusal(someone(email=""), channel="email") == (
        "There is no email address for this person."
    )


def test_a_letter_needs_a_mailing_address():
    assert refusal(someone(), channel="letter") is None
    assert refusal(someone(address=""), channel="letter") == (
        "There is no mailing address for this person."
    )


@pytest.mark.parametrize(
    ("channel", "allowed_by"),
    [("phone", "voicemail_ok"), ("text", "message_ok"), ("email", "message_ok")],
)
def test_a_voicemail_or_a_message_left_only_where_their_rules_allow_it(channel, allowed_by):
    refused = "Their safe-contact rules do not allow leaving a message."
    assert refusal(someone(), channel=channel, leaves_message=True) == refused
    assert refusal(someone(), channel=channel, leaves_message=False) is None
    assert refusal(someone(**{allowed_by: True}), channel=channel, leaves_message=True) is None


def test_a_day_their_rules_do_not_call_safe_is_refused():
    weekdays = someone(safe_days=[0, 1, 2, 3, 4])
    assert refusal(weekdays, channel="phone", at=TUESDAY_10) is None
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=TORONTO)
    assert refusal(weekdays, channel="phone", at=saturday) == (
        "Their safe-contact rules do not allow contact on that day of the week."
    )


def test_the_day_is_the_day_in_toronto_not_in_utc():
    # Monday 21:00 in Toronto is already Tuesday in UTC.
    mondays_only = someone(safe_days=[0])
    monday_evening = datetime(2026, 11, 24, 2, 0, tzinfo=ZoneInfo("UTC"))
    with timezone.override("UTC"):
        assert refusal(mondays_only, channel="phone", at=monday_evening) is None


def test_an_hour_outside_their_safe_hours_in_toronto_is_refused():
    mornings = someone(safe_from=time(9, 0), safe_until=time(12, 0))
    assert refusal(mornings, channel="phone", at=TUESDAY_10) is None
    # 16:30 UTC is 11:30 in Toronto; 17:30 UTC is 12:30.
    utc = ZoneInfo("UTC")
    assert refusal(mornings, channel="phone", at=datetime(2026, 11, 24, 16, 30, tzinfo=utc)) is None
    late = datetime(2026, 11, 24, 17, 30, tzinfo=utc)
    reason = refusal(mornings, channel="phone", at=late)
    assert reason.startswith("Their safe-contact rules allow contact only between")
    early = datetime(2026, 11, 24, 8, 59, tzinfo=TORONTO)
    assert refusal(mornings, channel="phone", at=early) == reason
    # The end is outside: at noon it is no longer safe.
    assert refusal(mornings, channel="phone", at=datetime(2026, 11, 24, 12, 0, tzinfo=TORONTO))
    with timezone.override("UTC"):
        assert refusal(mornings, channel="phone", at=TUESDAY_10) is None
        assert refusal(mornings, channel="phone", at=late) == reason


def test_safe_hours_may_run_past_midnight():
    nights = someone(safe_from=time(22, 0), safe_until=time(2, 0))
    assert (
        refusal(nights, channel="phone", at=datetime(2026, 11, 24, 23, 30, tzinfo=TORONTO)) is None
    )
    assert (
        refusal(nights, channel="phone", at=datetime(2026, 11, 25, 1, 59, tzinfo=TORONTO)) is None
    )
    # Positive control: the afternoon, outside them, is refused.
    afternoon = datetime(2026, 11, 24, 15, 0, tzinfo=TORONTO)
    assert refusal(nights, channel="phone", at=afternoon).startswith(
        "Their safe-contact rules allow contact only between"
    )
    assert refusal(nights, channel="phone", at=datetime(2026, 11, 25, 2, 0, tzinfo=TORONTO))


def test_a_letter_is_not_refused_for_the_hour_it_is_printed():
    mornings = someone(safe_from=time(9, 0), safe_until=time(12, 0), safe_days=[0])
    assert refusal(mornings, channel="letter", at=TUESDAY_10.replace(hour=20)) is None


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2026, 11, 24), date(2026, 11, 25)),  # Tuesday → Wednesday
        (date(2026, 11, 27), date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 11, 28), date(2026, 11, 30)),  # Saturday → Monday
        (date(2026, 11, 29), date(2026, 11, 30)),  # Sunday → Monday
        (date(2026, 12, 24), date(2026, 12, 28)),  # Christmas (Fri), Boxing Day (Sat)
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Day, then the weekend
        (date(2027, 2, 12), date(2027, 2, 16)),  # Family Day 2027: Monday 15 February
        (date(2027, 3, 25), date(2027, 3, 29)),  # Good Friday 2027: 26 March
        (date(2026, 6, 30), date(2026, 7, 2)),  # Canada Day 2026: a Wednesday
        (date(2027, 6, 30), date(2027, 7, 2)),  # Canada Day 2027: a Thursday
    ],
)
def test_the_next_business_day_skips_weekends_and_ontario_statutory_holidays(day, due):
    assert business_day_after(day) == due


def test_the_civic_holiday_and_easter_monday_are_not_statutory_in_ontario():
    assert business_day_after(date(2027, 7, 30)) == date(2027, 8, 2)  # Civic Holiday: works
    assert business_day_after(date(2027, 3, 26)) == date(2027, 3, 29)  # Easter Monday: works


def test_several_business_days_after():
    assert business_day_after(date(2026, 12, 23), days=3) == date(2026, 12, 29)


def test_a_channel_that_does_not_exist_is_refused_not_an_error():
    assert refusal(someone(), channel="pigeon") == (
        "Their safe-contact rules do not allow this channel: pigeon."
    )
