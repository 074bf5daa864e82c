"""Retention (ipv.pages.retention): each rule applies once its period has passed — the clock
moved just past it — and not a day before; an agency's own period replaces the province's;
each run audits counts, never names; a second run changes nothing more."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from directory.models import Agency
from ipv.accounts.models import Role
from ipv.audit.models import AuditEvent
from ipv.core.history import event_model
from ipv.figures.models import Export
from ipv.notifications.models import OutboxMessage
from ipv.pages.retention import retention_apply
from referrals.models import Intake, Participant, Referral, TimelineEntry
from referrals.services.referrals import referral_transition
from tests.conftest import AGENCY_NUMBERS, make_person
from tests.core.retention.making import (
    CLOSED,
    DAY,
    NAMES,
    SEVEN_YEARS_ON,
    fresh,
    history_text,
    victim_of,
)
from victims.models import Victim
from victims.rls import confidential
from victims.services.outreach import outreach_close


def test_a_referral_closed_seven_years_ago_is_de_identified_and_still_counted(place, files):
    old, still_open, recent = files
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        report = retention_apply()
    assert report.total("referrals_deidentified") == 1
    referral = fresh(old)
    person = referral.participant
    assert (person.legal_name, person.email, person.phone) == ("", "", "")
    assert person.date_of_birth == date(1984, 1, 1)  # the year alone
    assert person.deidentified_at is not None
    assert str(person) != "Jean-Marc Tremblay"
    assert (referral.court_file_number, referral.charges, referral.referrer_name) == ("", "", "")
    assert referral.participant_names == ""
    assert Intake.objects.get(referral=referral).notes == ""
    assert set(
        TimelineEntry.objects.filter(referral=referral).values_list("reason", flat=True)
    ) == {""}
    # Nothing in the history names the person any more.
    for model, pk in ((Participant, person.pk), (Referral, referral.pk)):
        history = history_text(model, [pk])
        assert "Tremblay" not in history and "4811-998-26-00001" not in history
    # The row still counts: its status, program, dates and court are what they were.
    assert (referral.status, referral.program, referral.order_date) == (
        "withdrawn",
        "ipv",
        date(2026, 1, 5),
    )
    assert Referral.objects.filter(agency=old.agency, status="withdrawn").count() == 2
    # The controls: the open referral and the one closed since are untouched.
    assert fresh(still_open).participant.legal_name == "Paul Girard"
    assert fresh(recent).participant.legal_name == "Luc Martin"
    assert fresh(recent).court_file_number == "4811-998-26-00003"


def test_a_day_before_the_seven_years_nothing_is_de_identified(place, files):
    old, _still_open, _recent = files
    with time_machine.travel(SEVEN_YEARS_ON - DAY, tick=False):
        report = retention_apply()
    assert report.total("referrals_deidentified") == 0
    assert fresh(old).participant.legal_name == "Jean-Marc Tremblay"
    assert fresh(old).court_file_number == "4811-998-26-00001"


def test_a_person_with_another_open_referral_keeps_their_identity(place, files):
    old, _still_open, _recent = files
    # A second order for the same person, still open: the first one's file is still needed.
    second = Referral.objects.get(pk=old.pk)
    second.pk = second.submission_key = None
    second.court_file_number = "4811-998-33-00009"
    Referral.objects.bulk_create([second])
    Referral.objects.filter(pk=second.pk).update(status="received")
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        assert retention_apply().total("referrals_deidentified") == 0
    assert fresh(old).participant.legal_name == "Jean-Marc Tremblay"


def test_an_agency_that_keeps_three_years_has_its_period_applied(place, files):
    agency = place[0]
    old, _still_open, recent = files
    Agency.objects.filter(pk=agency.pk).update(retain_closed_referral_years=3)
    three_years_on = datetime(2029, 1, 15, 15, 0, tzinfo=UTC)
    with time_machine.travel(three_years_on - DAY, tick=False):
        assert retention_apply().total("referrals_deidentified") == 0
    with time_machine.travel(three_years_on + DAY, tick=False):
        assert retention_apply().total("referrals_deidentified") == 1
    assert fresh(old).participant.legal_name == ""
    assert fresh(recent).participant.legal_name == "Luc Martin"  # closed in 2028


def test_contact_details_are_destroyed_24_months_after_outreach_closes(place, files):
    agency, _court, _intake, worker = place
    old, still_open, _recent = files
    with time_machine.travel(CLOSED, tick=False):
        closed = outreach_close(victim=victim_of(old), by=worker, because="follow_up_done")
    with time_machine.travel(datetime(2028, 1, 14, 15, 0, tzinfo=UTC), tick=False):
        assert retention_apply().total("contacts_destroyed") == 0
    assert victim_of(old).phone == "+16135550188"
    with time_machine.travel(datetime(2028, 1, 16, 15, 0, tzinfo=UTC), tick=False):
        assert retention_apply().total("contacts_destroyed") == 1
    victim = victim_of(old)
    assert (victim.phone, victim.email, victim.address, victim.channels) == ("", "", "", [])
    assert victim.relationship == "victim" and victim.outreach == "closed"
    with confidential(agency):
        # The history never held the details, only which of them changed (track_sealed).
        history = event_model(Victim).objects.filter(pgh_obj_id=closed.pk)
        assert history.exists()
        kept = {field.name for field in event_model(Victim)._meta.concrete_fields}
        assert not kept & {"phone", "email", "address", "code_word"}
    # The control: outreach still open keeps every detail.
    assert victim_of(still_open).phone == "+16135550188"


def _message(agency, key, state, at):
    return OutboxMessage.objects.create(
        key=key,
        agency=agency,
        channel="email",
        to="p@example.test",
        subject="Rappel",
        body_text="Bonjour Jean-Marc Tremblay",
        state=state,
        created_at=at,
        sent_at=at if state == "sent" else None,
    )


def test_outgoing_messages_lose_their_text_after_90_days(place):
    agency = place[0]
    sent = _message(agency, "participant:1:email:a", "sent", CLOSED)
    waiting = _message(agency, "participant:1:email:b", "pending", CLOSED)
    with time_machine.travel(CLOSED + 89 * DAY, tick=False):
        assert retention_apply().total("messages_emptied") == 0
    sent.refresh_from_db()
    assert sent.body_text == "Bonjour Jean-Marc Tremblay"
    with time_machine.travel(CLOSED + 91 * DAY, tick=False):
        assert retention_apply().total("messages_emptied") == 1
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.to, sent.subject, sent.body_text, sent.state) == ("", "", "", "sent")
    assert waiting.body_text == "Bonjour Jean-Marc Tremblay"  # still to be sent


def test_an_agency_keeping_messages_30_days_has_them_emptied_sooner(place):
    agency = place[0]
    Agency.objects.filter(pk=agency.pk).update(retain_outbox_days=30)
    sent = _message(agency, "participant:1:email:a", "failed", CLOSED)
    with time_machine.travel(CLOSED + 31 * DAY, tick=False):
        assert retention_apply().total("messages_emptied") == 1
    sent.refresh_from_db()
    assert sent.body_text == ""


def test_expired_exports_and_sessions_are_deleted(place):
    agency, _court, intake, _worker = place
    with time_machine.travel(CLOSED, tick=False):
        export = Export.objects.create(
            agency=agency, requested_by=intake, kind="quarterly", format="csv", language="fr"
        )
        Session.objects.create(
            session_key="a" * 32, session_data="x", expire_date=CLOSED + timedelta(hours=1)
        )
    with time_machine.travel(CLOSED + timedelta(minutes=30), tick=False):
        report = retention_apply()
    assert report.total("exports_removed") == report.total("sessions_removed") == 0
    assert Export.objects.filter(pk=export.pk).exists()
    with time_machine.travel(CLOSED + 2 * DAY, tick=False):
        report = retention_apply()
    assert report.total("exports_removed") == report.total("sessions_removed") == 1
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not Session.objects.filter(session_key="a" * 32).exists()


def _old_file_closed_with_a_message_sent(place, files):
    """The old referral's outreach closed, and a message sent, both when the file closed."""
    agency, _court, _intake, worker = place
    old, _still_open, _recent = files
    with time_machine.travel(CLOSED, tick=False):
        outreach_close(victim=victim_of(old), by=worker, because="follow_up_done")
    _message(agency, "participant:1:email:a", "sent", CLOSED)
    return agency


def test_each_run_audits_counts_per_agency_and_rule_never_names(place, files):
    agency = _old_file_closed_with_a_message_sent(place, files)
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        retention_apply()
    events = AuditEvent.objects.filter(action="retention", agency=agency)
    assert {event.details["event"]: event.details["count"] for event in events} == {
        "referrals_deidentified": 1,
        "contacts_destroyed": 1,
        "messages_emptied": 1,
    }
    stored = json.dumps(list(events.values()), default=str)
    assert not any(name in stored for name in NAMES)
    with translation.override("en"):
        reading = events.get(details__event="referrals_deidentified").reading
    assert reading.notes == ["Closed referrals de-identified", "Number: 1"]


def test_a_second_run_changes_nothing_more(place, files):
    _old_file_closed_with_a_message_sent(place, files)
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        first = retention_apply()
        events = AuditEvent.objects.count()
        history = event_model(Participant).objects.count()
        second = retention_apply()
    assert first.counts and second.counts == {}
    assert AuditEvent.objects.count() == events
    assert event_model(Participant).objects.count() == history


def test_the_command_prints_counts_and_a_dry_run_changes_nothing(place, files, capsys):
    old, _still_open, _recent = files
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        call_command("apply_retention", "--dry-run")
        assert "riviere\treferrals_deidentified\t1\twould be" in capsys.readouterr().out
        assert fresh(old).participant.legal_name == "Jean-Marc Tremblay"
        assert not AuditEvent.objects.filter(action="retention").exists()
        call_command("apply_retention")
        assert "riviere\treferrals_deidentified\t1\tdone" in capsys.readouterr().out
    assert fresh(old).participant.legal_name == ""


def test_a_manager_sets_the_agency_periods_within_bounds(client, world):
    client.force_login(world["manager"])
    url = f"/en/a/{world.agency.slug}/settings/"
    page = client.get(url).content.decode()
    assert "Empty: the province's default, 7. Otherwise from 2 to 25." in page
    response = client.post(url, {**AGENCY_NUMBERS, "retain_closed_referral_years": "1"})
    assert response.status_code == 400
    world.agency.refresh_from_db()
    assert world.agency.retain_closed_referral_years is None
    client.post(
        url,
        {**AGENCY_NUMBERS, "retain_closed_referral_years": "10", "retain_outbox_days": "30"},
    )
    world.agency.refresh_from_db()
    assert (world.agency.retain_closed_referral_years, world.agency.retain_outbox_days) == (10, 30)
    assert world.agency.retain_victim_contact_months is None  # the province's default


def test_the_database_refuses_a_period_out_of_bounds(place):
    agency = place[0]
    Agency.objects.filter(pk=agency.pk).update(retain_victim_contact_months=120)  # the control
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(retain_victim_contact_months=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT retain_victim_contact_months FROM directory_agency WHERE id = %s", [agency.pk]
        )
        assert cursor.fetchone() == (120,)


def test_the_fees_and_attendance_notes_of_a_de_identified_referral_are_blanked(world):
    from fees.models import FeeProposal
    from sessions_app.models import Attendance

    referral, second = world.referral, world.reduction.referral
    other_proposal = FeeProposal.objects.create(
        **{
            field.name: getattr(world.reduction, field.name)
            for field in FeeProposal._meta.concrete_fields
            if field.name not in ("id", "referral")
        },
        referral=world.other_referral,
    )
    Attendance.objects.create(
        agency=world.agency,
        session=world.session,
        referral=referral,
        status="present",
        note="Jean-Marc Tremblay spoke of his brother.",
        recorded_by=world["facilitator"],
    )
    for closing in (referral, second):
        referral_transition(referral=closing, name="withdraw", by=world["intake"], reason="Moved")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7 * 366), tick=False):
        assert retention_apply().total("referrals_deidentified") == 2
    proposal = FeeProposal.objects.get(pk=world.reduction.pk)
    assert proposal.reason == "" and proposal.amount == world.reduction.amount
    assert "Rent doubled" not in history_text(FeeProposal, [proposal.pk])
    attendance = Attendance.objects.get(referral=referral)
    assert (attendance.note, attendance.status) == ("", "present")
    assert "brother" not in history_text(Attendance, [attendance.pk])
    # The control: the other agency's open referral keeps its own.
    assert FeeProposal.objects.get(pk=other_proposal.pk).reason == "Rent doubled this year."


def test_a_failed_message_emptied_by_retention_cannot_be_sent_again(place, english):

    from ipv.notifications.services import message_retry

    agency, _court, intake, _worker = place
    emptied = _message(agency, "participant:1:email:a", "failed", CLOSED)
    kept = _message(agency, "participant:1:email:b", "failed", CLOSED + 60 * DAY)
    with time_machine.travel(CLOSED + 91 * DAY, tick=False):
        assert retention_apply().total("messages_emptied") == 1
        with pytest.raises(ValidationError, match="removed"):
            message_retry(message=emptied, by=intake)
        assert message_retry(message=kept, by=intake).state == "pending"  # the control


def test_two_de_identified_people_born_the_same_year_are_not_one_person_in_the_figures(db):
    from ipv.figures.scope import Scope
    from tests.figures.test_rereferral import People, read

    p = People()
    first = p.person("Anne Roy", date(1981, 1, 1))
    p.closed(first, date(2024, 6, 1))
    second = p.person("Paul Girard", date(1981, 1, 1))
    p.referral(second, date(2024, 9, 1))
    # The control: with their names, they are two people; nobody was referred again.
    assert read(Scope.agency(p.here))["rereferred_12_after_completion"] == (None, 0.0, (0, 1))
    Participant.objects.filter(pk__in=[first.pk, second.pk]).update(legal_name="")
    assert read(Scope.agency(p.here))["rereferred_12_after_completion"] == (None, 0.0, (0, 1))


def test_the_agencys_audit_trail_shows_what_the_job_did(client, place):
    agency = place[0]
    manager = make_person(
        "manager@riviere.test", "Martine Gagnon", agency=agency, roles=[Role.MANAGER]
    )
    _message(agency, "participant:1:email:a", "sent", CLOSED)
    with time_machine.travel(CLOSED + 91 * DAY, tick=False):
        retention_apply()
    client.force_login(manager)
    page = client.get(f"/en/a/{agency.slug}/audit/").content.decode()
    assert "Removed what the retention rules no longer keep" in page
    assert "Text of outgoing messages removed" in page
    assert "Number: 1" in page
    assert "Jean-Marc" not in page
