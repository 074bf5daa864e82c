"""The court liaison portal: e-referrals, and what an officer sees of a referral (its status and
dates, the reason written for the court when it returns there, and its documents) and never
sees (victims, intake notes, risk flags, the reasons written in its history)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ipv.audit.models import AuditEvent
from referrals.models import Referral, Status
from referrals.services.intake import intake_book
from referrals.services.referrals import e_referral_accept
from sessions_app.models import CourtReport
from sessions_app.services.documents import court_report_issue
from sessions_app.services.program import intake_record, referral_transition

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


# What the court receives when a referral returns to it: the outcome, the reason written for
# the court, and a notice to download — never the team's own note, notes or risk flags.


def _ineligible(client, world, **changes):
    """The intake worker books world.referral's intake, then finds the person not eligible."""
    intake_book(
        referral=world.referral,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(hours=1),
        mode="in_person",
        location="100 Main Street",
    )
    client.force_login(world["intake"])
    outcome = {
        "held_on": "2026-11-24",
        "eligibility": "ineligible",
        "court_reason": "COURT-REASON: lives in Gatineau; a Quebec program is closer.",
        "reason": "INTERNAL-CANARY: spoke of the victim.",
        "notes": "NOTES-CANARY",
        "risk_flags": ["weapons"],
        **changes,
    }
    url = f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/intake/record/"
    return client.post(url, outcome)


def _notice(referral):
    return CourtReport.objects.get(referral=referral, kind="return_notice")


def _court_downloads():
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.DOCUMENT_DOWNLOADED).values_list(
            "actor__email", "target_id", "details"
        )
    )


@time_machine.travel(NOW, tick=False)
def test_the_court_reads_why_a_referral_returns_and_downloads_the_notice(client, world):
    assert _ineligible(client, world).status_code == 302
    notice = _notice(world.referral)
    # The team's own words stay with the team.
    agency_page = client.get(f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/")
    assert "NOTES-CANARY" in agency_page.content.decode()

    client.force_login(world["liaison"])
    page = f"/en/court/referrals/{world.referral.pk}/"
    html = " ".join(client.get(page).content.decode().split())
    assert "Returned to the court on 24 Nov 2026: the agency found the person not eligible" in html
    assert "Reason for the court" in html
    assert "COURT-REASON: lives in Gatineau; a Quebec program is closer." in html
    assert "Notice of return to the court" in html
    for secret in ("INTERNAL-CANARY", "NOTES-CANARY", "Access to weapons", "weapons"):
        assert secret not in html, secret

    download = client.get(f"/en/court/referrals/{world.referral.pk}/reports/{notice.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="report-{notice.code}.pdf"'
    assert _court_downloads() == [("liaison@court.test", str(notice.pk), {"reader": "court"})]

    client.force_login(world["other_liaison"])
    assert client.get(page).status_code == 404
    url = f"/en/court/referrals/{world.referral.pk}/reports/{notice.pk}/"
    assert client.get(url).status_code == 404
    assert len(_court_downloads()) == 1


@time_machine.travel(NOW, tick=False)
def test_an_ineligible_intake_without_a_reason_for_the_court_is_refused(client, world):
    refused = _ineligible(client, world, court_reason="")
    assert refused.status_code == 400
    assert refused.context["form"].errors["court_reason"] == [
        "Say why the person is not eligible: the court is told."
    ]
    assert "Reason for the court" in refused.content.decode()
    assert not CourtReport.objects.filter(kind="return_notice").exists()
    assert Referral.objects.get(pk=world.referral.pk).status == Status.INTAKE_BOOKED


@time_machine.travel(NOW, tick=False)
def test_a_referral_returned_from_its_page_gives_the_court_a_notice_once(client, world):
    client.force_login(world["intake"])
    base = f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}"
    actions = dict(client.get(f"{base}/").context["actions"])
    assert actions["Return to court (ineligible)"] == f"{base}/return/"
    # The reason-only path no longer returns a referral without its notice.
    assert client.get(f"{base}/status/return_to_court/").status_code == 404
    assert client.get(f"{base}/status/contact/").status_code == 200

    refused = client.post(f"{base}/return/", {"reason": "Internal only."})
    assert refused.status_code == 400
    assert "court_reason" in refused.context["form"].errors
    assert not CourtReport.objects.filter(kind="return_notice").exists()

    data = {"court_reason": "The order was varied: no program condition.", "reason": ""}
    assert client.post(f"{base}/return/", data).status_code == 302
    again = client.post(f"{base}/return/", data, follow=True)
    assert "Not possible while the referral is" in again.content.decode()
    notice = _notice(world.referral)
    assert (notice.details["outcome"], notice.details["reason"]) == (
        "returned",
        "The order was varied: no program condition.",
    )
    assert Referral.objects.get(pk=world.referral.pk).status == Status.RETURNED_TO_COURT

    client.force_login(world["liaison"])
    page = client.get(f"/en/court/referrals/{world.referral.pk}/")
    html = " ".join(page.content.decode().split())
    assert "Returned to the court on 24 Nov 2026, before the person started the program." in html


@time_machine.travel(NOW, tick=False)
def test_the_courts_referral_page_costs_the_same_queries_as_reports_pile_up(client, world):
    client.force_login(world["liaison"])
    page = f"/en/court/referrals/{world.referral.pk}/"
    client.get(page)  # the sign-in's first request records the browser's session
    with CaptureQueriesContext(connection) as one:
        assert client.get(page).status_code == 200
    for _ in range(3):
        court_report_issue(referral=world.referral, kind="progress", by=world["intake"])
    latest = CourtReport.objects.filter(kind="progress").latest("issued_at", "pk")
    court_report_issue(
        referral=world.referral, kind="progress", by=world["intake"], replaces=latest
    )
    with CaptureQueriesContext(connection) as five:
        html = client.get(page).content.decode()
    assert html.count("Attendance progress report") == 4  # the replaced one is not shown
    assert len(five) == len(one), "\n".join(query["sql"] for query in five.captured_queries)
