"""Transfers: the person moved; their referral goes to an agency near the new home, with
their consent, once that agency accepts. The history goes with it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ipv.audit.models import AuditEvent
from ipv.pages.tasks import milestones_consume
from referrals.models import ORDER_DETAILS, PARTICIPANT_DETAILS, Consent, Referral, TimelineEntry
from referrals.selectors import liaison_timeline, referral_timeline
from referrals.services.transfers import transfer_cancel, transfer_decline
from sessions_app.services.program import referral_transition, transfer_accept, transfer_request
from tests.conftest import make_referral
from tests.factories import AgencyFactory
from victims.models import Victim

pytestmark = pytest.mark.django_db

MOVED = "Moved to Thunder Bay for work."
CONSENT_DAY = date(2026, 11, 23)
NAMED = [
    {"relationship": "victim", "full_name": "Sophie Lachance", "phone": "+16135550188"},
    {"relationship": "family", "full_name": "Léa Tremblay", "safe_contact_notes": "Text first."},
]


def _request(world, referral=None, *, to_agency=None, reason=MOVED, by=None):
    return transfer_request(
        referral=referral or world.referral,
        by=by or world["intake"],
        to_agency=to_agency or world.other_agency,
        reason=reason,
        consent_signed_on=CONSENT_DAY,
    )


def _status(referral):
    return Referral.objects.get(pk=referral.pk).status


def test_a_transfer_request_keeps_the_participants_consent(world):
    transfer = _request(world)
    assert (transfer.status, transfer.to_agency, transfer.requested_by) == (
        "pending",
        world.other_agency,
        world["intake"],
    )
    consent = Consent.objects.get(referral=world.referral)
    assert (consent.kind, consent.signed_on) == ("release_transfer", CONSENT_DAY)
    assert (consent.participant, consent.recorded_by) == (
        world.referral.participant,
        world["intake"],
    )
    entry = TimelineEntry.objects.filter(referral=world.referral).latest("pk")
    assert (entry.kind, entry.by, entry.reason) == ("transfer_requested", world["intake"], MOVED)
    assert entry.details == {"to_agency": "Lakehead Centre"}
    event = AuditEvent.objects.get(target_type="referrals.transfer", target_id=transfer.pk)
    assert (event.action, event.agency) == ("created", world.agency)
    # Asking changes nothing yet.
    assert _status(world.referral) == "received"


def test_a_referral_has_one_pending_transfer_at_a_time(world, english):
    with pytest.raises(ValidationError, match="already waiting"):
        _request(world, world.transfer.referral)
    assert world.transfer.referral.transfers.count() == 1
    assert Consent.objects.filter(referral=world.transfer.referral).count() == 1


def test_a_transfer_goes_to_another_agency(world, english):
    with pytest.raises(ValidationError) as refused:
        _request(world, to_agency=world.agency)
    assert refused.value.message_dict == {"to_agency": ["Choose another agency."]}
    assert not world.referral.transfers.exists()


def test_a_transfer_goes_to_an_agency_that_offers_the_program(world, english):
    lodge = AgencyFactory(
        slug="lodge",
        name_fr="Pavillon de guérison",
        name_en="Healing Lodge",
        programs=["ipiv"],
        indigenous_led=True,
        region=world.other_agency.region,
    )
    with pytest.raises(ValidationError) as refused:
        _request(world, to_agency=lodge)
    assert refused.value.message_dict == {"program": ["This agency does not offer this program."]}
    assert not world.referral.transfers.exists()


def test_a_closed_referral_is_not_transferred(world, english):
    referral_transition(
        referral=world.referral, name="withdraw", by=world["intake"], reason="Charges withdrawn."
    )
    with pytest.raises(ValidationError, match="closed referral cannot be transferred"):
        _request(world)
    assert not Consent.objects.filter(referral=world.referral).exists()


def test_a_consent_is_not_signed_in_the_future(world, english):
    with pytest.raises(ValidationError) as refused:
        transfer_request(
            referral=world.referral,
            by=world["intake"],
            to_agency=world.other_agency,
            reason=MOVED,
            consent_signed_on=date(2099, 1, 1),
        )
    assert refused.value.message_dict == {
        "consent_signed_on": ["A consent cannot be signed in the future."]
    }


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_transfer_request_needs_a_reason(world, reason):
    with pytest.raises(ValidationError) as refused:
        _request(world, reason=reason)
    assert "reason" in refused.value.message_dict
    assert not world.referral.transfers.exists()


def test_the_sending_agency_can_cancel_its_request(world):
    transfer = transfer_cancel(transfer=world.transfer, by=world["manager"])
    assert (transfer.status, transfer.decided_by) == ("cancelled", world["manager"])
    assert transfer.decided_at is not None
    referral = world.transfer.referral
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    assert (entry.kind, entry.by) == ("transfer_cancelled", world["manager"])
    assert _status(referral) == "received"
    # Nothing waits any more: the referral may be sent elsewhere.
    assert _request(world, referral).status == "pending"


def test_declining_needs_a_note(world, english):
    with pytest.raises(ValidationError) as refused:
        transfer_decline(transfer=world.transfer, by=world["other_intake"], note=" \n")
    assert refused.value.message_dict == {"note": ["Say why, for the other agency."]}
    assert world.transfer.referral.transfers.get().status == "pending"


def test_a_declined_transfer_leaves_the_referral_where_it_was(world):
    note = "  Our groups are full until March.  "
    transfer = transfer_decline(transfer=world.transfer, by=world["other_intake"], note=note)
    assert (transfer.status, transfer.decision_note) == (
        "declined",
        "Our groups are full until March.",
    )
    assert transfer.decided_by == world["other_intake"]
    referral = Referral.objects.get(pk=world.transfer.referral_id)
    assert (referral.agency, referral.status) == (world.agency, "received")
    assert not Referral.objects.filter(transferred_from=referral).exists()
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    assert (entry.kind, entry.by, entry.reason) == (
        "transfer_declined",
        world["other_intake"],
        "Our groups are full until March.",
    )


def test_accepting_gives_the_receiving_agency_its_own_participant_and_referral(world):
    old = Referral.objects.select_related("participant").get(pk=world.transfer.referral_id)
    new = transfer_accept(transfer=world.transfer, by=world["other_intake"], note="Welcome.")
    new = Referral.objects.select_related("participant").get(pk=new.pk)
    assert (new.agency, new.participant.agency) == (world.other_agency, world.other_agency)
    assert new.participant != old.participant
    assert new.participant.legal_name == "Jean Marc Tremblay"
    for field in PARTICIPANT_DETAILS:
        assert getattr(new.participant, field) == getattr(old.participant, field), field
    for field in ORDER_DETAILS:
        assert getattr(new, field) == getattr(old, field), field
    assert new.court_file_number == "4811-998-26-00002"
    assert (new.status, new.via, new.transferred_from) == ("received", "transfer", old)
    assert (new.accepted_by, new.submitted_by) == (world["other_intake"], world["other_intake"])
    transfer = old.transfers.get()
    assert (transfer.status, transfer.new_referral, transfer.decision_note) == (
        "accepted",
        new,
        "Welcome.",
    )


def test_the_sending_agencys_referral_closes_as_transferred(world):
    old = world.transfer.referral
    new = transfer_accept(transfer=world.transfer, by=world["other_intake"])
    assert _status(old) == "transferred"
    entry = TimelineEntry.objects.filter(referral=old).latest("pk")
    assert (entry.kind, entry.from_status, entry.to_status) == (
        "transfer_out",
        "received",
        "transferred",
    )
    assert (entry.by, entry.reason) == (world["other_intake"], "Moved to Thunder Bay.")
    assert entry.details == {"to_agency": "Lakehead Centre", "new_referral": new.pk}
    [arrival] = TimelineEntry.objects.filter(referral=new)
    assert (arrival.kind, arrival.agency, arrival.to_status) == (
        "transferred_in",
        world.other_agency,
        "received",
    )
    assert arrival.details == {"from_agency": "River Services"}


def test_the_people_named_in_the_order_go_to_the_receiving_agencys_store(
    world, django_capture_on_commit_callbacks
):
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Girard", "date_of_birth": date(1991, 6, 14)},
        named_people=NAMED,
        court_file_number="4811-998-26-00031",
    )
    transfer = _request(world, referral)
    with django_capture_on_commit_callbacks(execute=True):
        new = transfer_accept(transfer=transfer, by=world["other_intake"])
        # The confidential store takes them over once the transfer is committed (its
        # consumer of the "transferred" milestone), not inside the referrals' transaction.
        assert not Victim.objects.filter(referral=new).exists()
    milestones_consume()  # again: nothing is copied twice
    copied = Victim.objects.filter(referral=new).order_by("pk")
    assert [(v.agency, v.relationship, v.full_name) for v in copied] == [
        (world.other_agency, "victim", "Sophie Lachance"),
        (world.other_agency, "family", "Léa Tremblay"),
    ]
    assert (copied[0].phone, copied[1].safe_contact_notes) == ("+16135550188", "Text first.")
    # The sending agency keeps its own rows.
    assert Victim.objects.filter(referral=referral, agency=world.agency).count() == 2


def test_the_history_travels_with_the_referral(world):
    old = world.transfer.referral
    new = transfer_accept(transfer=world.transfer, by=world["other_intake"])
    timeline = referral_timeline(referral=Referral.objects.get(pk=new.pk))
    assert [(entry.referral_id, entry.kind) for entry in timeline] == [
        (old.pk, "created"),
        (old.pk, "transfer_requested"),
        (old.pk, "transfer_out"),
        (new.pk, "transferred_in"),
    ]
    # The court sees the status changes of both, without the reasons behind them.
    court_view = liaison_timeline(referral=Referral.objects.get(pk=new.pk))
    assert [entry.kind for entry in court_view] == ["transfer_out"]


def test_a_transfer_is_answered_once(world, english):
    transfer_accept(transfer=world.transfer, by=world["other_intake"])
    answered = "already answered or cancelled"
    with pytest.raises(ValidationError, match=answered):
        transfer_accept(transfer=world.transfer, by=world["other_manager"])
    with pytest.raises(ValidationError, match=answered):
        transfer_decline(transfer=world.transfer, by=world["other_manager"], note="No room.")
    with pytest.raises(ValidationError, match=answered):
        transfer_cancel(transfer=world.transfer, by=world["intake"])
    assert Referral.objects.filter(agency=world.other_agency, via="transfer").count() == 1
    assert world.transfer.referral.transfers.get().status == "accepted"


def test_a_declined_transfer_cannot_be_accepted_after_all(world, english):
    transfer_decline(transfer=world.transfer, by=world["other_intake"], note="No room.")
    with pytest.raises(ValidationError, match="already answered or cancelled"):
        transfer_accept(transfer=world.transfer, by=world["other_manager"])
    assert _status(world.transfer.referral) == "received"


def test_a_transfer_of_a_referral_closed_meanwhile_is_not_accepted(world, english):
    old = world.transfer.referral
    referral_transition(
        referral=old, name="withdraw", by=world["intake"], reason="Charges dropped."
    )
    participants = world.other_agency.participants.count()
    with pytest.raises(ValidationError, match="Withdrawn"):
        transfer_accept(transfer=world.transfer, by=world["other_intake"])
    assert _status(old) == "withdrawn"
    assert world.other_agency.participants.count() == participants
    assert old.transfers.get().status == "pending"


def test_a_transfer_request_writes_what_the_other_agency_reads_and_nothing_more(world):
    transfer = _request(world)
    assert transfer.summary == {
        "name": "Jean-Marc Tremblay",
        "language": "fr",
        "interpreter_language": "",
        "program": "ipv",
        "stream": "early_intervention",
        "source_order": "release_order",
        "court": {"fr": "Palais de justice d'Ottawa", "en": "Ottawa Courthouse"},
        "order_date": "2026-11-02",
        "return_court_date": "2027-03-15",
        "complete_by": "2027-03-01",
        "status": "received",
        "modules_attended": [],
    }


def _receivers_event(world):
    return AuditEvent.objects.filter(
        agency=world.other_agency, target_type="referrals.transfer"
    ).latest("pk")


def test_the_receiving_agencys_trail_names_its_own_referral_after_accepting(world):
    old = world.transfer.referral
    new = transfer_accept(transfer=world.transfer, by=world["other_intake"])
    label = _receivers_event(world).target_label
    assert new.number in label and old.number not in label


def test_the_receiving_agencys_trail_names_the_sender_after_declining(world):
    old = world.transfer.referral
    transfer_decline(transfer=world.transfer, by=world["other_intake"], note="Full.")
    label = _receivers_event(world).target_label
    assert old.number not in label
    assert str(world.agency) in label
