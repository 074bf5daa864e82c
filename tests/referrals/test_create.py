"""Recording a referral: by the agency (from a faxed order) or by the court (an e-referral),
with the people the order names going straight to the confidential store."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ipv.accounts.models import Membership
from ipv.audit.models import AuditEvent
from referrals.models import Participant, Referral, TimelineEntry
from referrals.services.referrals import e_referral_accept
from tests.conftest import ORDER, PERSON, make_referral
from victims.models import Victim
from victims.services import e_referral_submit_naming, victims_record

pytestmark = pytest.mark.django_db

# Someone the world does not know yet: no possible duplicate to get in the way.
PAUL = {"legal_name": "Paul Girard", "date_of_birth": date(1991, 6, 14), "language": "en"}
NAMED = [
    {
        "relationship": "victim",
        "full_name": "Sophie Lachance",
        "phone": "+16135550188",
        "email": "sophie.lachance@example.org",
        "safe_contact_notes": "Weekdays after 6 p.m., never at work.",
    },
    {"relationship": "current_partner", "full_name": "Marie Dubois"},
]


def _paul(world, **order):
    return make_referral(world.agency, world["intake"], world.court, person=PAUL, **order)


def _e_referral(world, *, agency=None, court=None, named_people=()):
    return e_referral_submit_naming(
        officer=world["liaison"],
        agency=agency or world.agency,
        participant={**PERSON, **PAUL},
        order={**ORDER, "court": court or world.court},
        named_people=named_people,
    )


def test_a_referral_saves_the_participant_and_the_court_order(world):
    referral = _paul(world)
    saved = Referral.objects.select_related("participant").get(pk=referral.pk)
    person = saved.participant
    assert (person.agency, person.legal_name, person.date_of_birth) == (
        world.agency,
        "Paul Girard",
        date(1991, 6, 14),
    )
    assert (person.language, str(person.phone)) == ("en", "+16135550123")
    assert (saved.agency, saved.court, saved.program) == (world.agency, world.court, "ipv")
    assert saved.court_file_number == "4811-998-26-00001"
    assert (saved.order_date, saved.complete_by) == (date(2026, 11, 2), date(2027, 3, 1))
    assert (saved.status, saved.via, saved.submitted_by) == ("received", "staff", world["intake"])
    # Entered by the agency itself: nothing to accept.
    assert saved.accepted_by == world["intake"]
    assert saved.accepted_at is not None


def test_a_referral_starts_its_timeline_with_who_recorded_it(world):
    referral = _paul(world)
    [entry] = TimelineEntry.objects.filter(referral=referral)
    assert (entry.kind, entry.by, entry.agency) == ("created", world["intake"], world.agency)
    assert (entry.from_status, entry.to_status) == ("", "received")
    assert entry.details == {"people_named": 0}


def test_a_referral_is_in_the_audit_trail(world):
    referral = _paul(world)
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_CREATED, target_id=referral.pk)
    assert (event.actor, event.agency) == (world["intake"], world.agency)
    assert (event.target_type, event.details) == ("referrals.referral", {"via": "staff"})


def test_people_named_in_the_order_go_to_the_confidential_store(world):
    referral = _paul(world, named_people=NAMED)
    victims = Victim.objects.filter(referral=referral).order_by("pk")
    assert [(v.agency, v.relationship, v.full_name) for v in victims] == [
        (world.agency, "victim", "Sophie Lachance"),
        (world.agency, "current_partner", "Marie Dubois"),
    ]
    assert victims[0].safe_contact_notes == "Weekdays after 6 p.m., never at work."


def test_their_names_and_contact_details_are_encrypted_at_rest(world):
    referral = _paul(world, named_people=NAMED[:1])
    victim = Victim.objects.get(referral=referral)
    assert victim.email == "sophie.lachance@example.org"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT full_name, phone, email, safe_contact_notes FROM victims_victim WHERE id = %s",
            [victim.pk],
        )
        stored = cursor.fetchone()
        # The row history (pghistory) names the confidential fields it was given, never
        # their values, nor their ciphertext.
        cursor.execute(
            "SELECT pgh_confidential, victimevent::text FROM victims_victimevent victimevent"
            " WHERE pgh_obj_id = %s",
            [victim.pk],
        )
        touched, history = cursor.fetchone()
    plain = [NAMED[0][field] for field in ("full_name", "phone", "email", "safe_contact_notes")]
    for raw in stored:
        assert raw
        assert not any(value in raw for value in (*plain, "Sophie", "Lachance", "5550188"))
    assert {"full_name", "phone", "email", "safe_contact_notes"} <= set(touched)
    assert not any(raw in history for raw in stored)
    assert not any(value in history for value in (*plain, "Sophie", "Lachance", "5550188"))


def test_only_the_number_of_people_named_comes_back(world):
    referral = _paul(world)
    assert (
        victims_record(agency=world.agency, referral=referral, people=NAMED, by=world["intake"])
        == 2
    )
    named = _paul(world, named_people=NAMED, court_file_number="4811-998-26-00099")
    [entry] = TimelineEntry.objects.filter(referral=named)
    assert entry.details == {"people_named": 2}
    kept = str(list(TimelineEntry.objects.values())) + str(list(AuditEvent.objects.values()))
    assert "Sophie" not in kept
    assert "Lachance" not in kept


def test_a_program_the_agency_does_not_offer_is_refused(world, english):
    participants = Participant.objects.count()
    with pytest.raises(ValidationError) as refused:
        _paul(world, program="ipiv")
    assert refused.value.message_dict == {"program": ["This agency does not offer this program."]}
    assert Participant.objects.count() == participants


def test_an_e_referral_lands_as_received_and_not_accepted(world):
    referral = _e_referral(world)
    saved = Referral.objects.get(pk=referral.pk)
    assert (saved.agency, saved.status, saved.via) == (world.agency, "received", "e_referral")
    assert saved.submitted_by == world["liaison"]
    assert (saved.accepted_at, saved.accepted_by) == (None, None)
    [entry] = TimelineEntry.objects.filter(referral=referral)
    assert (entry.kind, entry.by, entry.to_status) == ("e_referral", world["liaison"], "received")


def test_an_e_referral_from_a_court_the_officer_does_not_follow_is_refused(world, english):
    referrals = Referral.objects.count()
    with pytest.raises(ValidationError) as refused:
        _e_referral(world, agency=world.other_agency, court=world.other_court)
    assert refused.value.message_dict == {"court": ["Choose one of your courts."]}
    assert Referral.objects.count() == referrals


def test_an_e_referral_to_an_agency_that_does_not_serve_the_court_is_refused(world, english):
    referrals = Referral.objects.count()
    with pytest.raises(ValidationError) as refused:
        _e_referral(world, agency=world.other_agency)
    assert refused.value.message_dict == {"agency": ["This agency does not serve that court."]}
    assert Referral.objects.count() == referrals


def test_intake_workers_are_emailed_without_any_name(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _e_referral(world, named_people=NAMED)
    # The agency's two intake workers, not its other staff, not the other agency's.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "intake@riviere.test",
        "new@riviere.test",
    ]
    link = f"http://127.0.0.1:8000/fr/a/riviere/referrals/{referral.pk}/"
    for message in mail.outbox:
        [(html, _mimetype)] = message.alternatives
        assert link in message.body
        for text in (message.subject, message.body, html):
            assert "Services Rivière" in text
            for name in ("Paul", "Girard", "Sophie", "Lachance", "Marie", "Dubois"):
                assert name not in text


def test_an_intake_role_that_ended_is_not_emailed(world, django_capture_on_commit_callbacks):
    Membership.objects.filter(user=world["no_mfa"]).update(is_active=False, ended_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _e_referral(world)
    assert [message.to for message in mail.outbox] == [["intake@riviere.test"]]


def test_an_e_referral_is_accepted_once(world, english):
    referral = _e_referral(world)
    e_referral_accept(referral=referral, by=world["intake"])
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.accepted_by == world["intake"]
    assert saved.accepted_at is not None
    assert saved.status == "received"
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    assert (entry.kind, entry.by) == ("accepted", world["intake"])
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_CHANGED, target_id=referral.pk)
    assert event.details == {"event": "accepted"}
    with pytest.raises(ValidationError, match="already accepted"):
        e_referral_accept(referral=referral, by=world["manager"])
    assert Referral.objects.get(pk=referral.pk).accepted_by == world["intake"]
    assert TimelineEntry.objects.filter(referral=referral, kind="accepted").count() == 1
