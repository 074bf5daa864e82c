"""The intake: booking it (moving it, missing it), recording what it found, and the reminder
that goes out the day before."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from referrals.models import Consent, Intake, Referral, TimelineEntry
from referrals.services.intake import (
    intake_book,
    intake_missed,
    intake_reminders_send,
    intake_reschedule,
)
from referrals.tasks import send_intake_reminders
from sessions_app.services.program import intake_record
from tests.conftest import make_referral

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO)
TODAY = date(2026, 11, 24)
# Participants who agreed to email reminders, one in each language.
PAUL = {
    "legal_name": "Paul Girard",
    "date_of_birth": date(1991, 6, 14),
    "language": "en",
    "email": "paul.girard@example.org",
    "consent_email": True,
}
JULIE = {
    "legal_name": "Julie Bouchard",
    "date_of_birth": date(1979, 1, 30),
    "language": "fr",
    "email": "julie.bouchard@example.org",
    "consent_email": True,
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _book(world, referral=None, *, at=NOW + timedelta(days=2)):
    return intake_book(
        referral=referral or world.referral,
        by=world["intake"],
        scheduled_at=at,
        mode="in_person",
        location="100 Main Street, Ottawa",
    )


def _reload(referral):
    return Referral.objects.select_related("intake").get(pk=referral.pk)


def _record(world, **outcome):
    return intake_record(
        referral=world.referral,
        by=world["intake"],
        held_on=outcome.pop("held_on", TODAY),
        **outcome,
    )


def test_an_intake_is_booked(clock, world):
    intake = _book(world)
    referral = _reload(world.referral)
    assert referral.status == "intake_booked"
    assert referral.first_contact_at == NOW
    assert referral.intake == intake
    assert (intake.scheduled_at, intake.mode) == (NOW + timedelta(days=2), "in_person")
    assert (intake.location, intake.booked_by) == ("100 Main Street, Ottawa", world["intake"])
    assert (intake.times_rescheduled, intake.times_missed, intake.reminder_sent_at) == (0, 0, None)
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    assert (entry.kind, entry.from_status, entry.to_status) == (
        "book_intake",
        "received",
        "intake_booked",
    )
    assert (entry.by, entry.at) == (world["intake"], NOW)
    assert entry.details == {"scheduled_at": "2026-11-26T10:00-05:00"}


@pytest.mark.parametrize("at", [NOW - timedelta(minutes=1), NOW])
def test_an_intake_is_booked_only_in_the_future(clock, world, english, at):
    with pytest.raises(ValidationError) as refused:
        _book(world, at=at)
    assert refused.value.message_dict == {"scheduled_at": ["Choose a moment in the future."]}
    assert _reload(world.referral).status == "received"
    assert not Intake.objects.filter(referral=world.referral).exists()


def test_moving_an_intake_needs_a_reason(clock, world, english):
    _book(world)
    with pytest.raises(ValidationError) as refused:
        intake_reschedule(
            referral=world.referral,
            by=world["intake"],
            reason="  ",
            scheduled_at=NOW + timedelta(days=3),
            mode="phone",
        )
    assert refused.value.message_dict == {"reason": ["Say why."]}
    assert Intake.objects.get(referral=world.referral).times_rescheduled == 0


def test_moving_an_intake_counts_and_the_reminder_goes_again(clock, world):
    _book(world, at=NOW + timedelta(hours=20))
    intake_reminders_send()
    assert Intake.objects.get(referral=world.referral).reminder_sent_at == NOW
    later = datetime(2026, 11, 27, 14, 30, tzinfo=TORONTO)
    intake_reschedule(
        referral=world.referral,
        by=world["intake"],
        reason="  Works days this week.  ",
        scheduled_at=later,
        mode="video",
        location="https://video.example.org/riviere",
    )
    intake = intake_reschedule(
        referral=world.referral,
        by=world["manager"],
        reason="The office is closed that day.",
        scheduled_at=later + timedelta(days=1),
        mode="video",
    )
    assert (intake.times_rescheduled, intake.reminder_sent_at) == (2, None)
    assert (intake.scheduled_at, intake.mode, intake.location) == (
        later + timedelta(days=1),
        "video",
        "",
    )
    first, second = TimelineEntry.objects.filter(kind="intake_rescheduled").order_by("pk")
    assert (first.by, first.reason) == (world["intake"], "Works days this week.")
    assert first.details == {"before": "2026-11-25T06:00-05:00", "after": "2026-11-27T14:30-05:00"}
    assert (second.by, second.details["before"]) == (world["manager"], "2026-11-27T14:30-05:00")
    assert _reload(world.referral).status == "intake_booked"


def test_an_intake_not_booked_cannot_be_moved(clock, world, english):
    with pytest.raises(ValidationError, match="no booked intake to move"):
        intake_reschedule(
            referral=world.referral,
            by=world["intake"],
            reason="Asked by the person.",
            scheduled_at=NOW + timedelta(days=3),
            mode="phone",
        )


def test_a_missed_intake_goes_back_to_contacted(clock, world):
    _book(world, at=NOW + timedelta(hours=2))
    intake_missed(referral=world.referral, by=world["intake"], reason="Did not come.")
    referral = _reload(world.referral)
    assert (referral.status, referral.intake.times_missed) == ("contacted", 1)
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    assert (entry.kind, entry.from_status, entry.reason) == (
        "miss_intake",
        "intake_booked",
        "Did not come.",
    )
    # Booked again and missed again: the same intake, counted twice.
    _book(world, at=NOW + timedelta(days=7))
    assert _reload(world.referral).intake.times_missed == 1
    intake_missed(referral=world.referral, by=world["intake"], reason="No answer either.")
    assert _reload(world.referral).intake.times_missed == 2
    assert Intake.objects.filter(referral=world.referral).count() == 1


def test_an_eligible_intake_needs_the_program_agreement(clock, world, english):
    _book(world, at=NOW + timedelta(hours=1))
    for consents in (None, {"program_agreement": None, "release_court": TODAY}):
        with pytest.raises(ValidationError) as refused:
            _record(world, eligibility="eligible", consents=consents)
        assert refused.value.message_dict == {
            "program_agreement": ["The program agreement must be signed for the person to start."]
        }
    assert _reload(world.referral).status == "intake_booked"
    assert not Consent.objects.filter(referral=world.referral).exists()


def test_an_eligible_intake_keeps_the_consents_and_is_done(clock, world, english):
    _book(world, at=NOW + timedelta(hours=1))
    _record(
        world,
        eligibility="eligible",
        notes="Works nights; prefers the Tuesday group.",
        risk_flags=["separation", "weapons", "separation"],
        consents={
            "program_agreement": TODAY,
            "release_court": date(2026, 11, 20),
            "release_partner": None,
        },
    )
    referral = _reload(world.referral)
    assert referral.status == "intake_done"
    intake = referral.intake
    assert (intake.held_on, intake.eligibility, intake.completed_at) == (TODAY, "eligible", NOW)
    assert (intake.completed_by, intake.risk_flags) == (world["intake"], ["separation", "weapons"])
    consents = Consent.objects.filter(referral=referral).order_by("kind")
    assert [(c.kind, c.signed_on, c.participant, c.recorded_by) for c in consents] == [
        ("program_agreement", TODAY, referral.participant, world["intake"]),
        ("release_court", date(2026, 11, 20), referral.participant, world["intake"]),
    ]
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    assert (entry.kind, entry.to_status, entry.reason_code, entry.reason_text) == (
        "complete_intake",
        "intake_done",
        "eligible",
        "Eligible",
    )


def test_an_ineligible_intake_needs_a_reason_for_the_court(clock, world, english):
    _book(world, at=NOW + timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        _record(world, eligibility="ineligible", court_reason=" ", reason="Internal only.")
    assert refused.value.message_dict == {
        "court_reason": ["Say why the person is not eligible: the court is told."]
    }
    assert _reload(world.referral).status == "intake_booked"


def test_an_ineligible_intake_returns_the_referral_to_court_with_the_reason(clock, world):
    _book(world, at=NOW + timedelta(hours=1))
    _record(world, eligibility="ineligible", court_reason="Denies the offence; wants a trial.")
    referral = _reload(world.referral)
    assert (referral.status, referral.intake.eligibility) == ("returned_to_court", "ineligible")
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    # Without an internal note, the history keeps the reason given to the court.
    assert (entry.kind, entry.to_status, entry.reason) == (
        "return_to_court",
        "returned_to_court",
        "Denies the offence; wants a trial.",
    )


def test_an_intake_is_not_recorded_before_it_is_held(clock, world, english):
    _book(world, at=NOW + timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        _record(
            world,
            held_on=date(2026, 11, 25),
            eligibility="eligible",
            consents={"program_agreement": TODAY},
        )
    assert refused.value.message_dict == {
        "held_on": ["An intake cannot be recorded before it is held."]
    }
    assert Intake.objects.get(referral=world.referral).completed_at is None


def test_a_consent_is_not_signed_in_the_future(clock, world, english):
    _book(world, at=NOW + timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        _record(
            world,
            eligibility="eligible",
            consents={"program_agreement": TODAY, "release_court": date(2026, 11, 25)},
        )
    assert refused.value.message_dict == {
        "release_court": ["A consent cannot be signed in the future."]
    }
    assert not Consent.objects.filter(referral=world.referral).exists()


# Reminders -----------------------------------------------------------------------------------


def _booked_for(world, person, *, at, file_number):
    referral = make_referral(
        world.agency, world["intake"], world.court, person=person, court_file_number=file_number
    )
    _book(world, referral, at=at)
    return referral


def _send(capture, times=1):
    with capture(execute=True):
        return [intake_reminders_send() for _ in range(times)]


def test_a_reminder_goes_the_day_before_in_english(
    clock, world, django_capture_on_commit_callbacks
):
    referral = _booked_for(world, PAUL, at=NOW + timedelta(hours=23), file_number="26-00010")
    assert _send(django_capture_on_commit_callbacks) == [1]
    [message] = mail.outbox
    assert message.to == ["paul.girard@example.org"]
    assert message.subject == "Your appointment tomorrow at River Services"
    assert "Hello Paul Girard," in message.body
    assert "intake appointment with River Services: 25 Nov 2026, 9 a.m." in message.body
    assert "In person: 100 Main Street, Ottawa" in message.body
    assert Intake.objects.get(referral=referral).reminder_sent_at == NOW


def test_a_french_participant_gets_the_reminder_in_french(
    clock, world, django_capture_on_commit_callbacks
):
    _booked_for(world, JULIE, at=NOW + timedelta(hours=23), file_number="26-00011")
    _send(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["julie.bouchard@example.org"]
    assert "Services Rivière" in message.subject
    assert "le 25 novembre 2026 à 9\xa0h" in message.body
    assert "Nov " not in message.body


def test_the_french_reminders_subject_is_written_in_french(
    clock, world, django_capture_on_commit_callbacks
):
    _booked_for(world, JULIE, at=NOW + timedelta(hours=23), file_number="26-00011")
    _send(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert not message.subject.startswith("Your appointment")


@pytest.mark.parametrize(
    ("person", "subject"),
    [
        (PAUL, "Your appointment today at River Services"),
        (JULIE, "Votre rendez-vous d'aujourd'hui avec Services Rivière"),
    ],
)
def test_a_reminder_for_later_today_says_today_not_tomorrow(
    clock, world, django_capture_on_commit_callbacks, person, subject
):
    _booked_for(world, person, at=NOW + timedelta(hours=5), file_number="26-00013")
    _send(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.subject == subject


@pytest.mark.parametrize(
    "person",
    [
        {**PAUL, "consent_email": False},
        {**PAUL, "email": ""},
    ],
    ids=["did-not-agree", "no-email"],
)
def test_no_reminder_without_agreement_and_address(
    clock, world, django_capture_on_commit_callbacks, person
):
    referral = _booked_for(world, person, at=NOW + timedelta(hours=23), file_number="26-00012")
    assert _send(django_capture_on_commit_callbacks) == [0]
    assert mail.outbox == []
    # Looked at once, not again at every run.
    assert Intake.objects.get(referral=referral).reminder_sent_at == NOW


def test_a_reminder_goes_once_however_often_the_job_runs(
    clock, world, django_capture_on_commit_callbacks
):
    _booked_for(world, PAUL, at=NOW + timedelta(hours=23), file_number="26-00013")
    with django_capture_on_commit_callbacks(execute=True):
        assert [send_intake_reminders(), send_intake_reminders()] == [1, 0]
    clock.shift(timedelta(hours=1))
    assert _send(django_capture_on_commit_callbacks) == [0]
    assert len(mail.outbox) == 1


def test_no_reminder_more_than_a_day_ahead(clock, world, django_capture_on_commit_callbacks):
    _booked_for(world, PAUL, at=NOW + timedelta(hours=25), file_number="26-00014")
    _booked_for(world, JULIE, at=NOW + timedelta(hours=24), file_number="26-00015")
    _send(django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [["julie.bouchard@example.org"]]
    clock.shift(timedelta(hours=1))
    _send(django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [
        ["julie.bouchard@example.org"],
        ["paul.girard@example.org"],
    ]


def test_no_reminder_for_an_intake_already_past_or_missed(
    clock, world, django_capture_on_commit_callbacks
):
    referral = _booked_for(world, PAUL, at=NOW + timedelta(hours=2), file_number="26-00016")
    intake_missed(referral=referral, by=world["intake"], reason="Called to say he cannot come.")
    _booked_for(world, JULIE, at=NOW + timedelta(hours=2), file_number="26-00017")
    clock.shift(timedelta(hours=3))
    assert _send(django_capture_on_commit_callbacks) == [0]
    assert mail.outbox == []
