"""A context for each participant message template, built from plain unsaved objects, for the
test that renders every template in both languages. A sample that takes `language` is worded
ahead in the reader's language, as the sweep does: call it with the language. The keys are
the templates' names under templates/ (emails/<name> stands for its .subject.txt, .txt and
.html)."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from directory.models import Agency
from referrals.models import Intake, Participant, Referral
from sessions_app.models import Group, Session
from sessions_app.services.reminders import session_reminder_context

TORONTO = ZoneInfo("America/Toronto")
STOP_URL = "https://ipv.example.org/fr/reminders/stop/eyJwIjo0MX0:1abc/"


def _agency():
    return Agency(name_fr="Services Rivière", name_en="River Services", phone="+16135550100")


def _session(language, **extra):
    """A session's reminder context, as the sweep words it once per session and language."""
    session = Session(
        date=date(2026, 12, 1),
        start_time=time(18, 30),
        group=Group(location="100 Main Street, Ottawa", video_link=""),
        agency=_agency(),
    )
    return {**session_reminder_context(session, language), **extra}


def _intake(**extra):
    agency = _agency()
    intake = Intake(
        referral=Referral(agency=agency),
        scheduled_at=datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO),
        mode="in_person",
        location="100 Main Street, Ottawa",
    )
    return {"intake": intake, "agency": agency, "on_the_day": False, **extra}


def _fee(**extra):
    return {"amount": Decimal("1234.50"), "due_on": date(2026, 12, 3), "agency": _agency(), **extra}


def _make_up(**extra):
    return {"missed_on": date(2026, 11, 24), "agency": _agency(), **extra}


SAMPLES = {
    "emails/session_reminder": lambda language="fr": _session(language, stop_url=STOP_URL),
    "texts/session_reminder": lambda language="fr": _session(language),
    "emails/intake_reminder": lambda: _intake(
        participant=Participant(legal_name="Jean-Marc Tremblay"), stop_url=STOP_URL
    ),
    "texts/intake_reminder": lambda: _intake(on_the_day=True),
    "emails/make_up": lambda: _make_up(stop_url=STOP_URL),
    "texts/make_up": lambda: _make_up(),
    "emails/fee_due": lambda: _fee(stop_url=STOP_URL),
    "texts/fee_due": lambda: _fee(),
}
