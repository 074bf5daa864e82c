import pytest

from referrals.models import Referral, Status
from victims.services import outreach


def add_outreach_person(world):
    """The person the first referral's outreach is about (French-speaking, a mailing address,
    the default rules: phone calls only), with the first version of a safety plan; kept on the
    world as `victim` and `plan`."""
    world.victim = outreach.person_add(
        agency=world.agency,
        referral=world.referral,
        by=world["partner_contact"],
        relationship="victim",
        full_name="Claire Dubois",
        language="fr",
        address="12, rue des Érables\nOttawa (Ontario)  K1N 5T5",
    )
    # In a group: the "started the program" letter is true of it.
    Referral.objects.filter(pk=world.referral.pk).update(status=Status.ENROLLED)
    world.plan = outreach.plan_save(
        victim=world.victim, by=world["partner_contact"], warning_signs="Il boit le vendredi."
    )
    return world


@pytest.fixture
def world(world):
    return add_outreach_person(world)


def program_at(world, status) -> None:
    """Where the participant's program is, as a letter must say it."""
    Referral.objects.filter(pk=world.referral.pk).update(
        status=status, discharge_reason="absences" if status == "discharged" else ""
    )
