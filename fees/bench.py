"""Benchmark data and pages of the fees: a fee agreed for each of the 100,000 referrals, paid
in three to five instalments (over 300,000 payments, some voided), seen by a manager."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

import pgtrigger
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from directory.models import Agency
from fees import services
from fees.models import (
    FeeAccount,
    FeeAssessment,
    FeeProposal,
    FeeSchedule,
    LedgerEntry,
    ReceiptCounter,
)
from ipv.accounts.models import Membership, Role, User
from referrals.bench import AGENCY, INTAKE_WORKER, TOTP_SECRET
from referrals.models import Referral

MANAGER = "bench-manager@bench.ipv.test"
BATCH = 5_000
SCALE = [
    (0, 30_000, [40, 30, 20, 10, 0]),
    (30_000, 60_000, [250, 200, 150, 100, 50]),
    (60_000, None, [500, 450, 400, 350, 300]),
]


def _manager(agency):
    user, created = User.objects.get_or_create(
        email=MANAGER, defaults={"full_name": "Bench Manager"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        TOTP.activate(user, TOTP_SECRET)
    Membership.objects.get_or_create(user=user, agency=agency, role=Role.MANAGER)
    return user


def _schedule(agency, by) -> FeeSchedule:
    schedule = FeeSchedule.objects.filter(agency=agency).order_by("version").first()
    if schedule is None:
        schedule = services.schedule_create(
            agency=agency,
            by=by,
            effective_from=timezone.localdate() - timedelta(days=6 * 365),
            rows=[
                {
                    "income_min": Decimal(low),
                    "income_max": Decimal(high) if high else None,
                    "fees": {n: Decimal(fee) for n, fee in enumerate(fees, start=1)},
                }
                for low, high, fees in SCALE
            ],
        )
    return schedule


def _fees(agency, schedule, worker, rng, referrals):
    """An assessment, an agreed fee and three to five payments per referral, some voided."""
    bands = list(schedule.bands.all())
    today = timezone.localdate()
    number = ReceiptCounter.objects.filter(agency=agency).aggregate(n=Max("last_number"))["n"] or 0
    assessments, proposals, entries, voids, accounts = [], [], [], [], []
    for referral in referrals:
        band = rng.choice(bands)
        assessment = FeeAssessment(
            agency=agency,
            referral=referral,
            household_income=band.income_min + 500,
            household_size=band.household_size,
            employment="full_time",
            schedule=schedule,
            band=band,
            standard_fee=band.fee,
            assessed_by=worker,
        )
        assessments.append(assessment)
        awaiting = referral.pk % 2_000 == 0
        proposals.append(
            FeeProposal(
                agency=agency,
                referral=referral,
                assessment=assessment,
                amount=band.fee if not awaiting else band.fee / 2,
                reason="Bench data.",
                status="awaiting" if awaiting else "agreed",
                proposed_by=worker,
            )
        )
        agreed = Decimal("0") if awaiting else band.fee
        paid = refunded = Decimal("0")
        left = agreed
        for _ in range(rng.randint(3, 5) if agreed else 0):
            if left <= 0:
                break
            amount = min(left, Decimal(rng.choice([5, 10, 20])))
            number += 1
            # Taken on a past day, and written that day (never ahead of today).
            day = min(referral.received_on + timedelta(days=rng.randint(7, 120)), today)
            payment = LedgerEntry(
                agency=agency,
                referral=referral,
                kind="payment",
                amount=amount,
                method=rng.choice(["cash", "debit", "etransfer", "waiver"]),
                received_on=day,
                recorded_at=timezone.make_aware(datetime.combine(day, time(12))),
                receipt_number=number,
                recorded_by=worker,
                balance_after=left - amount,
            )
            entries.append(payment)
            paid += amount
            left -= amount
            if rng.random() < 0.1:  # a payment taken by mistake, voided
                number += 1
                voids.append(
                    LedgerEntry(
                        agency=agency,
                        referral=referral,
                        kind="void",
                        amount=amount,
                        method=payment.method,
                        received_on=payment.received_on,
                        recorded_at=payment.recorded_at,
                        reverses=payment,
                        receipt_number=number,
                        recorded_by=worker,
                        balance_after=left + amount,
                    )
                )
                paid -= amount
                left += amount
        accounts.append(
            FeeAccount(
                agency=agency,
                referral=referral,
                agreed=agreed,
                paid=paid,
                refunded=refunded,
                balance=agreed - paid + refunded,
            )
        )
    with pgtrigger.ignore("fees.FeeAssessment:insert_insert", "fees.FeeProposal:insert_insert"):
        FeeAssessment.objects.bulk_create(assessments)
        FeeProposal.objects.bulk_create(proposals)
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    # After the payments: each void points at a payment that has its id now.
    LedgerEntry.objects.bulk_create(voids, batch_size=BATCH)
    FeeAccount.objects.bulk_create(accounts)
    ReceiptCounter.objects.update_or_create(agency=agency, defaults={"last_number": number})


def seed() -> dict:
    agency = Agency.objects.get(slug=AGENCY)
    manager = _manager(agency)
    worker = User.objects.get(email=INTAKE_WORKER)
    schedule = _schedule(agency, manager)
    rng = random.Random(2028)  # noqa: S311 (fixed, reproducible data, not security)
    without = (
        Referral.objects.filter(agency=agency, fee_account__isnull=True)
        .order_by("pk")
        .only("pk", "received_on")
    )
    while batch := list(without[:BATCH]):
        with transaction.atomic():
            _fees(agency, schedule, worker, rng, batch)
    return {
        "fee_accounts": FeeAccount.objects.count(),
        "ledger_entries": LedgerEntry.objects.count(),
        "payments": LedgerEntry.objects.filter(kind="payment").count(),
    }


def pages() -> list[tuple]:
    referral = FeeAccount.objects.filter(balance__gt=0).order_by("-pk").first().referral_id
    base = f"/fr/a/{AGENCY}"
    return [
        ("fees screen", f"{base}/fees/", {}, MANAGER),
        ("fees screen, page 100", f"{base}/fees/?page=100", {}, MANAGER),
        ("referral fee page", f"{base}/referrals/{referral}/fees/", {}, MANAGER),
        ("monthly figures (CSV)", f"{base}/fees/export/monthly.csv", {}, MANAGER),
    ]
