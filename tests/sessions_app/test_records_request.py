"""A person's records request: one PDF of everything the agency holds on a participant, for
the case workers only, audited with counts, in a fixed number of queries; and a canary that
nothing of the confidential store (victims, outreach, concerns, risk alerts) reaches it."""

import io
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from ipv.audit.models import AuditEvent
from referrals.models import Intake
from referrals.services.referrals import event_record
from sessions_app.models import Attendance, Session
from sessions_app.records import records_of
from sessions_app.services import program
from tests.sessions_app.conftest import take
from tests.victims import seeding

pytestmark = pytest.mark.django_db

INTAKE_NOTE = "Works nights at the Quincaillerie Lapointe."
ATTENDANCE_NOTE = "Spoke about the Rutabaga week."


def _url(world, participant_id=None, agency=None, query=""):
    slug = (agency or world.agency).slug
    pk = participant_id or world.referral.participant_id
    return f"/en/a/{slug}/participants/{pk}/records/{query}"


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _case(clock, world):
    """The world's participant with an intake note, a risk flag, an attended session with a
    note, and the payment of $100.00 the world already recorded."""
    Intake.objects.create(
        agency=world.agency,
        referral=world.referral,
        scheduled_at=timezone.now(),
        booked_by=world["intake"],
        notes=INTAKE_NOTE,
        risk_flags=["substance_use"],
    )
    first = world.group.sessions.order_by("date").first()
    take(clock, world, first, world.referral, "late", minutes_late=12, note=ATTENDANCE_NOTE)


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_another_agency_gets_404(client, world):
    client.force_login(world["other_intake"])
    # The first agency's address, and the first agency's participant under the worker's own.
    assert client.get(_url(world)).status_code == 404
    assert client.get(_url(world, agency=world.other_agency)).status_code == 404
    # Positive control: their own participant answers.
    own = _url(world, world.other_referral.participant_id, agency=world.other_agency)
    assert client.get(own).status_code == 200


@pytest.mark.parametrize("persona", ["facilitator", "partner_contact"])
def test_facilitators_and_partner_contact_workers_are_refused(client, world, persona):
    client.force_login(world[persona])
    assert client.get(_url(world)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RECORDS_REQUESTED).exists()


def test_a_court_liaison_officer_never_reaches_it(client, world):
    client.force_login(world["liaison"])
    assert client.get(_url(world)).status_code == 404


@pytest.mark.parametrize("persona", ["intake", "manager"])
def test_the_case_workers_get_one_pdf_of_the_persons_records(client, clock, world, persona):
    _case(clock, world)
    # An internal key (a referral's submission key) is not the person's record.
    key = uuid.uuid4()
    type(world.referral).objects.filter(pk=world.referral.pk).update(submission_key=key)
    client.force_login(world[persona])
    response = client.get(_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    # Named for the person (in their language once the French catalog has the words).
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "-Jean-Marc-Tremblay.pdf" in response["Content-Disposition"]
    text = _pdf_text(response)
    assert "Jean-Marc Tremblay" in text
    assert INTAKE_NOTE in text
    assert ATTENDANCE_NOTE in text
    assert "100,00 $" in text  # the payment, in Canadian French
    assert "4811-998-26-00001" in text
    assert str(key) not in text


def test_the_worker_may_choose_english(client, clock, world):
    _case(clock, world)
    client.force_login(world["intake"])
    text = _pdf_text(client.get(_url(world, query="?language=en")))
    assert "Records request" in text
    assert "$100.00" in text
    assert "Substance use" in text  # the risk flag: the agency's own record on the person
    assert "(12 min late)" in text
    # Anything else than French or English falls back to the person's language.
    french = _pdf_text(client.get(_url(world, query="?language=de")))
    assert "100,00 $" in french


def test_each_request_is_audited_with_counts_and_no_content(client, clock, world):
    _case(clock, world)
    client.force_login(world["intake"])
    client.get(_url(world))
    client.get(_url(world, query="?language=en"))
    events = AuditEvent.objects.filter(action=AuditEvent.Action.RECORDS_REQUESTED).order_by("pk")
    assert [event.details["language"] for event in events] == ["fr", "en"]
    event = events[0]
    assert event.actor == world["intake"]
    assert event.agency == world.agency
    assert event.target_id == str(world.referral.participant_id)
    assert event.details["referrals"] == 1
    assert event.details["attendance"] == 1
    assert event.details["ledger"] == 1
    # Counts and the language, nothing the records say (the person is named by number).
    assert set(event.details) == {
        "language",
        "referrals",
        "timeline",
        "consents",
        "attendance",
        "ledger",
        "documents",
        "history",
    }
    stored = f"{event.target_label} {event.target_labels}"
    assert str(world.referral.participant_id) in stored
    for content in ("Tremblay", INTAKE_NOTE, ATTENDANCE_NOTE):
        assert content not in stored


def test_only_the_agencys_own_referrals_and_rows_are_read(world):
    """The other agency's referral of the person transferred there stays out."""
    records = records_of(agency=world.agency, participant=world.referral.participant)
    assert [r.pk for r in records.referrals] == [world.referral.pk]
    others = records_of(agency=world.other_agency, participant=world.other_referral.participant)
    assert [r.pk for r in others.referrals] == [world.other_referral.pk]


def _many_sessions(world, count, *, before):
    module = world.session.module
    first = world.session.date
    return Session.objects.bulk_create(
        Session(
            agency=world.agency,
            group=world.group,
            module=module,
            date=first - timedelta(days=before + day),
            start_time=world.session.start_time,
        )
        for day in range(count)
    )


def _queries(world) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        records_of(agency=world.agency, participant=world.referral.participant)
    return queries


def test_the_number_of_queries_does_not_grow_with_attendance(world):
    few = _many_sessions(world, 3, before=1)
    many = _many_sessions(world, 300, before=10)
    rows = [
        Attendance(
            agency=world.agency,
            session=session,
            referral=world.referral,
            status="present",
            note=f"Row {session.pk}",
            recorded_by=world["facilitator"],
        )
        for session in few
    ]
    Attendance.objects.bulk_create(rows)
    small = _queries(world)
    Attendance.objects.bulk_create(
        Attendance(
            agency=world.agency,
            session=session,
            referral=world.referral,
            status="present",
            recorded_by=world["facilitator"],
        )
        for session in many
    )
    large = _queries(world)
    records = records_of(agency=world.agency, participant=world.referral.participant)
    assert records.counts["attendance"] == 303  # positive control: the rows are read
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)


# The canary: every confidential field of the store, seeded through its services, and what
# the case team sees of outreach (its risk alerts and their fixed words) stays out.
ALERT_WORDS = re.compile(
    r"elevated risk|risque (élevé|accru)|partner-contact team|risk alert|alerte",
    re.IGNORECASE,
)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_nothing_of_the_confidential_store_reaches_the_records(
    client, clock, world, language, django_capture_on_commit_callbacks
):
    _case(clock, world)
    with django_capture_on_commit_callbacks(execute=True):
        seeding.seed(
            agency=world.agency,
            referral=world.referral,
            worker=world["partner_contact"],
            raiser=world["facilitator"],
        )
    client.force_login(world["intake"])
    # Positive control of the canary itself: the case team is shown the alert on the page.
    page = client.get(f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/")
    assert ALERT_WORDS.search(page.content.decode())

    text = _pdf_text(client.get(_url(world, query=f"?language={language}")))
    assert not seeding.SECRETS.search(text), seeding.SECRETS.search(text)
    assert not ALERT_WORDS.search(text), ALERT_WORDS.search(text)
    # Nor how many people the order names (the referral page says it; the records do not).
    assert not re.search(r"order names|ordonnance nomme", text, re.IGNORECASE)
    # Positive controls: what the agency holds on the person is there.
    assert "Jean-Marc Tremblay" in text
    assert INTAKE_NOTE in text
    assert ATTENDANCE_NOTE in text
    assert ("100,00 $" if language == "fr" else "$100.00") in text


def test_a_transferred_person_brings_the_history_that_travelled_and_nothing_more(client, world):
    """At the receiving agency: the timeline up to the transfer and the modules attended
    there; not the sending agency's intake notes, nor what it writes afterwards."""
    sent = world.transfer.referral
    Intake.objects.create(
        agency=world.agency,
        referral=sent,
        scheduled_at=timezone.now(),
        booked_by=world["intake"],
        notes="Sending agency's own note about Mistigri.",
    )
    new = program.transfer_accept(transfer=world.transfer, by=world["other_intake"])
    event_record(sent, "edited", by=world["intake"], reason="Written after the Tarasque left.")
    client.force_login(world["other_intake"])
    response = client.get(_url(world, new.participant_id, agency=world.other_agency))
    text = _pdf_text(response)
    assert "Moved to Thunder Bay." in text  # the sending agency's reason, which travelled
    assert "Services Rivière" in text  # whence the person came
    assert "Mistigri" not in text
    assert "Tarasque" not in text
    records = records_of(agency=world.other_agency, participant=new.participant)
    assert [r.pk for r in records.referrals] == [new.pk]
