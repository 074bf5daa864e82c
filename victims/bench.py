"""`make bench`: the people named in one referral in four of the bench agency's, so that the
referral pages count them as they would in a real agency."""

from directory.models import Agency
from ipv.accounts.models import User
from referrals.bench import AGENCY, INTAKE_WORKER
from referrals.models import Referral
from victims.models import Relationship, Victim


def seed() -> dict:
    """Name a victim in every fourth referral, once; later runs find them and reuse them."""
    agency = Agency.objects.get(slug=AGENCY)
    if not Victim.objects.filter(agency=agency).exists():
        worker = User.objects.get(email=INTAKE_WORKER)
        referrals = Referral.objects.filter(agency=agency).order_by("pk").only("pk")
        Victim.objects.bulk_create(
            (
                Victim(
                    agency=agency,
                    referral=referral,
                    relationship=Relationship.VICTIM,
                    full_name="Bench Victim",
                    created_by=worker,
                )
                for referral in referrals[::4]
            ),
            batch_size=5000,
        )
    return {"victims": Victim.objects.filter(agency=agency).count()}


def pages() -> list[tuple[str, str, dict, str]]:
    """No page of its own: the confidential store is timed through the referral pages."""
    return []
