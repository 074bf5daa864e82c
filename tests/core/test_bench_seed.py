"""The national bench's seed at a small scale: rows loaded with COPY into tables whose indexes
and constraints are set aside and made again (ipv.core.bulkload), in every table the pages
read, consistent with one another; a second seed adds nothing."""

import pytest
from django.db import connection
from django.db.models import Count, F

from directory import bench as directory_bench
from fees import bench as fees_bench
from fees.models import FeeAccount, LedgerEntry
from referrals import bench as referrals_bench
from referrals.models import Referral, TimelineEntry
from sessions_app import bench as sessions_bench
from sessions_app.models import Attendance

pytestmark = pytest.mark.django_db

TABLES = ["referrals_referral", "referrals_participant", "sessions_app_attendance"]
TABLES += ["fees_ledgerentry", "fees_feeaccount", "fees_feeassessment"]


def _indexes_and_constraints():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) ORDER BY 1",
            [TABLES],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1",
            [TABLES],
        )
        return indexes, [row[0] for row in cursor.fetchall()]


@pytest.fixture
def small(monkeypatch):
    for module, name, value in [
        (directory_bench, "AGENCIES", 5),
        (directory_bench, "SERVICES", 3),
        (referrals_bench, "REFERRALS", 60),
        (referrals_bench, "AGENCY_REFERRALS", 40),
        (referrals_bench, "OTHER_AGENCIES", 2),
        (sessions_bench, "GROUPS", 2),
        (sessions_bench, "ATTENDANCE", 250),
        (sessions_bench, "REMINDER_GROUPS", 1),
        (sessions_bench, "REMINDER_GROUP_SIZE", 2),
        (fees_bench, "BATCH", 7),
    ]:
        monkeypatch.setattr(module, name, value)
    before = _indexes_and_constraints()
    directory_bench.seed()
    counts = referrals_bench.seed() | sessions_bench.seed() | fees_bench.seed()
    return before, counts


def test_the_seed_loads_every_table_and_builds_the_indexes_again(small):
    before, counts = small
    assert _indexes_and_constraints() == before
    assert counts["referrals"] == 60
    assert counts["timeline_entries"] >= 60
    # Spread over the bench agency and two others, each with its own court.
    by_agency = Referral.objects.values("agency__slug").annotate(n=Count("pk"))
    # The bench agency's 40, and the roster's 20 and the reminders' 2 the groups' seed adds.
    assert {row["agency__slug"]: row["n"] for row in by_agency}[referrals_bench.AGENCY] == 62
    assert Referral.objects.order_by().values("court").distinct().count() == 3
    # The trigger-kept column is filled, as the application's writes fill it.
    assert not Referral.objects.filter(participant_names="").exists()
    assert Referral.objects.filter(search_document__isnull=True).count() == 0
    # Ten referrals of 25 sessions each, at sessions of their own agency's groups.
    assert counts["attendance"] == 250
    assert not Attendance.objects.exclude(session__group__agency=F("agency")).exists()
    assert TimelineEntry.objects.filter(kind="created").count() == 60


def test_each_fee_account_agrees_with_its_ledger(small):
    assert FeeAccount.objects.count() == Referral.objects.count() == 82
    for account in FeeAccount.objects.all():
        entries = LedgerEntry.objects.filter(referral_id=account.referral_id)
        paid = sum(e.amount for e in entries if e.kind == "payment")
        voided = sum(e.amount for e in entries if e.kind == "void")
        assert account.paid == paid - voided
        assert account.balance == account.agreed - account.paid
    assert LedgerEntry.objects.filter(kind="payment").exists()
    # Receipt numbers run from 1 in each agency, without a gap.
    for agency_id in LedgerEntry.objects.values_list("agency_id", flat=True).distinct():
        numbers = sorted(
            LedgerEntry.objects.filter(agency_id=agency_id).values_list("receipt_number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))


def test_a_second_seed_adds_nothing(small):
    def rows():
        return [model.objects.count() for model in (Referral, Attendance, LedgerEntry)]

    before = rows()
    referrals_bench.seed()
    sessions_bench.seed()
    fees_bench.seed()
    assert rows() == before
