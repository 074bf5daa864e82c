"""Receipts and instalments: the receipt PDF in the participant's language, with its number,
amount, method and the balance right after it; instalments that add up to what remains to pay, the
next one due, and what is overdue on the manager's screen."""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from fees import services
from fees.models import LedgerEntry
from tests.fees.test_ledger import NOW, TORONTO, agreed, pay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def receipt_text(client, entry) -> str:
    """The words of the receipt PDF, ASCII blanks made one space (no-break spaces kept)."""
    response = client.get(f"/en/a/riviere/fees/receipts/{entry.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="receipt-{entry.receipt_number}.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"[ \t\r\n]+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_an_english_receipt_has_its_number_amount_method_and_balance_after(client, world):
    paul = agreed(world)
    first = pay(world, "80", referral=paul)
    pay(
        world,
        "1234.5",
        "debit",
        referral=agreed(world, name="Luc Gagnon", fee="2000", number="00078"),
    )
    pay(world, "70", "etransfer", referral=paul)
    client.force_login(world["intake"])
    text = receipt_text(client, first)
    assert "Receipt 2 " in text
    assert "Participant Paul Girard" in text
    assert "Entry Payment Amount $80.00 Method Cash" in text
    assert "Balance after this receipt $270.00" in text  # then, not now ($200.00)
    assert "$1,234.50" in receipt_text(client, LedgerEntry.objects.get(receipt_number=3))


def test_a_french_participants_receipt_writes_amounts_the_french_way(client, world):
    client.force_login(world["intake"])
    text = receipt_text(client, world.payment)
    assert "100,00\xa0$" in text
    assert "250,00\xa0$" in text
    assert "24 novembre 2026" in text


def test_a_french_participants_receipt_is_in_french(client, world):
    client.force_login(world["intake"])  # on an English page: the document follows the person
    text = receipt_text(client, world.payment)
    english = ["Receipt 1", "Payment", "Debit card", "Balance after this receipt"]
    with translation.override("fr"):
        french = [
            gettext("Receipt %(number)s") % {"number": 1},
            gettext("Payment"),
            gettext("Debit card"),
            gettext("Balance after this receipt"),
        ]
    for word, untranslated in zip(french, english, strict=True):
        assert word != untranslated, "missing from the French catalog"
        assert word in text
        assert untranslated not in text


def test_a_reprinted_receipt_keeps_the_balance_it_had(client, world):
    client.force_login(world["intake"])
    services.proposal_create(
        referral=world.referral, by=world["intake"], amount=Decimal("200"), reason="Laid off."
    )
    services.proposal_decide(
        proposal=world.referral.fee_proposals.latest("pk"), by=world["manager"], approve=True
    )
    assert "250,00\xa0$" in receipt_text(client, world.payment)


INSTALMENTS = "/en/a/riviere/referrals/{}/fees/instalments/"


def plan(*lines):
    data = {"plan-TOTAL_FORMS": str(len(lines)), "plan-INITIAL_FORMS": "0"}
    for number, (day, amount) in enumerate(lines):
        data[f"plan-{number}-due_on"], data[f"plan-{number}-amount"] = day, amount
    return data


def test_instalments_must_add_up_to_what_remains_to_pay(client, world):
    # $350 agreed, $100 paid: $250 remain.
    client.force_login(world["intake"])
    url = INSTALMENTS.format(world.referral.pk)
    short = plan(("2026-11-24", "100"), ("2026-12-15", "50"), ("2027-01-15", "50"), ("", ""))
    response = client.post(url, short)
    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == [
        "The instalments add up to $200.00; what remains to pay is $250.00."
    ]
    same_day = plan(("2026-12-15", "125"), ("2026-12-15", "125"))
    assert client.post(url, same_day).context["formset"].non_form_errors() == [
        "Two instalments fall on the same day."
    ]
    right = plan(("2026-11-24", "50"), ("2026-12-15", "100"), ("2027-01-15", "100,00"))
    assert client.post(url, right).status_code == 302
    assert list(
        world.referral.fee_proposals.get(status="agreed").instalments.values_list(
            "due_on", "amount"
        )
    ) == [
        (date(2026, 11, 24), Decimal("50.00")),
        (date(2026, 12, 15), Decimal("100.00")),
        (date(2027, 1, 15), Decimal("100.00")),
    ]


def test_the_next_instalment_due_and_overdue_on_the_managers_screen(client, clock, world):
    services.instalments_set(
        referral=world.referral,
        by=world["intake"],
        instalments=[(date(2026, 12, 15), Decimal("125")), (date(2027, 1, 15), Decimal("125"))],
    )
    client.force_login(world["manager"])

    def row():
        page = client.get("/en/a/riviere/fees/").content.decode()
        found = re.search(r"fees/\">Jean-Marc Tremblay</a>(.*?)</tr>", page, re.S)
        return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())

    assert row() == "$350.00 $250.00 2026-12-15"
    clock.move_to(datetime(2026, 12, 16, 9, 0, tzinfo=TORONTO))
    client.force_login(world["manager"])  # three weeks on, the session has expired
    assert row() == "$350.00 $250.00 2026-12-15 Overdue"
    pay(world, "125")
    assert row() == "$350.00 $125.00 2027-01-15"
    client.force_login(world["intake"])
    page = client.get(f"/en/a/riviere/referrals/{world.referral.pk}/fees/").content.decode()
    assert "Next instalment due 15 Jan 2027." in page
