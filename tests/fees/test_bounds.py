"""Fees within reason: dates a payment or a plan may take, monthly figures that never rewrite a
month, instalments on what remains, four eyes on every fee off the scale, a household that
counts its dependants, and limits said as money in the page's language."""

import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fees import services
from fees.models import FeeAccount, FeeAssessment, FeeProposal, Instalment, LedgerEntry
from ipv.accounts.models import Role
from ipv.audit.models import AuditEvent
from tests.conftest import make_person, make_referral

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Toronto"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def page(referral, rest=""):
    return f"/en/a/riviere/referrals/{referral.pk}/fees/{rest}"


def words(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def paul(world, number="00077"):
    """A referral received on 2026-11-03, assessed at $350 on the scale, nothing agreed."""
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Girard", "language": "en"},
        court_file_number=f"4811-998-26-{number}",
    )
    services.assessment_create(
        referral=referral,
        by=world["intake"],
        household_income=Decimal("45000"),
        household_size=2,
        employment="full_time",
    )
    return referral


# Dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("0001-01-01", "Enter a date from 24 Nov 2025 on."),
        ("1999-06-01", "Enter a date from 24 Nov 2025 on."),
        ("9999-12-31", "A payment cannot be dated in the future."),
        ("2026-11-25", "A payment cannot be dated in the future."),
    ],
)
def test_a_payment_dated_long_ago_or_ahead_is_refused_and_what_was_typed_stays(
    client, world, day, error
):
    client.force_login(world["intake"])
    data = {"amount": "50", "method": "cash", "received_on": day}
    response = client.post(page(world.referral, "payment/"), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"received_on": [error]}
    assert f'value="{day}"' in response.content.decode()
    assert LedgerEntry.objects.filter(referral=world.referral).count() == 1


def test_a_payment_is_not_dated_before_the_referral_arrived(client, world, english):
    client.force_login(world["intake"])
    data = {"amount": "50", "method": "cash", "received_on": "2026-11-02"}
    response = client.post(page(world.referral, "payment/"), data)
    assert response.context["form"].errors == {
        "received_on": ["A payment cannot be dated before the referral arrived (3 Nov 2026)."]
    }
    data["received_on"] = "2026-11-03"
    assert client.post(page(world.referral, "payment/"), data).status_code == 302
    assert FeeAccount.objects.get(referral=world.referral).paid == Decimal("150.00")


def test_the_database_refuses_a_ledger_entry_of_year_1_whatever_the_path(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            agency=world.agency,
            referral=world.referral,
            kind="payment",
            amount=Decimal("1"),
            method="cash",
            received_on=date(1, 1, 1),
            receipt_number=999,
            balance_after=0,
            recorded_by=world["intake"],
        )


def test_instalments_fall_due_from_today_to_two_years_ahead(client, world):
    client.force_login(world["intake"])
    plan = {"plan-TOTAL_FORMS": "2", "plan-INITIAL_FORMS": "0"}
    refused = client.post(
        page(world.referral, "instalments/"),
        {
            **plan,
            **{"plan-0-due_on": "2026-11-23", "plan-0-amount": "125"},
            **{"plan-1-due_on": "9999-12-31", "plan-1-amount": "125"},
        },
    )
    assert refused.status_code == 400
    formset = refused.context["formset"]
    assert formset.forms[0].errors == {"due_on": ["An instalment falls due today or later."]}
    assert formset.forms[1].errors == {"due_on": ["Enter a date up to 23 Nov 2028."]}
    with pytest.raises(ValidationError) as refused_by_the_service:
        services.instalments_set(
            referral=world.referral,
            by=world["intake"],
            instalments=[(date(2026, 12, 1), Decimal("125")), (date(9999, 1, 1), Decimal("125"))],
        )
    assert refused_by_the_service.value.messages == [
        "Instalments fall due from today to 23 Nov 2028."
    ]


# Monthly figures -------------------------------------------------------------------------------


def test_a_back_dated_payment_and_its_void_leave_this_months_revenue_as_it_was(client, world):
    client.force_login(world["manager"])
    before = client.get("/en/a/riviere/fees/").context["months"]
    assert before == [
        {"month": date(2026, 11, 1), "revenue": Decimal("100.00"), "waived": Decimal("0")}
    ]
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Luc Gagnon"},
        court_file_number="4811-998-26-00088",
        order_date=date(2026, 9, 1),
        received_on=date(2026, 9, 2),
    )
    services.assessment_create(
        referral=referral,
        by=world["intake"],
        household_income=Decimal("45000"),
        household_size=2,
        employment="full_time",
    )
    services.proposal_create(referral=referral, by=world["intake"], amount=Decimal("350"))
    # Taken in October, typed in today, then voided today: November counts both, October neither.
    payment = services.payment_record(
        referral=referral,
        by=world["intake"],
        amount=Decimal("80"),
        method="cash",
        received_on=date(2026, 10, 20),
    )
    services.payment_void(entry=payment, by=world["intake"], note="Typed on the wrong file.")
    response = client.get("/en/a/riviere/fees/")
    assert response.context["months"] == before
    assert "Each entry counts in the month it was recorded, whatever its date" in words(response)


# Instalments on what remains ---------------------------------------------------------------------


def test_instalments_are_planned_on_what_remains_to_pay(client, world):
    # world.referral: $350 agreed, $100 paid: $250 remain.
    client.force_login(world["intake"])
    url = page(world.referral, "instalments/")
    assert "The instalments add up to what remains to pay, $250.00" in words(client.get(url))
    whole_fee = {
        "plan-TOTAL_FORMS": "2",
        "plan-INITIAL_FORMS": "0",
        **{"plan-0-due_on": "2026-12-15", "plan-0-amount": "175"},
        **{"plan-1-due_on": "2027-01-15", "plan-1-amount": "175"},
    }
    refused = client.post(url, whole_fee)
    assert refused.context["formset"].non_form_errors() == [
        "The instalments add up to $350.00; what remains to pay is $250.00."
    ]
    remaining = {**whole_fee, "plan-0-amount": "125", "plan-1-amount": "125"}
    assert client.post(url, remaining).status_code == 302
    assert list(Instalment.objects.values_list("due_on", "amount")) == [
        (date(2026, 12, 15), Decimal("125.00")),
        (date(2027, 1, 15), Decimal("125.00")),
    ]
    assert FeeAccount.objects.get(referral=world.referral).next_due_on == date(2026, 12, 15)
    services.payment_record(
        referral=world.referral, by=world["intake"], amount=Decimal("125"), method="cash"
    )
    assert FeeAccount.objects.get(referral=world.referral).next_due_on == date(2027, 1, 15)


# Four eyes -------------------------------------------------------------------------------------


def zero_fee_by_the_manager(world):
    referral = paul(world)
    return services.proposal_create(
        referral=referral, by=world["manager"], amount=Decimal("0"), reason="No income at all."
    )


def test_a_manager_cannot_approve_their_own_fee_when_another_manager_can(world, english):
    make_person("second@riviere.test", "Sylvie Côté", agency=world.agency, roles=[Role.MANAGER])
    proposal = zero_fee_by_the_manager(world)
    with pytest.raises(ValidationError) as refused:
        services.proposal_decide(
            proposal=proposal, by=world["manager"], approve=True, note="I know him."
        )
    assert refused.value.messages == ["You proposed this fee: another manager approves it."]
    assert FeeProposal.objects.get(pk=proposal.pk).status == "awaiting"
    second = world.agency.memberships.get(user__email="second@riviere.test").user
    services.proposal_decide(proposal=proposal, by=second, approve=True)
    assert FeeProposal.objects.get(pk=proposal.pk).status == "agreed"


def test_an_only_manager_approves_their_own_fee_with_a_reason_flagged_in_the_trail(
    client, world, english
):
    proposal = zero_fee_by_the_manager(world)
    client.force_login(world["manager"])
    url = f"/en/a/riviere/fees/proposals/{proposal.pk}/"
    assert "You proposed this fee: another manager approves it." in words(client.get(url))
    refused = client.post(url, {"approve": "yes", "note": " "})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "note": ["You proposed this fee and are the only manager: say why you approve it."]
    }
    assert FeeProposal.objects.get(pk=proposal.pk).status == "awaiting"
    approved = client.post(url, {"approve": "yes", "note": "Only manager; reviewed the file."})
    assert approved.status_code == 302
    assert FeeProposal.objects.get(pk=proposal.pk).status == "agreed"
    event = AuditEvent.objects.filter(details__event="fee_approved").get()
    assert (event.actor, event.details["self_approved"], event.details["reason"]) == (
        world["manager"],
        True,
        "Only manager; reviewed the file.",
    )
    trail = words(client.get("/en/a/riviere/audit/"))
    assert "Approved by the person who proposed it" in trail


def test_a_manager_approves_someone_elses_fee_without_a_reason_and_no_flag(world):
    services.proposal_decide(proposal=world.reduction, by=world["manager"], approve=True)
    event = AuditEvent.objects.filter(details__event="fee_approved").get()
    assert "self_approved" not in event.details


def test_an_inactive_second_manager_does_not_count_as_another_pair_of_eyes(world, english):
    make_person("gone@riviere.test", "Gaston Parti", agency=world.agency, roles=[Role.MANAGER])
    world.agency.memberships.filter(user__email="gone@riviere.test").update(
        is_active=False, ended_at=NOW
    )
    proposal = zero_fee_by_the_manager(world)
    services.proposal_decide(proposal=proposal, by=world["manager"], approve=True, note="Alone.")
    assert FeeProposal.objects.get(pk=proposal.pk).status == "agreed"


# Off the scale, households, amounts -------------------------------------------------------------


def test_a_fee_above_the_scale_needs_a_reason_and_a_managers_approval(client, world):
    referral = paul(world)
    client.force_login(world["intake"])
    refused = client.post(page(referral, "propose/"), {"amount": "500"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "reason": ["Say why the fee is above the scale: a manager reads it."]
    }
    asked = client.post(page(referral, "propose/"), {"amount": "500", "reason": "Asked to."})
    assert asked.status_code == 302
    proposal = FeeProposal.objects.get(referral=referral)
    assert proposal.status == "awaiting"
    assert not FeeAccount.objects.get(referral=referral).agreed
    at_the_scale = client.post(page(referral, "propose/"), {"amount": "350"})
    assert at_the_scale.status_code == 302
    assert FeeProposal.objects.get(referral=referral, amount=350).status == "agreed"


def test_a_household_counts_its_dependants_among_its_people(client, world):
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Girard"},
        court_file_number="4811-998-26-00077",
    )
    client.force_login(world["intake"])
    data = {
        "household_income": "45000",
        "household_size": "3",
        "dependants": "5",
        "employment": "full_time",
    }
    refused = client.post(page(referral, "assess/"), data)
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "dependants": [
            "The dependants are among the people in the household, the participant aside: "
            "at most 2 here."
        ]
    }
    assert client.post(page(referral, "assess/"), {**data, "dependants": "2"}).status_code == 302
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeAssessment.objects.filter(referral=referral).update(dependants=3)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter an amount of $9,999,999.99 or less."),
        ("fr", "Entrez un montant de 9\xa0999\xa0999,99\xa0$ ou moins."),
    ],
)
def test_a_limit_is_said_as_money_in_the_pages_language(client, world, language, message):
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Girard"},
        court_file_number="4811-998-26-00077",
    )
    client.force_login(world["intake"])
    response = client.post(
        f"/{language}/a/riviere/referrals/{referral.pk}/fees/assess/",
        {
            "household_income": "20000000",
            "household_size": "2",
            "dependants": "0",
            "employment": "full_time",
        },
    )
    assert response.context["form"].errors["household_income"] == [message]
