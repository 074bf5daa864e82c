"""The retention tests' world: an agency with its court and two workers (`place`), its files
closed and open (`files`)."""

from datetime import timedelta

import pytest
import time_machine

from ipv.accounts.models import Role
from referrals.models import Intake
from tests.conftest import make_person
from tests.core.retention.making import CLOSED, DAY, a_file, withdraw
from tests.factories import AgencyFactory, CourtFactory


@pytest.fixture
def place(db):
    court = CourtFactory(slug="ottawa")
    agency = AgencyFactory(slug="riviere", name_fr="Services Rivière", name_en="River Services")
    agency.courts.add(court)
    intake = make_person("intake@riviere.test", "Isabelle Roy", agency=agency, roles=[Role.INTAKE])
    worker = make_person(
        "partner@riviere.test", "Patricia Lavoie", agency=agency, roles=[Role.PARTNER_CONTACT]
    )
    return agency, court, intake, worker


@pytest.fixture
def files(place):
    """A referral closed on CLOSED (Jean-Marc Tremblay, intake notes, victim), one still open
    (Paul Girard), one closed two years later (Luc Martin)."""
    _agency, _court, intake, _worker = place
    with time_machine.travel(CLOSED - 10 * DAY, tick=False):
        old = a_file(place, "Jean-Marc Tremblay", "4811-998-26-00001")
        still_open = a_file(place, "Paul Girard", "4811-998-26-00002")
        recent = a_file(place, "Luc Martin", "4811-998-26-00003")
        Intake.objects.create(
            agency=old.agency,
            referral=old,
            scheduled_at=CLOSED - 5 * DAY,
            location="Bureau de Jean-Marc Tremblay",
            booked_by=intake,
            notes="Jean-Marc Tremblay spoke of his work.",
        )
    withdraw(old, intake, CLOSED)
    withdraw(recent, intake, CLOSED + timedelta(days=2 * 365))
    return old, still_open, recent
