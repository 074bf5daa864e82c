"""What the sessions tests share: a fixed clock (world.group's first session is tonight at
18:30), people placed in groups through the services, and attendance taken the moment a
session starts."""

import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from referrals.models import Referral
from referrals.services.intake import intake_book
from sessions_app.models import Attendance, Session
from sessions_app.services.attendance import Mark, attendance_record
from sessions_app.services.enrollment import enroll
from sessions_app.services.groups import group_create
from sessions_app.services.program import intake_record
from tests.conftest import make_referral

TORONTO = ZoneInfo("America/Toronto")
# A Tuesday morning: world.group meets on Tuesdays at 18:30, from tonight on.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def clock():
    """Every test starts at NOW, before `world` is built; tests move the clock on."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def intake_done(
    world, *, name, language="fr", born=date(1980, 5, 17), named_people=(), notes="", **order
):
    """A new referral taken through its intake by the services, found eligible."""
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": name, "language": language, "date_of_birth": born},
        named_people=named_people,
        court_file_number=f"4811-998-26-{zlib.crc32(name.encode()) % 10**5:05d}",
        **order,
    )
    intake_book(
        referral=referral,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(hours=1),
        mode="in_person",
        location="100 Main Street",
    )
    intake_record(
        referral=referral,
        by=world["intake"],
        held_on=timezone.localdate(),
        eligibility="eligible",
        notes=notes,
        consents={"program_agreement": timezone.localdate()},
    )
    return Referral.objects.get(pk=referral.pk)


def placed(world, *, name, group=None, start=None, language="fr", **order):
    """A new referral enrolled in `group` (world.group by default) from `start` (today)."""
    referral = intake_done(world, name=name, language=language, **order)
    enroll(
        referral=referral,
        group=group or world.group,
        start_date=start or timezone.localdate(),
        by=world["intake"],
    )
    return Referral.objects.get(pk=referral.pk)


def a_group(world, *, name, language="fr", program="ipv", weekday=3, **fields):
    """Another group of the first agency (Thursdays at 19:00 unless told), from today."""
    return group_create(
        agency=world.agency,
        by=world["manager"],
        name=name,
        program=program,
        language=language,
        weekday=weekday,
        start_time=fields.pop("start_time", time(19, 0)),
        start_date=fields.pop("start_date", TODAY),
        location="200 Elgin Street",
        **fields,
    )


def sessions(group) -> list[Session]:
    """The group's scheduled sessions, first first."""
    return list(group.sessions.filter(status="scheduled").select_related("module").order_by("date"))


def by_module(group, number, nth=0) -> Session:
    """The nth scheduled session of `group` that teaches module `number`."""
    return [session for session in sessions(group) if session.module.number == number][nth]


def take(
    clock, world, session, referral, status="present", *, minutes_late=None, note="", makeup=False
):
    """Attendance taken by the facilitator once the session has started; the refusals."""
    clock.move_to(max(session.starts_at + timedelta(minutes=5), timezone.now()))
    mark = Mark(referral_id=referral.pk, status=status, minutes_late=minutes_late, note=note)
    return attendance_record(session=session, by=world["facilitator"], marks=[mark], makeup=makeup)


def attended(world, referral, some_sessions, status="present"):
    """Attendance rows written straight to the database (no follow-up): a past to work on."""
    Attendance.objects.bulk_create(
        Attendance(
            agency=world.agency,
            session=session,
            referral=referral,
            status=status,
            recorded_by=world["facilitator"],
        )
        for session in some_sessions
    )


def status_of(referral) -> str:
    return Referral.objects.get(pk=referral.pk).status
