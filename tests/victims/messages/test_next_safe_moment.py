"""The first moment a message may reach a person: a safe day, inside their safe hours (which may
run past midnight) and the agency's hours for messages, within 7 days; and when the stretch it
opens ends. One rule set: the refusals the worker's contacts meet."""

from datetime import datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from victims.models import Victim
from victims.rules import next_safe_moment, safe_stretch_end

TORONTO = ZoneInfo("America/Toronto")
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO)
DEFAULT_HOURS = SimpleNamespace(quiet_hours_start=time(8), quiet_hours_end=time(20))  # the default
EVENING_HOURS = SimpleNamespace(quiet_hours_start=time(21), quiet_hours_end=time(1))
ANY_HOUR = SimpleNamespace(quiet_hours_start=time(0), quiet_hours_end=time(0))


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=TORONTO)


def sophie(**rules):
    values = {"channels": ["text"], "phone": "+16135550142", "message_ok": True} | rules
    return Victim(**values)


def test_with_every_hour_safe_the_message_goes_at_once():
    assert next_safe_moment(sophie(), "text", TUESDAY, agency=DEFAULT_HOURS) == TUESDAY
    assert safe_stretch_end(sophie(), "text", TUESDAY, agency=DEFAULT_HOURS) == at(24, 20)


def test_after_the_agencys_hours_it_waits_for_the_next_morning():
    assert next_safe_moment(sophie(), "text", at(24, 21), agency=DEFAULT_HOURS) == at(25, 8)


def test_safe_hours_past_midnight_meet_agency_hours_past_midnight():
    person = sophie(safe_from=time(22), safe_until=time(2))
    assert next_safe_moment(person, "text", TUESDAY, agency=EVENING_HOURS) == at(24, 22)
    assert safe_stretch_end(person, "text", at(24, 22), agency=EVENING_HOURS) == at(25, 1)
    # Half past midnight is inside both: at once.
    assert next_safe_moment(person, "text", at(25, 0, 30), agency=EVENING_HOURS) == at(25, 0, 30)


def test_a_safe_evening_does_not_run_into_an_unsafe_day():
    person = sophie(safe_days=[1], safe_from=time(22), safe_until=time(2))  # Tuesdays
    assert next_safe_moment(person, "text", at(24, 23), agency=ANY_HOUR) == at(24, 23)
    # Wednesday is not a safe day, though the hours run past midnight.
    assert safe_stretch_end(person, "text", at(24, 23), agency=ANY_HOUR) == at(25, 0)


def test_safe_hours_before_the_agencys_open_at_its_start():
    person = sophie(safe_from=time(6), safe_until=time(9))
    assert next_safe_moment(person, "text", TUESDAY, agency=DEFAULT_HOURS) == at(25, 8)
    assert safe_stretch_end(person, "text", at(25, 8), agency=DEFAULT_HOURS) == at(25, 9)


def test_across_the_change_of_time_the_morning_is_the_local_morning():
    saturday_night = datetime(2026, 10, 31, 21, 0, tzinfo=TORONTO)
    moment = next_safe_moment(sophie(), "text", saturday_night, agency=DEFAULT_HOURS)
    assert moment == datetime(2026, 11, 1, 8, 0, tzinfo=TORONTO)
    assert moment.utcoffset().total_seconds() == -5 * 3600  # standard time again


@pytest.mark.parametrize(
    "rules",
    [
        {"safe_from": time(22), "safe_until": time(2)},  # never inside 08:00–20:00
        {"safe_days": []},
        {"channels": ["phone"]},
        {"message_ok": False},
        {"phone": "613-555"},
        {"do_not_contact": True},
        {"consent_contact": "withdrawn"},
    ],
)
def test_no_moment_when_the_rules_never_allow_it(rules):
    assert next_safe_moment(sophie(**rules), "text", TUESDAY, agency=DEFAULT_HOURS) is None


def test_a_single_safe_day_a_week_away_is_still_found():
    person = sophie(safe_days=[0])  # Mondays: six days on
    assert next_safe_moment(person, "text", TUESDAY, agency=DEFAULT_HOURS) == at(30, 8)
