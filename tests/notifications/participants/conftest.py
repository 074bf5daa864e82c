"""Participants who agreed to reminders, enrolled in the world's group ("Mardi soir", Tuesdays
at 18:30 at 100 Main Street), on a fixed clock: Monday 30 November 2026, 17:05 in Ottawa."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from referrals.models import Participant, Referral
from sessions_app.models import Enrollment
from tests.conftest import make_referral

TORONTO = ZoneInfo("America/Toronto")
# A Monday, after the agency's default reminder time (17:00), inside quiet hours (8 to 20).
NOW = datetime(2026, 11, 30, 17, 5, tzinfo=TORONTO)
# The words a participant's text never carries, in both languages.
PROGRAM_WORDS = [
    "IPV",
    "IPIV",
    "PAR",
    "Partner Assault",
    "violence",
    "violent",
    "Programme d'intervention",
    "partenaires violents",
    "agression",
    "assault",
    "tribunal",
    "court",
]
# The agency's name: a text does not name it either (some agencies' names say what they do).
AGENCY_WORDS = ["River Services", "Services Rivière"]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def agree(participant, **fields):
    """The participant agrees to both channels, with an address and a mobile number."""
    values = {
        "email": "jm.tremblay@example.org",
        "phone": "+16135550142",
        "consent_email": True,
        "consent_sms": True,
        **fields,
    }
    Participant.objects.filter(pk=participant.pk).update(**values)
    participant.refresh_from_db()
    return participant


def enrol(world, person, *, file_number):
    """A second person, in the world's group from its first session, status enrolled."""
    referral = make_referral(
        world.agency, world["intake"], world.court, person=person, court_file_number=file_number
    )
    Enrollment.objects.create(
        agency=world.agency,
        referral=referral,
        group=world.group,
        start_date=world.session.date,
        created_by=world["intake"],
    )
    Referral.objects.filter(pk=referral.pk).update(status="enrolled")
    return referral


@pytest.fixture
def enrolled(clock, world):
    """The world's first person (French), enrolled and agreeing to email and texts."""
    Referral.objects.filter(pk=world.referral.pk).update(status="enrolled")
    agree(world.referral.participant)
    return world
