"""The ledger: payments, voids and refunds; the refusals; an append-only table with receipts
numbered per agency without gaps, even under random sequences and two payments at once."""

from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fees import services
from fees.models import FeeAccount, LedgerEntry
from ipv.accounts.models import Membership, Role
from referrals.models import Referral
from tests.conftest import FEE_SCALE, at_once, make_referral
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def agreed(world, *, name="Paul Girard", language="en", fee="350", agency=None, number="00077"):
    """A new referral of the first agency (or `agency`) with `fee` agreed and nothing paid."""
    agency = agency or world.agency
    worker = world["intake"] if agency == world.agency else world["other_intake"]
    court = world.court if agency == world.agency else world.other_court
    if not agency.fee_schedules.exists():
        services.schedule_create(
            agency=agency, by=worker, effective_from=date(2026, 1, 1), rows=FEE_SCALE
        )
    referral = make_referral(
        agency,
        worker,
        court,
        person={"legal_name": name, "language": language},
        court_file_number=f"4811-998-26-{number}",
    )
    services.assessment_create(
        referral=referral,
        by=worker,
        household_income=Decimal("45000"),
        household_size=2,
        employment="full_time",
    )
    proposal = services.proposal_create(
        referral=referral, by=worker, amount=Decimal(fee), reason="Agreed with the participant."
    )
    if proposal.status == "awaiting":  # off the scale: a manager approves it
        manager = world["manager"] if agency == world.agency else world["other_manager"]
        services.proposal_decide(proposal=proposal, by=manager, approve=True)
    return referral


def pay(world, amount, method="cash", referral=None, **more):
    if method == "waiver":
        more.setdefault("note", "Lost his job.")
    return services.payment_record(
        referral=referral or world.referral,
        by=world["manager" if method == "waiver" else "intake"],
        amount=Decimal(amount),
        method=method,
        **more,
    )


def account(referral) -> tuple:
    row = FeeAccount.objects.get(referral=referral)
    return (row.agreed, row.paid, row.refunded, row.waived, row.balance)


def refusal(call, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        call(**kwargs)
    return refused.value.messages


def test_the_balance_is_the_fee_less_payments_plus_refunds_and_a_void_cancels(world, english):
    pay(world, "50")
    typo = pay(world, "30", "etransfer")
    services.payment_void(entry=typo, by=world["intake"], note="Typed twice.")
    services.refund_record(
        entry=world.payment, by=world["manager"], amount=Decimal(20), method="cash"
    )
    pay(world, "25", "waiver")
    # Paid: 100 + 50 + 30 − 30 + 25 (of which 25 waived); refunded 20.
    assert account(world.referral) == (350, 175, 20, 25, Decimal("195.00"))
    assert [(e.receipt_number, e.kind, e.amount) for e in world.referral.ledger.order_by("pk")] == [
        (1, "payment", Decimal("100.00")),
        (2, "payment", Decimal("50.00")),
        (3, "payment", Decimal("30.00")),
        (4, "void", Decimal("30.00")),
        (5, "refund", Decimal("20.00")),
        (6, "payment", Decimal("25.00")),
    ]


PAYMENT_PAGE = "/en/a/riviere/referrals/{}/fees/payment/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("250,01", "More than what is owed ($250.00)."),
        ("0", "Enter an amount above zero."),
        ("0,00", "Enter an amount above zero."),
        ("-5", "Enter an amount of $0.00 or more."),
        ("12,345", "Enter an amount of $5,000.00 or less."),
        ("12.345", "Ensure that there are no more than 2 decimal places."),
        ("1 000 000,00", "Enter an amount of $5,000.00 or less."),
        ("100 000 000 000", "Enter an amount of $5,000.00 or less."),
    ],
)
def test_a_payment_the_fee_does_not_allow_is_refused_with_a_clear_message(
    client, world, typed, message
):
    client.force_login(world["intake"])
    response = client.post(
        PAYMENT_PAGE.format(world.referral.pk),
        {"amount": typed, "method": "cash", "received_on": "2026-11-24"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"amount": [message]}
    assert world.referral.ledger.count() == 1


def test_only_a_manager_waives_a_fee(client, world, english):
    """A waiver forgives what is owed, as an approved lower fee would: intake workers propose
    one; the form does not offer them the waiver and the service refuses it."""
    client.force_login(world["intake"])
    url = PAYMENT_PAGE.format(world.referral.pk)
    offered = dict(client.get(url).context["form"].fields["method"].choices)
    assert "waiver" not in offered and "cash" in offered
    response = client.post(url, {"amount": "250", "method": "waiver", "received_on": "2026-11-24"})
    assert response.status_code == 400
    assert "method" in response.context["form"].errors
    assert refusal(
        services.payment_record,
        referral=world.referral,
        by=world["intake"],
        amount=Decimal("250"),
        method="waiver",
    ) == ["Only a manager can waive a fee: propose a lower fee for approval."]
    assert world.referral.ledger.count() == 1
    client.force_login(world["manager"])
    assert "waiver" in dict(client.get(url).context["form"].fields["method"].choices)
    waiver = {"amount": "250", "method": "waiver", "received_on": "2026-11-24"}
    response = client.post(url, {**waiver, "note": "Lost his job."})
    assert response.status_code == 302
    assert account(world.referral)[3:] == (Decimal("250.00"), Decimal("0.00"))


def test_the_only_manager_waives_with_a_reason_the_trail_keeps(client, world, english):
    client.force_login(world["manager"])
    url = PAYMENT_PAGE.format(world.referral.pk)
    waiver = {"amount": "250", "method": "waiver", "received_on": "2026-11-24"}
    response = client.post(url, waiver)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "note": ["You are the only manager: say why you waive this fee."]
    }
    assert client.post(url, {**waiver, "note": "Lost his job."}).status_code == 302
    trail = client.get(f"/en/a/{world.agency.slug}/audit/").content.decode()
    assert "Fee waived" in trail and "Amount: $250.00" in trail
    assert "Reason: Lost his job." in trail
    assert "Approved by the person who proposed it" in trail
    french = client.get(f"/fr/a/{world.agency.slug}/audit/").content.decode()
    assert "Exonération de frais" in french and "250,00\xa0$" in french


def test_a_manager_with_a_colleague_does_not_waive_alone(client, world, english):
    colleague = UserFactory(email="second.manager@riviere.test", full_name="Lucie Bernier")
    Membership.objects.create(user=colleague, agency=world.agency, role=Role.MANAGER)
    client.force_login(world["manager"])
    url = PAYMENT_PAGE.format(world.referral.pk)
    waiver = {"amount": "250", "method": "waiver", "received_on": "2026-11-24"}
    response = client.post(url, {**waiver, "note": "Lost his job."})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "method": ["Another manager approves a waiver: propose a lower fee for approval."]
    }
    assert world.referral.ledger.count() == 1
    # The control: money is still taken as usual.
    response = client.post(url, {**waiver, "method": "cash", "amount": "20"})
    assert response.status_code == 302


def test_the_service_refuses_what_a_form_would_have_let_through(world, english):
    for amount, message in [
        ("12.345", "Enter dollars and cents."),
        ("-5", "Enter an amount above zero."),
        ("1000000", "More than what is owed ($250.00)."),
    ]:
        assert refusal(pay, world=world, amount=amount) == [message]
    future = {"received_on": date(2026, 11, 25)}
    assert refusal(pay, world=world, amount="10", **future) == [
        "A payment cannot be dated in the future."
    ]
    assert world.referral.ledger.count() == 1


def test_a_void_needs_a_reason_and_happens_once(client, world, english):
    client.force_login(world["intake"])
    url = f"/en/a/riviere/fees/receipts/{world.payment.pk}/void/"
    assert "Receipt 1, $100.00." in client.get(url).content.decode()
    refused = client.post(url, {"note": " "})
    assert (refused.status_code, refused.context["form"].errors) == (
        400,
        {"note": ["This field is required."]},
    )
    assert refusal(services.payment_void, entry=world.payment, by=world["intake"], note="") == [
        "Say why."
    ]
    assert client.post(url, {"note": "Card declined after all."}).status_code == 302
    again = client.post(url, {"note": "Twice."})
    assert again.context["form"].non_field_errors() == ["This payment was voided."]
    void = world.referral.ledger.get(kind="void")
    assert (void.amount, void.reverses, void.method, void.note) == (
        Decimal("100.00"),
        world.payment,
        "debit",
        "Card declined after all.",
    )
    assert refusal(services.payment_void, entry=void, by=world["intake"], note="x") == [
        "Only a payment can be voided or refunded."
    ]
    assert account(world.referral)[1:] == (0, 0, 0, Decimal("350.00"))


def test_refunds_stop_at_what_is_left_of_their_payment(world, english):
    refund = {"entry": world.payment, "by": world["intake"], "method": "cash"}
    services.refund_record(**refund, amount=Decimal("60"))
    assert refusal(services.refund_record, **refund, amount=Decimal("50")) == [
        "More than what is left of this payment ($40.00)."
    ]
    services.refund_record(**refund, amount=Decimal("40"))
    assert refusal(services.refund_record, **refund, amount=Decimal("0.01")) == [
        "More than what is left of this payment ($0.00)."
    ]
    assert refusal(services.payment_void, entry=world.payment, by=world["intake"], note="x") == [
        "Part of this payment was refunded: refund the rest."
    ]
    assert account(world.referral) == (350, 100, 100, 0, Decimal("350.00"))


def test_a_waiver_and_a_voided_payment_cannot_be_refunded(world, english):
    waiver = pay(world, "50", "waiver")
    refund = {"by": world["intake"], "amount": Decimal("10"), "method": "cash"}
    assert refusal(services.refund_record, entry=waiver, **refund) == [
        "A waiver is not money: void it instead."
    ]
    services.payment_void(entry=waiver, by=world["manager"], note="Not approved.")
    services.payment_void(entry=world.payment, by=world["intake"], note="Bounced.")
    assert refusal(services.refund_record, entry=world.payment, **refund) == [
        "This payment was voided."
    ]
    assert account(world.referral) == (350, 0, 0, 0, Decimal("350.00"))


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE fees_ledgerentry SET amount = 1 WHERE id = %s",
        "UPDATE fees_ledgerentry SET receipt_number = 99 WHERE id = %s",
        "DELETE FROM fees_ledgerentry WHERE id = %s",
    ],
)
def test_the_ledger_cannot_be_changed_nor_deleted_even_in_sql(world, sql):
    with (
        pytest.raises(ProgrammingError, match="pgtrigger"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [world.payment.pk])
    saved = LedgerEntry.objects.get(pk=world.payment.pk)
    assert (saved.amount, saved.receipt_number) == (Decimal("100.00"), 1)


def test_receipts_are_numbered_per_agency_without_a_gap(world, english):
    lakehead = agreed(world, agency=world.other_agency, number="00088")
    for amount in ("10", "9999", "20", "0"):  # the refused ones take no number
        with suppress(ValidationError):
            pay(world, amount)
    services.payment_void(entry=world.payment, by=world["intake"], note="Bounced.")
    entry = services.payment_record(
        referral=lakehead, by=world["other_intake"], amount=Decimal("5"), method="cash"
    )
    assert entry.receipt_number == 1
    numbers = LedgerEntry.objects.filter(agency=world.agency).order_by("receipt_number")
    assert list(numbers.values_list("receipt_number", flat=True)) == [1, 2, 3, 4]


# Random sequences of payments, voids and refunds, each checked against the ledger itself.

AMOUNT = st.sampled_from(["0", "0.01", "0.005", "20", "55.55", "100", "250", "400"]).map(Decimal)
STEP = st.one_of(
    st.tuples(st.just("pay"), AMOUNT, st.sampled_from(["cash", "debit", "waiver", "subsidy"])),
    st.tuples(st.just("void"), st.integers(0, 9), st.sampled_from(["", "Typed twice."])),
    st.tuples(st.just("refund"), st.integers(0, 9), AMOUNT),
)


def attempt(world, step, entries):
    """Run one step; a refused one changes nothing. True when it was accepted."""
    kind, first, second = step
    by = world["intake"]
    try:
        if kind == "pay":
            pay(world, first, second)
        elif kind == "void":
            services.payment_void(entry=entries[first % len(entries)], by=by, note=second)
        else:
            entry = entries[first % len(entries)]
            services.refund_record(entry=entry, by=by, amount=second, method="cash")
    except ValidationError:
        return False
    return True


def allowed(step, entries, balance) -> bool:
    """What the rules say of the step, worked out here from the entries."""
    kind, first, second = step
    if kind == "pay":
        return 0 < first <= balance and first == first.quantize(Decimal("0.01"))
    entry = entries[first % len(entries)]
    reversals = [row for row in entries if row.reverses_id == entry.pk]
    if entry.kind != "payment" or any(row.kind == "void" for row in reversals):
        return False
    left = entry.amount - sum(row.amount for row in reversals)
    if kind == "void":
        return bool(second.strip()) and not reversals
    return (
        entry.method != "waiver"
        and 0 < second <= left
        and second == second.quantize(Decimal("0.01"))
    )


def totals(referral, kind, **more) -> Decimal:
    rows = LedgerEntry.objects.filter(referral=referral, kind=kind, **more)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal("0")


@settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
@example(
    steps=[
        ("pay", Decimal("20"), "waiver"),
        ("refund", 1, Decimal("5")),
        ("void", 1, "Not approved."),
        ("refund", 0, Decimal("55.55")),
        ("void", 0, "Bounced."),
        ("pay", Decimal("250"), "subsidy"),
        ("refund", 3, Decimal("250")),
        ("pay", Decimal("250"), "cash"),
    ]
)
def test_any_sequence_keeps_the_account_equal_to_its_ledger(world, steps):
    referral = world.referral
    with transaction.atomic():
        for step in steps:
            entries = list(referral.ledger.order_by("receipt_number"))
            before = len(entries)
            expected = allowed(step, entries, account(referral)[-1])
            accepted = attempt(world, step, entries)
            assert accepted == expected, step
            assert referral.ledger.count() == before + accepted
            paid = totals(referral, "payment") - totals(referral, "void")
            refunded = totals(referral, "refund")
            waived = totals(referral, "payment", method="waiver") - totals(
                referral, "void", method="waiver"
            )
            assert account(referral) == (350, paid, refunded, waived, 350 - paid + refunded)
            assert 0 <= paid - refunded <= 350
            numbers = LedgerEntry.objects.filter(agency=world.agency).values_list(
                "receipt_number", flat=True
            )
            assert sorted(numbers) == list(range(1, before + accepted + 1))
            last = referral.ledger.order_by("receipt_number").last()
            assert last.balance_after == 350 - paid + refunded
        transaction.set_rollback(True)


# Two payments at once, each from its own database connection.


def paying(world, referral_pk, amount):
    def call():
        referral = Referral.objects.get(pk=referral_pk)
        return pay(world, amount, referral=referral).receipt_number

    return call


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_take_two_consecutive_numbers(world):
    paul = agreed(world)
    numbers = at_once(paying(world, world.referral.pk, "100"), paying(world, paul.pk, "80"))
    assert sorted(numbers) == [2, 3]
    assert account(world.referral)[-1] == Decimal("150.00")
    assert account(paul)[-1] == Decimal("270.00")


@pytest.mark.django_db(transaction=True)
def test_an_agencys_first_two_payments_at_once_take_1_and_2(world):
    first = agreed(world, agency=world.other_agency, number="00088")
    second = agreed(world, agency=world.other_agency, name="Luc Gagnon", number="00089")
    numbers = at_once(paying(world, first.pk, "10"), paying(world, second.pk, "20"))
    assert sorted(numbers) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_cannot_pay_more_than_is_owed(world):
    results = at_once(
        paying(world, world.referral.pk, "200"), paying(world, world.referral.pk, "200")
    )
    assert sorted(results, key=str) == [2, ["More than what is owed ($50.00)."]]
    assert account(world.referral)[1:] == (300, 0, 0, Decimal("50.00"))
