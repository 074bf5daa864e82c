"""A fee instalment coming due: reminded three days ahead (agency-local dates), with what is
still owed of it, once."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from fees import services as fees
from fees.reminders import fee_reminders_prepare
from fees.tasks import prepare_fee_reminders
from ipv.notifications.models import OutboxMessage
from referrals.models import Referral
from tests.notifications.participants.conftest import AGENCY_WORDS, PROGRAM_WORDS, TORONTO, agree

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 3)  # three days after the clock's Monday 30 November


@pytest.fixture
def plan(clock, world):
    """The world's first fee (partly paid): what is left, in two instalments."""
    agree(world.referral.participant, language="en")
    referral = Referral.objects.get(pk=world.referral.pk)
    left = referral.fee_account.balance
    first = Decimal("1234.50") if left > Decimal("1300") else (left / 2).quantize(Decimal("0.01"))
    fees.instalments_set(
        referral=referral,
        by=world["intake"],
        instalments=[(DUE, first), (DUE + timedelta(days=28), left - first)],
    )
    return referral, first


def _messages():
    return {m.channel: m for m in OutboxMessage.objects.filter(kind="fee_due")}


def test_an_instalment_due_in_three_days_is_reminded_with_its_amount(plan):
    referral, first = plan
    assert fee_reminders_prepare() == 2
    messages = _messages()
    instalment = referral.fee_proposals.get(status="agreed").instalments.get(due_on=DUE)
    participant_id = referral.participant_id
    assert messages["sms"].key == f"participant:{participant_id}:sms:fee_due:{instalment.pk}"
    assert f"${first:,}" in messages["sms"].body_text
    assert "3 Dec 2026" in messages["sms"].body_text
    assert "/en/reminders/stop/" in messages["email"].body_text
    assert messages["email"].expires_at == datetime(2026, 12, 3, 20, 0, tzinfo=TORONTO)
    for word in PROGRAM_WORDS + AGENCY_WORDS:
        assert word.lower() not in messages["sms"].body_text.lower()


def test_in_french_the_amount_is_written_the_canadian_french_way(plan, world):
    _referral, first = plan
    agree(world.referral.participant, language="fr")
    fee_reminders_prepare()
    body = _messages()["sms"].body_text
    whole, cents = f"{first:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", "\xa0")
    assert f"{grouped},{cents}\xa0$" in body


def test_not_four_days_ahead_nor_two(plan, clock):
    clock.move_to(datetime(2026, 11, 29, 12, 0, tzinfo=TORONTO))
    assert fee_reminders_prepare() == 0
    clock.move_to(datetime(2026, 12, 1, 12, 0, tzinfo=TORONTO))
    assert fee_reminders_prepare() == 0


def test_a_paid_instalment_is_not_reminded(plan, world):
    referral, first = plan
    fees.payment_record(referral=referral, by=world["intake"], amount=first, method="debit")
    assert fee_reminders_prepare() == 0


def test_the_sweep_run_twice_writes_once(plan, clock):
    assert prepare_fee_reminders() == 2
    clock.shift(timedelta(minutes=5))
    assert prepare_fee_reminders() == 0
    assert OutboxMessage.objects.filter(kind="fee_due").count() == 2


def test_without_agreement_nothing_is_written(plan, world):
    agree(world.referral.participant, consent_email=False, consent_sms=False)
    assert fee_reminders_prepare() == 0
