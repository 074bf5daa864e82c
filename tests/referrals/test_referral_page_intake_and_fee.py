"""The referral page says the intake is done once it is recorded, not when it was booked; the
fee page says at once when the agency has no fee schedule, before any form."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from referrals.services.intake import intake_book
from sessions_app.services.program import intake_record

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
BOOKED_FOR = datetime(2026, 11, 25, 14, 30, tzinfo=TORONTO)


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO), tick=False)
def test_the_referral_page_shows_the_intake_done_instead_of_the_old_appointment(client, world):
    intake_book(
        referral=world.referral,
        by=world["intake"],
        scheduled_at=BOOKED_FOR,
        mode="in_person",
        location="100 rue Principale",
    )
    client.force_login(world["intake"])
    url = f"/en/a/riviere/referrals/{world.referral.pk}/"
    booked = client.get(url).content.decode()
    assert "Appointment" in booked
    assert "100 rue Principale" in booked
    assert "Intake done" not in booked

    with time_machine.travel(BOOKED_FOR + timedelta(hours=2), tick=False):
        intake_record(
            referral=world.referral,
            by=world["intake"],
            held_on=timezone.localdate(),
            eligibility="eligible",
            consents={"program_agreement": timezone.localdate()},
        )
        client.force_login(world["intake"])  # the earlier session has timed out
        done = client.get(url).content.decode()
    assert "Intake done" in done
    assert "Held on 25 Nov 2026" in done
    assert "Appointment" not in done
    assert "100 rue Principale" not in done


def _fees(world, agency, referral):
    return f"/en/a/{agency.slug}/referrals/{referral.pk}/fees/"


def test_the_fee_page_says_at_once_that_there_is_no_fee_schedule(client, world):
    client.force_login(world["other_manager"])
    html = client.get(_fees(world, world.other_agency, world.other_referral)).content.decode()
    assert "The agency has no fee schedule yet" in html
    assert "/en/a/lakehead/fees/schedule/new/" in html
    assert f"/referrals/{world.other_referral.pk}/fees/assess/" not in html
    # An intake worker is told too, without a link to a page only managers open.
    client.force_login(world["other_intake"])
    html = client.get(_fees(world, world.other_agency, world.other_referral)).content.decode()
    assert "The agency has no fee schedule yet" in html
    assert "/fees/schedule/new/" not in html
    # The assessment page itself says so before its form is filled.
    assess = client.get(f"/en/a/lakehead/referrals/{world.other_referral.pk}/fees/assess/")
    assert "The agency has no fee schedule yet" in assess.content.decode()


def test_an_agency_with_a_fee_schedule_is_offered_the_assessment(client, world):
    client.force_login(world["intake"])
    html = client.get(_fees(world, world.agency, world.referral)).content.decode()
    assert "no fee schedule yet" not in html
    assert f"/referrals/{world.referral.pk}/fees/assess/" in html
    assess = client.get(f"/en/a/riviere/referrals/{world.referral.pk}/fees/assess/")
    assert "no fee schedule yet" not in assess.content.decode()
