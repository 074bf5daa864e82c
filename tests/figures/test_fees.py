"""The fees section: assessments, agreed fees, reductions and waivers, money collected, and what
is owed today, counted by hand on a small agency."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fees.models import FeeAssessment, FeeProposal, LedgerEntry
from fees.services import account_refresh, band_for, schedule_create
from ipv.figures import selectors
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections import fees
from referrals.models import Participant, Referral
from tests.conftest import FEE_SCALE
from tests.factories import AgencyFactory, CourtFactory, UserFactory

pytestmark = pytest.mark.django_db

# The third quarter of 2026, and the second before it.
CURRENT = Period(date(2026, 7, 1), date(2026, 9, 30))
PREVIOUS = Period(date(2026, 4, 1), date(2026, 6, 30))


def at(day: date) -> datetime:
    """Noon of a local day."""
    return timezone.make_aware(datetime.combine(day, time(12)))


class Agency:
    """An agency with its scale, its court and its intake worker, and helpers that write fee
    rows on the dates a test gives (the services date them today)."""

    def __init__(self, slug):
        self.agency = AgencyFactory(slug=slug)
        self.court = CourtFactory(slug=f"court-{slug}")
        self.worker = UserFactory(email=f"intake@{slug}.test")
        self.schedule = schedule_create(
            agency=self.agency, by=self.worker, effective_from=date(2026, 1, 1), rows=FEE_SCALE
        )
        self.receipts = 0

    def referral(self, name) -> Referral:
        person = Participant.objects.create(
            agency=self.agency, legal_name=name, date_of_birth=date(1980, 1, 1), language="fr"
        )
        return Referral.objects.create(
            agency=self.agency,
            participant=person,
            program="ipv",
            stream="early_intervention",
            source_order="release_order",
            court=self.court,
            court_file_number=f"4811-{name}",
            charges="Assault (s. 266)",
            order_date=date(2026, 1, 2),
            complete_by=date(2026, 12, 31),
            source="court",
            received_on=date(2026, 1, 5),
            submitted_by=self.worker,
        )

    def assess(self, referral, day, *, income="45000", size=1) -> FeeAssessment:
        band = band_for(schedule=self.schedule, income=Decimal(income), household_size=size)
        return FeeAssessment.objects.create(
            agency=self.agency,
            referral=referral,
            household_income=Decimal(income),
            household_size=size,
            employment="full_time",
            schedule=self.schedule,
            band=band,
            standard_fee=band.fee,
            assessed_by=self.worker,
            assessed_at=at(day),
        )

    def agree(self, assessment, amount, proposed, *, approved=None, status="agreed"):
        """A fee agreed: at once when `approved` is None (on the scale), else on that day."""
        proposal = FeeProposal.objects.create(
            agency=self.agency,
            referral=assessment.referral,
            assessment=assessment,
            amount=Decimal(amount),
            reason="" if approved is None else "Rent doubled.",
            status=status,
            proposed_by=self.worker,
            proposed_at=at(proposed),
            decided_by=None if approved is None else self.worker,
            decided_at=None if approved is None else at(approved),
        )
        account_refresh(assessment.referral)
        return proposal

    def entry(self, referral, kind, amount, day, *, method="cash", reverses=None):
        self.receipts += 1
        entry = LedgerEntry.objects.create(
            agency=self.agency,
            referral=referral,
            kind=kind,
            amount=Decimal(amount),
            method=method,
            received_on=day,
            reverses=reverses,
            receipt_number=self.receipts,
            balance_after=Decimal("0"),
            recorded_by=self.worker,
        )
        account_refresh(referral)
        return entry


def build_fees():
    """The hand-counted agency (Q3 2026 "now", Q2 2026 "before"; the scale gives $400 to a
    person alone earning $45,000, $300 to a household of three, $0 to five under $40,000):

    r1  assessed Jul 10, $400 on the scale agreed at once Jul 10; paid $100 May 20, that
        payment voided Jul 15; paid $150 Aug 5                        → owes $250
    r2  assessed May 2, $250 approved May 6 (reduction, $150 forgone); paid $250 Jun 10,
        $50 of it refunded Aug 20                                     → owes $50
    r3  assessed Aug 1, $0 approved Aug 3 (waiver)                    → owes $0
    r4  assessed Apr 10, $400 agreed at once (later replaced); reassessed Jul 20 at $300,
        $200 approved Jul 25 (reduction, $100 forgone)                → owes $200
    r5  assessed and agreed at once in January ($400); a $400 subsidy Jul 2 → owes $0
    r6  assessed Jun 1, $300 on the scale agreed at once; $300 forgiven Jul 3 by a payment
        recorded as a waiver (not money)                              → owes $0
    r8  assessed Aug 10, a household of five: $0 on the scale, agreed at once (not a waiver)
    other agency: assessed Jul 5, $400 agreed, $100 paid Jul 5        → owes $300

    Assessed (first time):  now r1 r3 r8 = 3;          before r2 r4 r6 = 3
    Agreed (as they stand): now r1 r3 r4 r8 = 4, $600; before r2 r6 = 2, $550
    Reductions:             now r4 = 1, $100 forgone;   before r2 = 1, $150 forgone
    Waivers:                now r3 = 1;                 before 0
    Collected: now  +400 (r5 Jul 2) −100 (void Jul 15) +150 (Aug 5) −50 (refund Aug 20) = $400
               (July $300, August $100, September $0), from r1 r2 r5;
               before +100 (May 20) +250 (Jun 10) = $350, from r1 r2
    Owed today: $250 + $50 + $200 = $500, by 3 referrals.
    """
    here, there = Agency("riviere"), Agency("lakehead")
    r1, r2, r3, r4, r5, r6, r8 = (here.referral(f"r{n}") for n in (1, 2, 3, 4, 5, 6, 8))

    here.agree(here.assess(r1, date(2026, 7, 10)), "400", date(2026, 7, 10))
    mistake = here.entry(r1, "payment", "100", date(2026, 5, 20))
    here.entry(r1, "void", "100", date(2026, 7, 15), reverses=mistake)
    here.entry(r1, "payment", "150", date(2026, 8, 5))

    reduced = here.assess(r2, date(2026, 5, 2))
    here.agree(reduced, "250", date(2026, 5, 2), approved=date(2026, 5, 6))
    paid = here.entry(r2, "payment", "250", date(2026, 6, 10), method="debit")
    here.entry(r2, "refund", "50", date(2026, 8, 20), method="debit", reverses=paid)

    here.agree(here.assess(r3, date(2026, 8, 1)), "0", date(2026, 8, 1), approved=date(2026, 8, 3))

    first = here.assess(r4, date(2026, 4, 10))
    here.agree(first, "400", date(2026, 4, 10), status="replaced")
    again = here.assess(r4, date(2026, 7, 20), size=3)
    here.agree(again, "200", date(2026, 7, 20), approved=date(2026, 7, 25))

    here.agree(here.assess(r5, date(2026, 1, 15)), "400", date(2026, 1, 15))
    here.entry(r5, "payment", "400", date(2026, 7, 2), method="subsidy")

    here.agree(here.assess(r6, date(2026, 6, 1), size=3), "300", date(2026, 6, 1))
    here.entry(r6, "payment", "300", date(2026, 7, 3), method="waiver")

    here.agree(here.assess(r8, date(2026, 8, 10), income="10000", size=5), "0", date(2026, 8, 10))

    elsewhere = there.referral("elsewhere")
    there.agree(there.assess(elsewhere, date(2026, 7, 5)), "400", date(2026, 7, 5))
    there.entry(elsewhere, "payment", "100", date(2026, 7, 5))
    return here, there


def values(results) -> dict:
    return {result.figure.key: (result.current, result.previous) for result in results}


def test_every_fee_figure_reads_the_hand_counted_agency_for_both_periods():
    here, _there = build_fees()

    results = fees.compute(Scope.agency(here.agency), CURRENT, PREVIOUS)

    assert values(results) == {
        "fees_assessed": (3, 3),
        "fees_agreed": (4, 2),
        "fees_agreed_total": (Decimal("600.00"), Decimal("550.00")),
        "fees_reduced": (1, 1),
        "fees_forgone": (Decimal("100.00"), Decimal("150.00")),
        "fees_waived": (1, 0),
        "fees_collected": (Decimal("400.00"), Decimal("350.00")),
        "fees_outstanding": (Decimal("500.00"), None),
        "fees_owing": (3, None),
    }
    collected = selectors.result_of(results, "fees_collected")
    assert collected.months == [
        (date(2026, 7, 1), Decimal("300.00")),
        (date(2026, 8, 1), Decimal("100.00")),
        (date(2026, 9, 1), Decimal("0.00")),
    ]
    assert collected.counted == (3, 2)
    assert selectors.result_of(results, "fees_outstanding").counted == (3, None)


def test_the_cases_behind_each_fee_count_are_the_referrals_counted():
    here, _there = build_fees()
    scope = Scope.agency(here.agency)

    def listed(key, period):
        figure = selectors.FIGURES[key]
        return sorted(
            r.participant.legal_name
            for r in selectors.cases(scope=scope, figure=figure, period=period)
        )

    assert listed("fees_assessed", CURRENT) == ["r1", "r3", "r8"]
    assert listed("fees_assessed", PREVIOUS) == ["r2", "r4", "r6"]
    assert listed("fees_agreed", CURRENT) == ["r1", "r3", "r4", "r8"]
    assert listed("fees_agreed", PREVIOUS) == ["r2", "r6"]
    assert listed("fees_reduced", CURRENT) == ["r4"]
    assert listed("fees_reduced", PREVIOUS) == ["r2"]
    assert listed("fees_waived", CURRENT) == ["r3"]
    assert listed("fees_waived", PREVIOUS) == []
    assert listed("fees_owing", CURRENT) == ["r1", "r2", "r4"]


def test_another_agencys_fees_count_only_for_the_province():
    _here, there = build_fees()

    theirs = values(fees.compute(Scope.agency(there.agency), CURRENT, PREVIOUS))
    province = values(fees.compute(Scope.province(), CURRENT, PREVIOUS))

    assert theirs["fees_assessed"] == (1, 0)
    assert theirs["fees_collected"] == (Decimal("100.00"), Decimal("0.00"))
    assert theirs["fees_outstanding"] == (Decimal("300.00"), None)
    assert province["fees_agreed"] == (5, 2)
    assert province["fees_outstanding"] == (Decimal("800.00"), None)


def test_a_fee_agreed_and_then_replaced_is_not_counted_in_the_period_it_was_first_agreed():
    here = Agency("riviere")
    referral = here.referral("replaced")
    first = here.assess(referral, date(2026, 5, 1))
    here.agree(first, "400", date(2026, 5, 1), status="replaced")
    # Positive control: the same agreement, still standing, is counted then.
    standing = here.referral("standing")
    here.agree(here.assess(standing, date(2026, 5, 1)), "400", date(2026, 5, 1))

    result = values(fees.compute(Scope.agency(here.agency), CURRENT, PREVIOUS))

    assert result["fees_agreed"] == (0, 1)
    assert result["fees_agreed_total"] == (Decimal("0.00"), Decimal("400.00"))


def test_the_fees_section_takes_the_same_few_queries_however_many_fees():
    here, _there = build_fees()
    scope = Scope.agency(here.agency)
    with CaptureQueriesContext(connection) as few:
        fees.compute(scope, CURRENT, PREVIOUS)
    for n in range(6):
        referral = here.referral(f"more{n}")
        here.agree(here.assess(referral, date(2026, 8, 1)), "400", date(2026, 8, 1))
        here.entry(referral, "payment", "50", date(2026, 8, 2))

    with CaptureQueriesContext(connection) as many:
        more = values(fees.compute(scope, CURRENT, PREVIOUS))

    assert more["fees_agreed"] == (10, 2)
    assert len(few) == len(many) <= 5
