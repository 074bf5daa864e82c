"""Negotiating a fee through the pages: the intake worker assesses and proposes, the manager
approves or declines a fee below the scale; counter-offers; who may open a fee page at all;
the audit trail and the row history each step leaves."""

import re
from datetime import datetime
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fees import services
from fees.models import FeeAccount, FeeProposal, LedgerEntry
from ipv.audit.models import AuditEvent
from tests.conftest import FEE_SCALE, make_referral

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
FEES, DECISIONS = "/en/a/riviere/fees/", "/en/a/riviere/fees/proposals/{}/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paul(world):
    """A referral with no fee yet."""
    return make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Girard", "language": "en"},
        court_file_number="4811-998-26-00077",
    )


def page(pk):
    return f"/en/a/riviere/referrals/{pk}/fees/"


def text(response) -> str:
    """The words of a page, without its tags, blanks made one space."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def statuses(referral) -> list[tuple[str, str]]:
    return list(
        FeeProposal.objects.filter(referral=referral).order_by("pk").values_list("amount", "status")
    )


def assessed_and_agreed(client, world, referral):
    """The intake worker assesses $45,000 for two people ($350 on the scale) and agrees on it."""
    client.force_login(world["intake"])
    assessed = client.post(
        page(referral.pk) + "assess/",
        {
            "household_income": "45 000,00",
            "household_size": "2",
            "dependants": "1",
            "employment": "full_time",
            "evidence_seen": ["pay_stubs", "tax"],
            "circumstances": "Rent doubled in September.",
        },
    )
    assert assessed.status_code == 302, assessed.context["form"].errors
    assert assessed["Location"] == page(referral.pk)
    agreed = client.post(page(referral.pk) + "propose/", {"amount": "350,00"})
    assert agreed.status_code == 302
    return agreed


def reduction(client, world, referral, amount="200", **more):
    client.force_login(world["intake"])
    data = {"amount": amount, "reason": "Lost his job in October.", **more}
    response = client.post(page(referral.pk) + "propose/", data)
    assert response.status_code == 302, response.context["form"].errors
    return FeeProposal.objects.filter(referral=referral).latest("pk")


def test_a_fee_at_the_scale_is_agreed_at_once(client, world, paul):
    client.force_login(world["intake"])
    assert "Not assessed yet." in text(client.get(page(paul.pk)))
    assessed_and_agreed(client, world, paul)

    assert statuses(paul) == [(Decimal("350.00"), "agreed")]
    account = FeeAccount.objects.get(referral=paul)
    assert (account.agreed, account.paid, account.balance) == (Decimal("350"), 0, Decimal("350"))
    shown = text(client.get(page(paul.pk)))
    assert "Annual household income $45,000.00, 2 in the household." in shown
    assert "Fee on the scale: $350.00." in shown
    assert "schedule version 1, incomes of $40,000.00 and above, household column 2." in shown
    evidence = re.sub(r" ,", ",", shown)
    assert "Evidence seen: Pay stubs, Notice of assessment or tax return" in evidence
    assert "$350.00 — Agreed" in shown


def test_a_reduction_needs_a_reason_then_waits_for_the_manager(client, world, paul):
    assessed_and_agreed(client, world, paul)
    refused = client.post(page(paul.pk) + "propose/", {"amount": "200", "reason": "  "})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "reason": ["Say why the fee is below the scale: a manager reads it."]
    }
    assert statuses(paul) == [(Decimal("350.00"), "agreed")]

    reduction(client, world, paul)
    assert statuses(paul) == [(Decimal("350.00"), "agreed"), (Decimal("200.00"), "awaiting")]
    # Until the manager approves, the fee agreed is still the one on the scale.
    assert FeeAccount.objects.get(referral=paul).agreed == Decimal("350.00")
    assert "$200.00 — Waiting for a manager's approval" in text(client.get(page(paul.pk)))


def test_the_manager_approves_a_reduction_and_the_previous_fee_is_replaced(client, world, paul):
    assessed_and_agreed(client, world, paul)
    proposal = reduction(client, world, paul)
    client.force_login(world["manager"])
    waiting = text(client.get(FEES))
    assert "Paul Girard — $200.00 instead of $350.00" in waiting
    decision = text(client.get(DECISIONS.format(proposal.pk)))
    assert "Fee on the scale $350.00 Fee proposed $200.00 Why Lost his job in October." in decision
    assert "Circumstances Rent doubled in September." in decision

    response = client.post(DECISIONS.format(proposal.pk), {"approve": "yes"})
    assert response.status_code == 302
    assert response["Location"] == FEES
    assert statuses(paul) == [(Decimal("350.00"), "replaced"), (Decimal("200.00"), "agreed")]
    proposal.refresh_from_db()
    assert (proposal.decided_by, proposal.decided_at) == (world["manager"], NOW)
    assert FeeAccount.objects.get(referral=paul).balance == Decimal("200.00")
    assert list(client.get(FEES).context["approvals"]) == [world.reduction]


def test_a_decline_needs_a_note_and_leaves_the_agreed_fee_in_place(client, world, paul):
    assessed_and_agreed(client, world, paul)
    proposal = reduction(client, world, paul, amount="100")
    client.force_login(world["manager"])
    refused = client.post(DECISIONS.format(proposal.pk), {"approve": "no", "note": ""})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"note": ["Say why, for the intake worker."]}
    assert statuses(paul)[-1] == (Decimal("100.00"), "awaiting")

    declined = client.post(
        DECISIONS.format(proposal.pk), {"approve": "no", "note": "Ask for his EI statement."}
    )
    assert declined.status_code == 302
    assert statuses(paul) == [(Decimal("350.00"), "agreed"), (Decimal("100.00"), "declined")]
    assert FeeAccount.objects.get(referral=paul).agreed == Decimal("350.00")
    shown = text(client.get(page(paul.pk)))
    assert "$100.00 — Declined by a manager" in shown
    assert "Martine Gagnon · 2026-11-24 10 a.m. — Ask for his EI statement." in shown

    again = client.post(DECISIONS.format(proposal.pk), {"approve": "yes"})
    assert again.status_code == 400
    assert again.context["form"].non_field_errors() == ["This proposal was already decided."]


def test_after_a_decline_a_new_reduction_can_be_put_and_approved(client, world, paul):
    assessed_and_agreed(client, world, paul)
    first = reduction(client, world, paul, amount="100")
    client.force_login(world["manager"])
    client.post(DECISIONS.format(first.pk), {"approve": "no", "note": "Too low."})
    second = reduction(client, world, paul, amount="250", reason="Evidence of EI received.")
    client.force_login(world["manager"])
    assert client.post(DECISIONS.format(second.pk), {"approve": "yes"}).status_code == 302
    assert statuses(paul) == [
        (Decimal("350.00"), "replaced"),
        (Decimal("100.00"), "declined"),
        (Decimal("250.00"), "agreed"),
    ]
    assert FeeAccount.objects.get(referral=paul).agreed == Decimal("250.00")


def test_a_new_proposal_replaces_one_still_waiting(client, world, paul):
    assessed_and_agreed(client, world, paul)
    reduction(client, world, paul, amount="100")
    reduction(client, world, paul, amount="150")
    assert statuses(paul) == [
        (Decimal("350.00"), "agreed"),
        (Decimal("100.00"), "replaced"),
        (Decimal("150.00"), "awaiting"),
    ]


def test_a_counter_offer_is_recorded_and_shown_to_the_manager(client, world, paul):
    assessed_and_agreed(client, world, paul)
    proposal = reduction(
        client, world, paul, counter_offer="150,00", counter_note="He can pay $25 a week."
    )
    assert (proposal.counter_offer, proposal.counter_note) == (
        Decimal("150.00"),
        "He can pay $25 a week.",
    )
    assert "The participant offered $150.00. He can pay $25 a week." in text(
        client.get(page(paul.pk))
    )
    client.force_login(world["manager"])
    decision = text(client.get(DECISIONS.format(proposal.pk)))
    assert "The participant's counter-offer $150.00 He can pay $25 a week." in decision


def test_a_reduction_below_what_was_paid_meanwhile_cannot_be_approved(client, world, english):
    # world.referral: $350 agreed, $100 paid. A reduction to $150 is proposed ($150 > $100)…
    proposal = services.proposal_create(
        referral=world.referral, by=world["intake"], amount=Decimal("150"), reason="Laid off."
    )
    # …then $200 more is paid before the manager reads it.
    services.payment_record(
        referral=world.referral, by=world["intake"], amount=Decimal("200"), method="cash"
    )
    client.force_login(world["manager"])
    response = client.post(DECISIONS.format(proposal.pk), {"approve": "yes"})
    assert response.status_code == 400
    account = FeeAccount.objects.get(referral=world.referral)
    assert (account.agreed, account.balance) == (Decimal("350.00"), Decimal("50.00"))


def fee_urls(world) -> list[str]:
    referral, entry = world.referral.pk, world.payment.pk
    return [
        "/en/a/riviere/fees/",
        "/en/a/riviere/fees/export/outstanding.csv",
        "/en/a/riviere/fees/export/monthly.csv",
        "/en/a/riviere/fees/schedule/",
        "/en/a/riviere/fees/schedule/new/",
        DECISIONS.format(world.reduction.pk),
        f"/en/a/riviere/fees/receipts/{entry}/",
        f"/en/a/riviere/fees/receipts/{entry}/void/",
        f"/en/a/riviere/fees/receipts/{entry}/refund/",
        page(referral),
        page(referral) + "assess/",
        page(referral) + "propose/",
        page(referral) + "instalments/",
        page(referral) + "payment/",
    ]


MANAGER_ONLY = {0, 1, 2, 4, 5}


@pytest.mark.parametrize(
    ("person", "status"),
    [("facilitator", 403), ("partner_contact", 403), ("liaison", 404), ("other_manager", 404)],
)
def test_no_fee_page_opens_for_anyone_but_intake_and_managers(client, world, person, status):
    client.force_login(world[person])
    answers = {url: client.get(url).status_code for url in fee_urls(world)}
    assert answers == dict.fromkeys(fee_urls(world), status)
    # Nor does a form sent straight to the server do anything.
    posted = client.post(page(world.referral.pk) + "payment/", {"amount": "10", "method": "cash"})
    assert posted.status_code == status
    assert LedgerEntry.objects.filter(agency=world.agency).count() == 1
    denied = AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED)
    assert denied.count() == (len(fee_urls(world)) + 1 if status == 403 else 0)


def test_intake_workers_take_fees_and_only_managers_approve_or_write_the_scale(client, world):
    client.force_login(world["intake"])
    answers = [client.get(url).status_code for url in fee_urls(world)]
    assert answers == [403 if n in MANAGER_ONLY else 200 for n in range(len(answers))]
    client.force_login(world["manager"])
    assert {client.get(url).status_code for url in fee_urls(world)} == {200}


def test_anonymous_people_are_sent_to_sign_in(client, world):
    for url in fee_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/en/account/login/"), url


def test_another_agencys_fees_answer_404_through_ones_own(client, world):
    other = world.other_referral
    services.schedule_create(
        agency=world.other_agency,
        by=world["other_manager"],
        effective_from=NOW.date(),
        rows=FEE_SCALE,
    )
    services.assessment_create(
        referral=other,
        by=world["other_intake"],
        household_income=Decimal(45000),
        household_size=1,
        employment="full_time",
    )
    services.proposal_create(referral=other, by=world["other_intake"], amount=Decimal("400"))
    entry = services.payment_record(
        referral=other, by=world["other_intake"], amount=Decimal("50"), method="cash"
    )
    client.force_login(world["manager"])
    for url in (
        page(other.pk),
        page(other.pk) + "payment/",
        f"/en/a/riviere/fees/receipts/{entry.pk}/",
        f"/en/a/riviere/fees/receipts/{entry.pk}/void/",
        DECISIONS.format(FeeProposal.objects.get(referral=other).pk),
    ):
        assert client.get(url).status_code == 404, url
    voided = client.post(f"/en/a/riviere/fees/receipts/{entry.pk}/void/", {"note": "Mistake."})
    assert voided.status_code == 404
    assert LedgerEntry.objects.filter(referral=other).count() == 1


def test_each_step_is_in_the_audit_trail_and_the_row_history(client, world, paul):
    assessed_and_agreed(client, world, paul)
    declined = reduction(client, world, paul, amount="100")
    client.force_login(world["manager"])
    client.post(DECISIONS.format(declined.pk), {"approve": "no", "note": "Too low."})
    approved = reduction(client, world, paul, amount="250")
    client.force_login(world["manager"])
    client.post(DECISIONS.format(approved.pk), {"approve": "yes"})

    trail = AuditEvent.objects.filter(target_type__startswith="fees.", target_label=str(paul))
    assert [
        (event.action, event.details["event"], event.actor.email, event.path)
        for event in trail.order_by("pk")
    ] == [
        ("created", "assessed", "intake@riviere.test", page(paul.pk) + "assess/"),
        ("created", "fee_proposed", "intake@riviere.test", page(paul.pk) + "propose/"),
        ("created", "fee_proposed", "intake@riviere.test", page(paul.pk) + "propose/"),
        ("changed", "fee_declined", "manager@riviere.test", DECISIONS.format(declined.pk)),
        ("created", "fee_proposed", "intake@riviere.test", page(paul.pk) + "propose/"),
        ("changed", "fee_approved", "manager@riviere.test", DECISIONS.format(approved.pk)),
    ]
    agreed_at_scale = FeeProposal.objects.get(referral=paul, amount=350)
    history = [
        (event.pgh_label, event.status, event.pgh_context["user"], event.pgh_context["url"])
        for event in agreed_at_scale.events.order_by("pgh_id")
    ]
    assert history == [
        ("insert", "agreed", world["intake"].pk, page(paul.pk) + "propose/"),
        ("update", "replaced", world["manager"].pk, DECISIONS.format(approved.pk)),
    ]
    assert [
        (event.pgh_label, event.status, event.decision_note)
        for event in declined.events.order_by("pgh_id")
    ] == [("insert", "awaiting", ""), ("update", "declined", "Too low.")]
