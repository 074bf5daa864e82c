"""The referral page and the pages of what can be done with it: transitions, intake, transfers
and duplicates, as an intake worker uses them."""

import pytest
import time_machine

from referrals.models import Participant, PossibleDuplicate, Referral, Status, Transfer
from tests.conftest import AGENCY_NUMBERS

pytestmark = pytest.mark.django_db

NOW = "2026-11-24 10:00 -05:00"


def page(world, referral=None, rest="", language="en"):
    referral = referral or world.referral
    return f"/{language}/a/{world.agency.slug}/referrals/{referral.pk}/{rest}"


def action_labels(response):
    return [label for label, _url in response.context["actions"]]


def test_the_referral_page_offers_what_can_be_done_now(client, world):
    client.force_login(world["intake"])
    response = client.get(page(world))
    assert action_labels(response) == [
        "Record the first contact",
        "Book the intake",
        "Return to court (ineligible)",
        "Withdraw from the program",
    ]
    assert "Transfer to another agency" in response.content.decode()


def test_a_manager_reads_and_acts_but_a_facilitator_does_not_see_referrals(client, world):
    client.force_login(world["manager"])
    assert client.get(page(world)).status_code == 200
    client.force_login(world["facilitator"])
    assert client.get(page(world)).status_code == 403
    assert client.get(f"/en/a/{world.agency.slug}/referrals/").status_code == 403


def test_a_status_change_needs_a_reason_and_is_kept_with_it(client, world):
    client.force_login(world["intake"])
    refused = client.post(page(world, rest="status/contact/"), {"reason": "   "})
    assert refused.status_code == 400
    assert refused.context["form"].errors["reason"] == ["This field is required."]

    done = client.post(page(world, rest="status/contact/"), {"reason": "Reached by phone."})
    assert done.status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.status == Status.CONTACTED
    entry = world.referral.timeline.get(kind="contact")
    assert (entry.by, entry.reason, entry.from_status, entry.to_status) == (
        world["intake"],
        "Reached by phone.",
        Status.RECEIVED,
        Status.CONTACTED,
    )
    history = client.get(page(world)).content.decode()
    assert "Reached by phone." in history
    assert "Isabelle Roy" in history


def test_a_reason_that_goes_to_the_court_says_so_where_it_is_typed(client, world):
    Referral.objects.filter(pk=world.referral.pk).update(status=Status.NON_COMPLIANT)
    client.force_login(world["intake"])
    court = "Printed on the report to the court. Write nothing a victim or a partner said."
    for transition, printed in (("discharge", True), ("resume", False)):
        form = client.get(page(world, rest=f"status/{transition}/")).context["form"]
        assert (form.fields["reason"].help_text == court) is printed, transition


def test_what_cannot_be_done_now_is_refused_with_the_reason(client, world):
    client.force_login(world["intake"])
    response = client.post(
        page(world, rest="status/waitlist/"), {"reason": "Group is full."}, follow=True
    )
    assert response.redirect_chain[-1][0] == page(world)
    assert "Not possible while the referral is “Received”." in response.content.decode()
    world.referral.refresh_from_db()
    assert world.referral.status == Status.RECEIVED
    unknown = client.get(page(world, rest="status/complete/"))
    assert unknown.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_an_intake_booked_in_the_past_is_refused_next_to_its_date(client, world):
    client.force_login(world["intake"])
    response = client.post(
        page(world, rest="intake/book/"),
        {"scheduled_at": "2026-11-23T10:00", "mode": "in_person", "location": "Office"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["scheduled_at"] == ["Choose a moment in the future."]
    assert 'value="Office"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_book_move_and_record_an_intake(client, world):
    client.force_login(world["intake"])
    booking = {"scheduled_at": "2026-11-26T10:00", "mode": "video", "location": "https://v.test"}
    assert client.post(page(world, rest="intake/book/"), booking).status_code == 302
    # Booked: the same page now moves the intake, and asks why.
    moved = client.post(page(world, rest="intake/book/"), {**booking, "mode": "phone"})
    assert moved.status_code == 400
    assert moved.context["form"].errors["reason"] == ["This field is required."]
    moved = client.post(
        page(world, rest="intake/book/"),
        {**booking, "scheduled_at": "2026-11-27T14:00", "reason": "Works that day."},
    )
    assert moved.status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.intake.times_rescheduled == 1

    refused = client.post(
        page(world, rest="intake/record/"),
        {"held_on": "2026-11-24", "eligibility": "eligible", "notes": "Calm, motivated."},
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors["program_agreement"] == [
        "The program agreement must be signed for the person to start."
    ]
    assert "Calm, motivated." in refused.content.decode()
    future = client.post(
        page(world, rest="intake/record/"),
        {"held_on": "2026-11-27", "eligibility": "eligible", "program_agreement": "2026-11-24"},
    )
    assert future.context["form"].errors["held_on"] == [
        "An intake cannot be recorded before it is held."
    ]
    done = client.post(
        page(world, rest="intake/record/"),
        {
            "held_on": "2026-11-24",
            "eligibility": "eligible",
            "program_agreement": "2026-11-24",
            "release_court": "2026-11-24",
            "risk_flags": ["substance_use"],
            "notes": "Calm, motivated.",
        },
    )
    assert done.status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.status == Status.INTAKE_DONE
    assert world.referral.intake.risk_flags == ["substance_use"]
    assert sorted(world.referral.consents.values_list("kind", flat=True)) == [
        "program_agreement",
        "release_court",
    ]
    html = client.get(page(world)).content.decode()
    assert "Substance use" in html
    assert "Put on the waitlist" in html


@time_machine.travel(NOW, tick=False)
def test_an_ineligible_person_returns_to_court_with_the_reason(client, world):
    client.force_login(world["intake"])
    client.post(
        page(world, rest="intake/book/"),
        {"scheduled_at": "2026-11-24T11:00", "mode": "in_person"},
    )
    refused = client.post(
        page(world, rest="intake/record/"), {"held_on": "2026-11-24", "eligibility": "ineligible"}
    )
    assert refused.context["form"].errors["court_reason"] == [
        "Say why the person is not eligible: the court is told."
    ]
    client.post(
        page(world, rest="intake/record/"),
        {"held_on": "2026-11-24", "eligibility": "ineligible", "court_reason": "Lives in Quebec."},
    )
    world.referral.refresh_from_db()
    assert world.referral.status == Status.RETURNED_TO_COURT
    closed = client.get(page(world))
    assert action_labels(closed) == []
    assert "This referral is closed" in closed.content.decode()
    edit = client.get(page(world, rest="edit/"), follow=True)
    assert "A closed referral cannot be changed." in edit.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_missed_intake_is_counted_and_the_referral_waits_for_another(client, world):
    client.force_login(world["intake"])
    client.post(
        page(world, rest="intake/book/"), {"scheduled_at": "2026-11-24T11:00", "mode": "phone"}
    )
    response = client.post(page(world, rest="intake/missed/"), {"reason": "No answer."})
    assert response.status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.status == Status.CONTACTED
    assert world.referral.intake.times_missed == 1
    assert "Book the intake" in action_labels(client.get(page(world)))


def test_an_e_referral_is_accepted_once(client, world):
    referral = world.referral
    Referral.objects.filter(pk=referral.pk).update(accepted_at=None, accepted_by=None)
    client.force_login(world["intake"])
    assert "Accept the referral" in client.get(page(world)).content.decode()
    client.post(page(world, rest="accept/"))
    again = client.post(page(world, rest="accept/"), follow=True)
    assert "This referral was already accepted." in again.content.decode()
    referral.refresh_from_db()
    assert referral.accepted_by == world["intake"]


def test_a_transfer_is_asked_answered_and_the_history_travels(client, world):
    transfer = world.transfer
    sent = transfer.referral
    client.force_login(world["other_intake"])
    incoming = f"/en/a/{world.other_agency.slug}/transfers/{transfer.pk}/"
    listing = client.get(f"/en/a/{world.other_agency.slug}/transfers/").content.decode()
    assert "Jean Marc Tremblay" in listing
    details = client.get(incoming).content.decode()
    assert "Moved to Thunder Bay." in details

    refused = client.post(incoming, {"accept": "no"})
    assert refused.context["form"].errors["note"] == ["Say why, for the other agency."]
    response = client.post(incoming, {"accept": "yes"})

    new = Referral.objects.get(agency=world.other_agency, transferred_from=sent)
    assert response["Location"] == f"/en/a/{world.other_agency.slug}/referrals/{new.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Transferred from River Services" in html
    assert "Transfer requested" in html  # the first agency's history came along
    sent.refresh_from_db()
    assert sent.status == Status.TRANSFERRED
    # The first agency keeps its referral, closed.
    client.force_login(world["intake"])
    old = client.get(page(world, sent))
    assert action_labels(old) == []
    assert client.get(f"/en/a/{world.agency.slug}/transfers/{transfer.pk}/").status_code == 200


def test_the_sending_agency_may_cancel_a_transfer_not_yet_answered(client, world):
    client.force_login(world["intake"])
    response = client.post(f"/en/a/{world.agency.slug}/transfers/{world.transfer.pk}/")
    assert response.status_code == 302
    world.transfer.refresh_from_db()
    assert world.transfer.status == Transfer.Status.CANCELLED
    again = client.post(f"/en/a/{world.agency.slug}/transfers/{world.transfer.pk}/", follow=True)
    assert "already answered or cancelled" in again.content.decode()


def test_a_transfer_to_ones_own_agency_or_without_consent_is_refused(client, world):
    client.force_login(world["intake"])
    response = client.post(
        page(world, rest="transfer/"),
        {"to_agency": world.agency.pk, "consent_signed_on": "", "reason": "Moved."},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"to_agency", "consent_signed_on"}


def test_a_possible_duplicate_is_compared_then_merged(client, world):
    duplicate = world.duplicate
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/participants/{duplicate.participant.pk}/"
    html = client.get(url).content.decode()
    assert "Possibly the same person as a record the agency already has" in html
    response = client.post(
        f"/en/a/{world.agency.slug}/duplicates/{duplicate.pk}/", {"same_person": "yes"}
    )
    assert response["Location"] == (
        f"/en/a/{world.agency.slug}/participants/{duplicate.existing.pk}/"
    )
    duplicate.refresh_from_db()
    assert duplicate.resolution == PossibleDuplicate.Resolution.MERGED
    assert duplicate.existing.referrals.count() == 2
    # The merged record's page leads to the person kept.
    assert client.get(url)["Location"].endswith(f"/participants/{duplicate.existing.pk}/")


def test_correcting_a_participant_is_audited_and_refuses_bad_input(client, world):
    client.force_login(world["intake"])
    person = world.referral.participant
    url = f"/en/a/{world.agency.slug}/participants/{person.pk}/edit/"
    data = {
        "legal_name": "Jean-Marc Tremblay",
        "preferred_name": "JM",
        "date_of_birth": "1984-03-02",
        "language": "en",
        "phone": "+16135550123",
        "postal_code": "not a code",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "postal_code" in refused.context["form"].errors
    assert 'value="JM"' in refused.content.decode()
    saved = client.post(url, {**data, "postal_code": "K1P 5J3"})
    assert saved.status_code == 302
    person = Participant.objects.get(pk=person.pk)
    assert (person.preferred_name, person.language, person.postal_code) == ("JM", "en", "K1P 5J3")


@time_machine.travel(NOW, tick=False)
def test_the_agency_home_counts_open_and_overdue_referrals(client, world):
    client.force_login(world["intake"])
    html = client.get(f"/en/a/{world.agency.slug}/").content.decode()
    assert "2 open referrals." in html
    assert "2 overdue." in html
    client.force_login(world["manager"])
    client.post(
        f"/en/a/{world.agency.slug}/settings/",
        {**AGENCY_NUMBERS, "contact_within_days": "30"},
    )
    world.agency.refresh_from_db()
    assert world.agency.contact_within_days == 30
    home = client.get(f"/en/a/{world.agency.slug}/").content.decode()
    assert "2 overdue" not in home
    assert "0 overdue referrals" in home
