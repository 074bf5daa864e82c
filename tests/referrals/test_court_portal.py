"""The court liaison portal: e-referrals, and what an officer sees of a referral (its status and
dates) and never sees (victims, intake notes, risk flags, the reasons written in its history)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from referrals.models import Referral, Status
from referrals.services.intake import intake_book, intake_record
from referrals.services.referrals import e_referral_accept, referral_transition

pytestmark = pytest.mark.django_db

NOW = "2026-11-24 10:00 -05:00"


def e_referral(world, **changes):
    data = {
        "person-legal_name": "Marc-André Poirier",
        "person-date_of_birth": "1991-02-03",
        "person-language": "fr",
        "order-agency": str(world.agency.pk),
        "order-program": "ipv",
        "order-stream": "early_intervention",
        "order-source_order": "release_order",
        "order-court": str(world.court.pk),
        "order-court_file_number": "4811-998-26-07777",
        "order-charges": "Assault (s. 266)",
        "order-order_date": "2026-11-20",
        "order-return_court_date": "2027-04-01",
        "order-complete_by": "2027-03-20",
        "order-source": "court",
        "order-referrer_name": "Louis Bélanger",
        "named-TOTAL_FORMS": "2",
        "named-INITIAL_FORMS": "0",
        "named-MIN_NUM_FORMS": "0",
        "named-MAX_NUM_FORMS": "10",
        "named-0-full_name": "Hortense Canari",
        "named-0-relationship": "current_partner",
        "named-0-phone": "613-555-0177",
    }
    data.update(changes)
    return data


@time_machine.travel(NOW, tick=False)
def test_an_officer_sends_an_e_referral_that_lands_in_the_agencys_queue(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["liaison"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/court/referrals/new/", e_referral(world))

    referral = Referral.objects.get(court_file_number="4811-998-26-07777")
    assert response.status_code == 302
    assert response["Location"] == f"/fr/court/referrals/{referral.pk}/"
    assert (referral.agency, referral.status, referral.via) == (
        world.agency,
        Status.RECEIVED,
        Referral.Via.E_REFERRAL,
    )
    assert referral.received_on == timezone.localdate()
    assert not referral.is_accepted
    assert referral.submitted_by == world["liaison"]
    # The agency's intake workers are told, without a name.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "intake@riviere.test",
        "new@riviere.test",
    ]
    for message in mail.outbox:
        assert "Marc-André" not in message.body + message.subject
        assert "Hortense" not in message.body + message.subject


@time_machine.travel(NOW, tick=False)
def test_an_officer_cannot_send_to_an_agency_that_does_not_serve_their_court(client, world):
    client.force_login(world["liaison"])
    response = client.post(
        "/en/court/referrals/new/", e_referral(world, **{"order-agency": world.other_agency.pk})
    )
    assert response.status_code == 400
    assert "agency" in response.context["order_form"].errors
    response = client.post(
        "/en/court/referrals/new/", e_referral(world, **{"order-court": world.other_court.pk})
    )
    assert response.status_code == 400
    assert "court" in response.context["order_form"].errors
    assert "Hortense Canari" in response.content.decode()  # what was typed stays
    assert not Referral.objects.filter(court_file_number="4811-998-26-07777").exists()


@time_machine.travel(NOW, tick=False)
def test_the_officer_sees_the_acceptance_and_each_status_change(client, world):
    client.force_login(world["liaison"])
    client.post("/en/court/referrals/new/", e_referral(world))
    referral = Referral.objects.get(court_file_number="4811-998-26-07777")
    page = f"/en/court/referrals/{referral.pk}/"
    assert "Waiting for the agency to accept" in client.get("/en/court/").content.decode()
    assert "Not yet" in client.get(page).content.decode()

    e_referral_accept(referral=referral, by=world["intake"])
    referral_transition(
        referral=referral, name="contact", by=world["intake"], reason="PRIVATE-REASON-CANARY"
    )
    html = client.get(page).content.decode()

    assert "Not yet" not in html
    assert "24 Nov 2026" in html
    assert "First contact made" in html
    assert "Contacted" in html
    assert "PRIVATE-REASON-CANARY" not in html
    assert "Isabelle Roy" not in html  # the agency's staff are not named to the court


@time_machine.travel(NOW, tick=False)
def test_the_officer_never_sees_intake_notes_risk_flags_or_the_people_named(client, world):
    referral = world.referral
    intake_book(
        referral=referral,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(hours=2),
        mode="in_person",
        location="100 Main Street",
    )
    with time_machine.travel("2026-11-24 13:00 -05:00", tick=False):
        intake_record(
            referral=referral,
            by=world["intake"],
            held_on=timezone.localdate(),
            eligibility="eligible",
            notes="NOTES-CANARY: drinks on weekends.",
            risk_flags=["weapons", "strangulation"],
            consents={"program_agreement": timezone.localdate()},
        )
    client.force_login(world["liaison"])
    for url in ("/en/court/", f"/en/court/referrals/{referral.pk}/", "/fr/court/"):
        html = client.get(url).content.decode()
        for secret in ("NOTES-CANARY", "Access to weapons", "Past strangulation", "weapons"):
            assert secret not in html, (url, secret)
    assert "Intake done" in client.get(f"/en/court/referrals/{referral.pk}/").content.decode()


def test_the_documents_have_their_place_before_any_is_issued(client, world):
    client.force_login(world["liaison"])
    html = client.get(f"/en/court/referrals/{world.transfer.referral.pk}/").content.decode()
    assert "The completion certificate and the attendance and compliance reports" in html
