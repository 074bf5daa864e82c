"""Retention (ipv.pages.retention): each rule applies once its period has passed — the clock
moved just past it — and not a day before; an agency's own period replaces the province's;
each run audits counts, never names; a second run changes nothing more."""

import io
import json
import threading
import time
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
from ipv.pages.retention import _deidentify, retention_apply
from referrals.models import Intake, Participant, PossibleDuplicate, Referral, TimelineEntry
from referrals.retention import participants_due, participants_lock_due
from referrals.services.duplicates import duplicate_resolve
from referrals.services.referrals import referral_transition
from tests.conftest import AGENCY_NUMBERS, make_person, make_referral
from tests.factories import AgencyFactory, CourtFactory
from victims.models import Victim
from victims.rls import confidential
from victims.services.outreach import outreach_close

# The day the closed files closed; the province's defaults: 7 years, 24 months, 90 days.
CLOSED = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
SEVEN_YEARS_ON = datetime(2033, 1, 15, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ORDER = {
    "order_date": date(2026, 1, 5),
    "received_on": date(2026, 1, 6),
    "return_court_date": date(2026, 5, 1),
    "complete_by": date(2026, 6, 1),
}
VICTIM = {
    "relationship": "victim",
    "full_name": "Sophie Lachance",
    "phone": "+16135550188",
    "email": "sophie@example.test",
    "address": "12 rue des Érables, Ottawa",
}
NAMES = ("Tremblay", "Girard", "Lachance", "sophie@example", "5550188", "Rent doubled")


@pytest.fixture
def place(db):
    court = CourtFactory(slug="ottawa")
    agency = AgencyFactory(slug="riviere", name_fr="Services Rivière", name_en="River Services")
    agency.courts.add(court)
    intake = make_person("intake@riviere.test", "Isabelle Roy", agency=agency, roles=[Role.INTAKE])
    worker = make_person(
        "partner@riviere.test", "Patricia Lavoie", agency=agency, roles=[Role.PARTNER_CONTACT]
    )
    return agency, court, intake, worker


def _referral(place, name, file_number, **person):
    agency, court, intake, _worker = place
    return make_referral(
        agency,
        intake,
        court,
        person={"legal_name": name, "email": "p@example.test", **person},
        named_people=[VICTIM],
        court_file_number=file_number,
        **ORDER,
    )


def _withdraw(referral, by, at):
    with time_machine.travel(at, tick=False):
        return referral_transition(
            referral=referral, name="withdraw", by=by, reason=f"{referral.participant} moved away"
        )


@pytest.fixture
def files(place):
    """A referral closed on CLOSED (Jean-Marc Tremblay, intake notes, victim), one still open
    (Paul Girard), one closed two years later (Luc Martin)."""
    _agency, _court, intake, _worker = place
    with time_machine.travel(CLOSED - 10 * DAY, tick=False):
        old = _referral(place, "Jean-Marc Tremblay", "4811-998-26-00001")
        still_open = _referral(place, "Paul Girard", "4811-998-26-00002")
        recent = _referral(place, "Luc Martin", "4811-998-26-00003")
        Intake.objects.create(
            agency=old.agency,
            referral=old,
            scheduled_at=CLOSED - 5 * DAY,
            location="Bureau de Jean-Marc Tremblay",
            booked_by=intake,
            notes="Jean-Marc Tremblay spoke of his work.",
        )
    _withdraw(old, intake, CLOSED)
    _withdraw(recent, intake, CLOSED + timedelta(days=2 * 365))
    return old, still_open, recent


def _fresh(referral):
    return Referral.objects.select_related("participant").get(pk=referral.pk)


def _history_text(model, pks) -> str:
    events = event_model(model).objects.filter(pgh_obj_id__in=pks)
    return json.dumps(list(events.values()), default=str)


def test_a_referral_closed_seven_years_ago_is_de_identified_and_still_counted(place, files):
    old, still_open, recent = files
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        report = retention_apply()
    assert report.total("referrals_deidentified") == 1
    referral = _fresh(old)
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
        history = _history_text(model, [pk])
        assert "Tremblay" not in history and "4811-998-26-00001" not in history
    # The row still counts: its status, program, dates and court are what they were.
    assert (referral.status, referral.program, referral.order_date) == (
        "withdrawn",
        "ipv",
        date(2026, 1, 5),
    )
    assert Referral.objects.filter(agency=old.agency, status="withdrawn").count() == 2
    # The controls: the open referral and the one closed since are untouched.
    assert _fresh(still_open).participant.legal_name == "Paul Girard"
    assert _fresh(recent).participant.legal_name == "Luc Martin"
    assert _fresh(recent).court_file_number == "4811-998-26-00003"


def test_a_day_before_the_seven_years_nothing_is_de_identified(place, files):
    old, _still_open, _recent = files
    with time_machine.travel(SEVEN_YEARS_ON - DAY, tick=False):
        report = retention_apply()
    assert report.total("referrals_deidentified") == 0
    assert _fresh(old).participant.legal_name == "Jean-Marc Tremblay"
    assert _fresh(old).court_file_number == "4811-998-26-00001"


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
    assert _fresh(old).participant.legal_name == "Jean-Marc Tremblay"


def test_a_record_merged_into_the_person_goes_with_them(place):
    """Merging moves the duplicate's referrals to the person kept: the duplicate has none left
    to close, yet its own name, phone, address and birth date must go with the person's."""
    _agency, _court, intake, _worker = place
    person = {"date_of_birth": date(1984, 3, 2)}
    with time_machine.travel(CLOSED - 10 * DAY, tick=False):
        first = _referral(place, "Jean-Marc Tremblay", "4811-998-26-00001", **person)
        second = _referral(
            place,
            "Jean-Marc Tremblay",
            "4811-998-26-00002",
            phone="+16135550199",
            street_address="99 rue Secrète",
            **person,
        )
        duplicate = PossibleDuplicate.objects.get(participant=second.participant)
        duplicate_resolve(duplicate=duplicate, by=intake, same_person=True)
    merged = Participant.objects.get(pk=second.participant_id)
    assert merged.merged_into_id == first.participant_id
    for referral in Referral.objects.filter(participant_id=first.participant_id):
        _withdraw(referral, intake, CLOSED)
    with time_machine.travel(SEVEN_YEARS_ON - DAY, tick=False):  # the control: not yet
        retention_apply()
    merged.refresh_from_db()
    assert (merged.legal_name, merged.phone) == ("Jean-Marc Tremblay", "+16135550199")
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        retention_apply()
    for pk in (first.participant_id, merged.pk):
        left = Participant.objects.get(pk=pk)
        assert (left.legal_name, left.phone, left.street_address) == ("", "", "")
        assert left.date_of_birth == date(1984, 1, 1) and left.deidentified_at is not None
    assert "Tremblay" not in _history_text(Participant, [first.participant_id, merged.pk])
    # The audit trail, kept as written, numbered the person and never named them.
    assert not AuditEvent.objects.filter(target_label__icontains="Tremblay").exists()
    assert not AuditEvent.objects.filter(target_labels__icontains="Tremblay").exists()


def test_a_person_chosen_then_given_a_new_referral_is_left_whole(place, files):
    """The batch is chosen, then locked and chosen again: a referral opened in between keeps
    the person (and the merged-in records) out of the de-identification."""
    old, _still_open, _recent = files
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        closed_before = SEVEN_YEARS_ON + DAY - timedelta(days=7 * 365)
        chosen = list(
            participants_due(agency=old.agency, closed_before=closed_before).values_list(
                "pk", flat=True
            )
        )
        assert chosen == [old.participant_id]  # the control: due when chosen
        Referral.objects.filter(pk=old.pk).update(status="received")  # reopened meanwhile
        assert participants_lock_due(participant_ids=chosen, closed_before=closed_before) == []


def _same_person(new, known) -> PossibleDuplicate:
    """The person of `new` flagged as maybe the person of `known`, for a worker to decide."""
    return PossibleDuplicate.objects.create(
        agency=known.agency,
        participant=new.participant,
        existing=known.participant,
        name_similarity=0.9,
        same_birth_date=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_merge_that_holds_the_lock_keeps_the_open_referral_it_brings_whole(place, files):
    """The open file of Paul Girard is merged into Jean-Marc Tremblay, whose own closed seven
    years ago, while retention waits for Tremblay's lock: once it has the lock, it must see the
    referral the merge brought, and leave both people whole."""
    old, still_open, _recent = files
    duplicate = _same_person(still_open, old)
    now = SEVEN_YEARS_ON + DAY
    merging, done = threading.Event(), []

    def merge():
        try:
            with transaction.atomic():
                duplicate_resolve(duplicate=duplicate, by=place[2], same_person=True)
                merging.set()
                time.sleep(1.5)  # retention now waits for the people's locks
        finally:
            merging.set()
            connection.close()

    def retain():
        try:
            merging.wait(10)
            done.append(_deidentify(old.agency, now - timedelta(days=7 * 365), dry_run=False))
        finally:
            connection.close()

    with time_machine.travel(now, tick=True):
        threads = [threading.Thread(target=merge), threading.Thread(target=retain)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert done == [0]
    brought = _fresh(still_open)
    assert brought.participant_id == old.participant_id  # the control: the merge happened
    assert brought.court_file_number == "4811-998-26-00002"
    assert brought.participant.legal_name == "Jean-Marc Tremblay"


def test_a_de_identified_person_cannot_take_a_merge(place, files):
    old, still_open, _recent = files
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        retention_apply()
    duplicate = _same_person(still_open, old)
    with pytest.raises(ValidationError) as refused:
        duplicate_resolve(duplicate=duplicate, by=place[2], same_person=True)
    assert refused.value.code == "deidentified"
    assert _fresh(old).participant.legal_name == ""


def test_an_agency_that_keeps_three_years_has_its_period_applied(place, files):
    agency = place[0]
    old, _still_open, recent = files
    Agency.objects.filter(pk=agency.pk).update(retain_closed_referral_years=3)
    three_years_on = datetime(2029, 1, 15, 15, 0, tzinfo=UTC)
    with time_machine.travel(three_years_on - DAY, tick=False):
        assert retention_apply().total("referrals_deidentified") == 0
    with time_machine.travel(three_years_on + DAY, tick=False):
        assert retention_apply().total("referrals_deidentified") == 1
    assert _fresh(old).participant.legal_name == ""
    assert _fresh(recent).participant.legal_name == "Luc Martin"  # closed in 2028


def _victim(referral):
    with confidential(referral.agency_id):
        return Victim.objects.get(referral=referral)


def test_contact_details_are_destroyed_24_months_after_outreach_closes(place, files):
    agency, _court, _intake, worker = place
    old, still_open, _recent = files
    with time_machine.travel(CLOSED, tick=False):
        closed = outreach_close(victim=_victim(old), by=worker, because="follow_up_done")
    with time_machine.travel(datetime(2028, 1, 14, 15, 0, tzinfo=UTC), tick=False):
        assert retention_apply().total("contacts_destroyed") == 0
    assert _victim(old).phone == "+16135550188"
    with time_machine.travel(datetime(2028, 1, 16, 15, 0, tzinfo=UTC), tick=False):
        assert retention_apply().total("contacts_destroyed") == 1
    victim = _victim(old)
    assert (victim.phone, victim.email, victim.address, victim.channels) == ("", "", "", [])
    assert victim.relationship == "victim" and victim.outreach == "closed"
    with confidential(agency):
        # The history never held the details, only which of them changed (track_sealed).
        history = event_model(Victim).objects.filter(pgh_obj_id=closed.pk)
        assert history.exists()
        kept = {field.name for field in event_model(Victim)._meta.concrete_fields}
        assert not kept & {"phone", "email", "address", "code_word"}
    # The control: outreach still open keeps every detail.
    assert _victim(still_open).phone == "+16135550188"


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


def test_each_run_audits_counts_per_agency_and_rule_never_names(place, files):
    agency, _court, _intake, worker = place
    old, _still_open, _recent = files
    with time_machine.travel(CLOSED, tick=False):
        outreach_close(victim=_victim(old), by=worker, because="follow_up_done")
    _message(agency, "participant:1:email:a", "sent", CLOSED)
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
    agency, _court, _intake, worker = place
    old, _still_open, _recent = files
    with time_machine.travel(CLOSED, tick=False):
        outreach_close(victim=_victim(old), by=worker, because="follow_up_done")
    _message(agency, "participant:1:email:a", "sent", CLOSED)
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
        assert _fresh(old).participant.legal_name == "Jean-Marc Tremblay"
        assert not AuditEvent.objects.filter(action="retention").exists()
        call_command("apply_retention")
        assert "riviere\treferrals_deidentified\t1\tdone" in capsys.readouterr().out
    assert _fresh(old).participant.legal_name == ""


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
    assert "Rent doubled" not in _history_text(FeeProposal, [proposal.pk])
    attendance = Attendance.objects.get(referral=referral)
    assert (attendance.note, attendance.status) == ("", "present")
    assert "brother" not in _history_text(Attendance, [attendance.pk])
    # The control: the other agency's open referral keeps its own.
    assert FeeProposal.objects.get(pk=other_proposal.pk).reason == "Rent doubled this year."


def test_the_documents_of_a_de_identified_referral_no_longer_say_whom_they_were_about(world):
    """Documents are frozen once issued: retention alone blanks the person in them and drops
    the PDFs that printed them; asked for again, they print what is left."""
    from sessions_app.models import Certificate, CourtReport
    from sessions_app.services.documents import document_pdf, document_render

    referral = world.referral
    document_render(world.report)
    Certificate.objects.filter(pk=world.certificate.pk).update(pdf=b"%PDF-1.7 Jean-Marc")
    from sessions_app.services.documents import court_report_issue

    still_open = court_report_issue(
        referral=world.reduction.referral, kind=CourtReport.Kind.PROGRESS, by=world["intake"]
    )
    document_render(still_open)
    referral_transition(referral=referral, name="withdraw", by=world["intake"], reason="Moved")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7 * 366), tick=False):
        retention_apply()
    certificate = Certificate.objects.get(pk=world.certificate.pk)
    report = CourtReport.objects.get(pk=world.report.pk)
    for document in (certificate, report):
        assert not document.is_rendered
        text = json.dumps(document.details)
        for kept in ("Tremblay", "J.-M. T.", "4811-998-26-00001"):
            assert kept not in text
        assert document.code and document.details["modules"] == (
            world.certificate.details["modules"]
            if document is certificate
            else report.details["modules"]
        )
    assert report.details["date_of_birth"].endswith("-01-01")
    # Printed again from what is left: a PDF that names no one.
    assert document_pdf(certificate).startswith(b"%PDF")
    assert document_render(report).startswith(b"%PDF")
    # The control: the documents of a referral still open are as issued.
    kept = CourtReport.objects.get(pk=still_open.pk)
    assert kept.details == still_open.details and kept.details["name"]
    assert kept.is_rendered


def test_a_document_being_printed_as_retention_blanks_it_is_stored_blank(world):
    """A download or the worker loaded a report not yet printed; retention then blanks it; the
    print under way must not store, or serve, the name it was given before."""
    from sessions_app.models import CourtReport
    from sessions_app.services.documents import document_render

    loaded = CourtReport.objects.get(pk=world.report.pk)  # the request's copy
    assert not loaded.is_rendered and loaded.details["name"] == "Jean-Marc Tremblay"
    referral_transition(referral=world.referral, name="withdraw", by=world["intake"], reason="-")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7 * 366), tick=False):
        retention_apply()
    served = _pdf_text(document_render(loaded))  # the print that was under way
    stored = CourtReport.objects.get(pk=loaded.pk)
    assert stored.is_rendered
    for text in (served, _pdf_text(document_render(stored))):
        assert "Tremblay" not in text
        assert "4811-998-26-00001" not in text
        assert "Rapport" in text or "report" in text.lower()  # the control: a real document


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_a_failed_message_emptied_by_retention_cannot_be_sent_again(place):
    from django.core.exceptions import ValidationError

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


def test_events_that_named_a_participant_before_are_numbered_by_the_migration(place, files):
    """Events written before the trail numbered participants carry the name in their label;
    the migration numbers them (and leaves other events as they are)."""
    from importlib import import_module

    from ipv.audit.services import Action, audit_record

    old = files[0]
    person = old.participant
    named = audit_record(
        action=Action.RECORD_CHANGED, agency=old.agency, target=person, label=person
    )
    other = audit_record(action=Action.RECORD_CHANGED, agency=old.agency, target=old, label=old)
    assert "Tremblay" in named.target_label  # the control: as they were written
    migration = import_module("ipv.audit.migrations.0011_participants_numbered")
    with connection.schema_editor() as editor:
        migration.renumber(None, editor)
    named.refresh_from_db()
    assert named.target_label == f"Participant #{person.pk}"
    assert named.target_labels == {
        "fr": f"Personne participante no {person.pk}",
        "en": f"Participant #{person.pk}",
    }
    before = other.target_label
    other.refresh_from_db()
    assert other.target_label == before
