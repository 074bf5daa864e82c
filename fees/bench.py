"""Benchmark data and pages of the fees: a fee agreed for each of the province's 400,000
referrals, paid in three to five instalments (over 1,000,000 payments, some voided), seen by the
bench agency's manager. Written with COPY, indexes built after (ipv.core.bulkload)."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from allauth.mfa.totp.internal.auth import TOTP
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
from ipv.core.bulkload import copy, loading, reserve_ids
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
    """The bench agency's manager (MANAGER), or another agency's (its own address)."""
    email = MANAGER if agency.slug == AGENCY else f"bench-manager-{agency.slug}@bench.ipv.test"
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": "Bench Manager"})
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


def _rows(rng, schedule, worker, referrals, ids, number, today):
    """An assessment, a fee proposed (agreed but one in 2,000), three to five payments (some
    voided) and the account of each of `referrals` [(id, received on)]; receipts numbered after
    `number`. Returns the rows of each table and the last receipt number."""
    bands = list(schedule.bands.all())
    agency = schedule.agency_id
    assessments, proposals, entries, voids, accounts = [], [], [], [], []
    for referral, received_on in referrals:
        band = rng.choice(bands)
        assessment = next(ids["assessment"])
        assessments.append(
            (assessment, agency, referral, band.income_min + 500, band.household_size,
             "full_time", schedule.pk, band.pk, band.fee, worker)
        )  # fmt: skip
        awaiting = referral % 2_000 == 0
        proposals.append(
            (agency, referral, assessment, band.fee if not awaiting else band.fee / 2,
             "Bench data.", "awaiting" if awaiting else "agreed", worker)
        )  # fmt: skip
        agreed = Decimal("0") if awaiting else band.fee
        paid = Decimal("0")
        left = agreed
        for _ in range(rng.randint(3, 5) if agreed else 0):
            if left <= 0:
                break
            amount = min(left, Decimal(rng.choice([10, 20, 50])))
            number += 1
            # Taken on a past day, and written that day (never ahead of today).
            day = min(received_on + timedelta(days=rng.randint(7, 120)), today)
            at = timezone.make_aware(datetime.combine(day, time(12)))
            method = rng.choice(["cash", "debit", "etransfer", "waiver"])
            payment = next(ids["entry"])
            entries.append(
                (payment, agency, referral, "payment", amount, method, day, at, number, worker,
                 left - amount, None)
            )  # fmt: skip
            paid += amount
            left -= amount
            if rng.random() < 0.1:  # a payment taken by mistake, voided
                number += 1
                voids.append(
                    (next(ids["entry"]), agency, referral, "void", amount, method, day, at,
                     number, worker, left + amount, payment)
                )  # fmt: skip
                paid -= amount
                left += amount
        accounts.append((agency, referral, agreed, paid, Decimal("0"), agreed - paid))
    return (assessments, proposals, entries + voids, accounts), number


ASSESSMENT = ["id", "agency_id", "referral_id", "household_income", "household_size"]
ASSESSMENT += ["employment", "schedule_id", "band_id", "standard_fee", "assessed_by_id"]
PROPOSAL = ["agency_id", "referral_id", "assessment_id", "amount", "reason", "status"]
PROPOSAL += ["proposed_by_id"]
ENTRY = ["id", "agency_id", "referral_id", "kind", "amount", "method", "received_on"]
ENTRY += ["recorded_at", "receipt_number", "recorded_by_id", "balance_after", "reverses_id"]
ACCOUNT = ["agency_id", "referral_id", "agreed", "paid", "refunded", "balance"]


def _ids(model, count):
    """Ids for `count` rows, reserved as they are needed (a payment's void names it)."""
    while True:
        yield from reserve_ids(model, count)


def _fees(agency, schedule, worker, rng, referrals, ids, today) -> None:
    """The fees of `referrals` [(pk, received_on)] of one agency, by COPY (inside `loading`),
    its receipts numbered on from its counter."""
    counter = ReceiptCounter.objects.filter(agency=agency).first()
    number = counter.last_number if counter else 0
    for start in range(0, len(referrals), BATCH):
        batch = referrals[start : start + BATCH]
        tables, number = _rows(rng, schedule, worker.pk, batch, ids, number, today)
        for model, columns, rows in zip(
            (FeeAssessment, FeeProposal, LedgerEntry, FeeAccount),
            (ASSESSMENT, PROPOSAL, ENTRY, ACCOUNT),
            tables,
            strict=True,
        ):
            copy(model, columns, rows)
    ReceiptCounter.objects.update_or_create(agency=agency, defaults={"last_number": number})


def fees_load(agency, schedule, worker, rng, referrals, today) -> None:
    """The fees of some referrals of one agency, for another data set (`make load`)."""
    ids = {"assessment": _ids(FeeAssessment, BATCH), "entry": _ids(LedgerEntry, BATCH * 3)}
    with loading(FeeAssessment, FeeProposal, LedgerEntry, FeeAccount):
        _fees(agency, schedule, worker, rng, referrals, ids, today)


def seed() -> dict:
    """A fee schedule for each agency with referrals, then the fees of every referral of the
    province: COPY, indexes built after."""
    worker = User.objects.get(email=INTAKE_WORKER)
    if not FeeAccount.objects.exists():
        rng = random.Random(2028)  # noqa: S311 (fixed, reproducible data, not security)
        today = timezone.localdate()
        ids = {"assessment": _ids(FeeAssessment, BATCH), "entry": _ids(LedgerEntry, BATCH * 3)}
        agencies = Agency.objects.filter(referrals__isnull=False).distinct().order_by("pk")
        with loading(FeeAssessment, FeeProposal, LedgerEntry, FeeAccount):
            for agency in agencies:
                manager = _manager(agency)
                schedule = _schedule(agency, manager)
                referrals = Referral.objects.filter(agency=agency).order_by("pk")
                referrals = list(referrals.values_list("pk", "received_on"))
                _fees(agency, schedule, worker, rng, referrals, ids, today)
    return {
        "fee_accounts": FeeAccount.objects.count(),
        "ledger_entries": LedgerEntry.objects.count(),
        "payments": LedgerEntry.objects.filter(kind="payment").count(),
    }


def pages() -> list[tuple]:
    referral = (
        FeeAccount.objects.filter(agency__slug=AGENCY, balance__gt=0).order_by("-pk").first()
    ).referral_id
    base = f"/fr/a/{AGENCY}"
    return [
        ("fees screen", f"{base}/fees/", {}, MANAGER),
        ("fees screen, page 100", f"{base}/fees/?page=100", {}, MANAGER),
        ("referral fee page", f"{base}/referrals/{referral}/fees/", {}, MANAGER),
        ("monthly figures (CSV)", f"{base}/fees/export/monthly.csv", {}, MANAGER),
    ]


# The floors: the hand-written SQL that fetches what each page shows (ipv.pages' bench command).
MONTHLY = """
    SELECT date_trunc('month', recorded_at AT TIME ZONE 'America/Toronto') AS month,
        sum(amount) FILTER (WHERE kind = 'payment' AND method <> 'waiver'),
        sum(amount) FILTER (WHERE kind = 'void' AND method <> 'waiver'),
        sum(amount) FILTER (WHERE kind = 'refund'),
        sum(amount) FILTER (WHERE kind = 'payment' AND method = 'waiver'),
        sum(amount) FILTER (WHERE kind = 'void' AND method = 'waiver')
    FROM fees_ledgerentry WHERE agency_id = %s AND recorded_at >= %s
    GROUP BY 1 ORDER BY 1 DESC
"""


def _since():
    today = timezone.localdate()
    first = today.year * 12 + today.month - 12
    return timezone.make_aware(datetime(first // 12, first % 12 + 1, 1))


def _overview(agency, offset: int) -> list[tuple]:
    """The balances owed (count, and a page of 25, largest first), the proposals waiting for
    approval (count, and the first 20), the last twelve months' revenue."""
    return [
        ("SELECT count(*) FROM fees_feeaccount WHERE agency_id = %s AND balance > 0", [agency.pk]),
        (
            "SELECT f.referral_id, f.agreed, f.paid, f.balance, f.next_due_on, "
            "r.court_file_number, p.legal_name, p.preferred_name FROM fees_feeaccount f "
            "JOIN referrals_referral r ON r.id = f.referral_id "
            "JOIN referrals_participant p ON p.id = r.participant_id "
            "WHERE f.agency_id = %s AND f.balance > 0 ORDER BY f.balance DESC, f.id "
            "LIMIT 25 OFFSET %s",
            [agency.pk, offset],
        ),
        (
            "SELECT count(*) FROM fees_feeproposal WHERE agency_id = %s AND status = 'awaiting'",
            [agency.pk],
        ),
        (
            "SELECT f.id, f.amount, f.proposed_at, a.standard_fee, p.legal_name, u.full_name "
            "FROM fees_feeproposal f JOIN fees_feeassessment a ON a.id = f.assessment_id "
            "JOIN referrals_referral r ON r.id = f.referral_id "
            "JOIN referrals_participant p ON p.id = r.participant_id "
            "JOIN accounts_user u ON u.id = f.proposed_by_id "
            "WHERE f.agency_id = %s AND f.status = 'awaiting' ORDER BY f.proposed_at LIMIT 20",
            [agency.pk],
        ),
        (MONTHLY, [agency.pk, _since()]),
    ]


def floors() -> dict:
    agency = Agency.objects.get(slug=AGENCY)
    referral = (
        FeeAccount.objects.filter(agency__slug=AGENCY, balance__gt=0).order_by("-pk").first()
    ).referral_id
    return {
        "fees screen": _overview(agency, 0),
        "fees screen, page 100": _overview(agency, 99 * 25),
        "referral fee page": [
            (
                "SELECT agreed, paid, refunded, waived, balance, next_due_on "
                "FROM fees_feeaccount WHERE referral_id = %s",
                [referral],
            ),
            (
                "SELECT a.household_income, a.household_size, a.standard_fee, a.assessed_at, "
                "b.income_min, b.income_max FROM fees_feeassessment a "
                "JOIN fees_feeband b ON b.id = a.band_id WHERE a.referral_id = %s "
                "ORDER BY a.assessed_at DESC LIMIT 1",
                [referral],
            ),
            (
                "SELECT p.id, p.amount, p.status, p.reason, p.proposed_at, p.decided_at, "
                "u.full_name, a.standard_fee FROM fees_feeproposal p "
                "JOIN accounts_user u ON u.id = p.proposed_by_id "
                "JOIN fees_feeassessment a ON a.id = p.assessment_id "
                "WHERE p.referral_id = %s ORDER BY p.proposed_at DESC, p.id DESC",
                [referral],
            ),
            (
                "SELECT i.* FROM fees_instalment i JOIN fees_feeproposal p "
                "ON p.id = i.proposal_id WHERE p.referral_id = %s AND p.status = 'agreed'",
                [referral],
            ),
            (
                """
                SELECT e.id, e.kind, e.amount, e.method, e.received_on, e.receipt_number,
                       e.balance_after, u.full_name,
                       EXISTS (SELECT 1 FROM fees_ledgerentry v
                               WHERE v.reverses_id = e.id AND v.kind = 'void'),
                       COALESCE((SELECT sum(f.amount) FROM fees_ledgerentry f
                                 WHERE f.reverses_id = e.id AND f.kind = 'refund'), 0)
                FROM fees_ledgerentry e JOIN accounts_user u ON u.id = e.recorded_by_id
                WHERE e.referral_id = %s ORDER BY e.receipt_number
                """,
                [referral],
            ),
        ],
        "monthly figures (CSV)": [(MONTHLY, [agency.pk, _since()])],
    }
