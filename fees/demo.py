"""Demo fees of the first agency: a sliding scale, and fees at several stages (assessed, agreed
and partly paid, a reduction waiting for the manager). Loading twice leaves the same rows."""

from decimal import Decimal

from django.utils import timezone

from directory.models import Agency
from fees import services
from fees.models import FeeSchedule
from ipv.accounts.models import User
from referrals.models import Referral

# Annual household income bands × household size (1 to 5 or more): the fee for the program.
SCALE = [
    (0, 20_000, [50, 40, 30, 20, 0]),
    (20_000, 40_000, [150, 125, 100, 75, 50]),
    (40_000, 60_000, [300, 250, 200, 150, 100]),
    (60_000, 80_000, [450, 400, 350, 300, 250]),
    (80_000, None, [600, 550, 500, 450, 400]),
]


def load() -> None:
    agency = Agency.objects.get(slug="riviere-des-outaouais")
    manager = User.objects.get(email="manager@demo.ipv.test")
    worker = User.objects.get(email="intake@demo.ipv.test")
    if not FeeSchedule.objects.filter(agency=agency).exists():
        services.schedule_create(
            agency=agency,
            by=manager,
            effective_from=timezone.localdate().replace(month=1, day=1),
            minimum_fee=Decimal("0"),
            individual_session_fee=Decimal("60"),
            free_of_charge="Garde d'enfants pendant les groupes du soir.",
            rows=[
                {
                    "income_min": Decimal(low),
                    "income_max": Decimal(high) if high else None,
                    "fees": {size: Decimal(fee) for size, fee in enumerate(fees, start=1)},
                }
                for low, high, fees in SCALE
            ],
        )
    _fee("4811-998-26-00104", worker, income=45_000, size=1, amount=None, paid=Decimal("100"))
    _fee(
        "4811-998-26-00105",
        worker,
        income=18_000,
        size=3,
        amount=Decimal("10"),
        reason="A perdu son emploi le mois dernier; trois enfants à la maison.",
    )


def _fee(file_number, worker, *, income, size, amount, paid=None, reason=""):
    referral = Referral.objects.filter(court_file_number=file_number).first()
    if referral is None or referral.fee_assessments.exists():
        return
    assessment = services.assessment_create(
        referral=referral,
        by=worker,
        household_income=Decimal(income),
        household_size=size,
        employment="full_time" if income > 30_000 else "unemployed",
        evidence_seen=["pay_stubs"],
    )
    services.proposal_create(
        referral=referral,
        by=worker,
        amount=amount if amount is not None else assessment.standard_fee,
        reason=reason,
    )
    if paid:
        services.payment_record(referral=referral, by=worker, amount=paid, method="debit")
