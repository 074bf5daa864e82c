"""A concern for someone's safety always reaches outreach: as urgent tasks for the people the
order names, or, when it names nobody outreach may contact, on the outreach home until they
are added; the referral's outreach page shows every concern raised about it."""

from django.urls import reverse

from tests.conftest import make_referral
from victims.services.tasks import concern_raise

NOTE = "Said in group he knows where she works now."


def test_a_concern_about_a_referral_naming_nobody_is_listed_on_the_home(world, worker_client):
    lonely = make_referral(
        world.agency, world["intake"], world.court, court_file_number="4811-998-26-00777"
    )
    concern_raise(referral=lonely, by=world["facilitator"], note=NOTE)
    home = worker_client.get(reverse("agency:outreach_home", args=[world.agency.slug]))
    assert "Concerns with nobody to contact" in home.content.decode()
    assert f"/outreach/referrals/{lonely.pk}/" in home.content.decode()
    page = worker_client.get(
        reverse("agency:outreach_referral", args=[world.agency.slug, lonely.pk])
    )
    assert NOTE in page.content.decode()


def test_a_concern_that_made_tasks_is_not_listed_as_without_one(world, worker_client):
    concern_raise(referral=world.referral, by=world["facilitator"], note=NOTE)
    home = worker_client.get(reverse("agency:outreach_home", args=[world.agency.slug]))
    # Positive control: the concern is there, as an urgent task for the person named.
    assert "Concern for someone&#x27;s safety" in home.content.decode()
    assert "Concerns with nobody to contact" not in home.content.decode()
    page = worker_client.get(
        reverse("agency:outreach_referral", args=[world.agency.slug, world.referral.pk])
    )
    assert NOTE in page.content.decode()
