"""The demo as a newcomer finds it: both agencies offer IPV and a transfer waits between them;
what the francophone agency wrote is in French."""

import pytest
from django.core.management import call_command

from directory.models import Agency
from fees.models import FeeProposal, FeeSchedule
from ipv.accounts.models import User
from referrals.models import Intake, Referral, TimelineEntry, Transfer
from sessions_app.models import Group

pytestmark = pytest.mark.django_db

FIRST, SECOND = "riviere-des-outaouais", "lakehead-healing"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.IPV_REQUIRE_MFA = False  # as `make run` serves the demo


def test_both_demo_agencies_offer_ipv_and_a_transfer_waits_between_them(client, demo):
    for slug in (FIRST, SECOND):
        assert "ipv" in Agency.objects.get(slug=slug).programs, slug
    transfer = Transfer.objects.get()
    assert (transfer.agency.slug, transfer.to_agency.slug, transfer.status) == (
        FIRST,
        SECOND,
        "pending",
    )
    client.force_login(User.objects.get(email="manager2@demo.ipv.test"))
    url = f"/en/a/{SECOND}/transfers/{transfer.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Waiting for your answer" in page.content.decode()
    answered = client.post(url, {"accept": "yes", "note": ""})
    new = Referral.objects.get(agency__slug=SECOND, via="transfer")
    assert answered["Location"] == f"/en/a/{SECOND}/referrals/{new.pk}/"


def test_the_francophone_agency_writes_in_french(demo):
    agency = Agency.objects.get(slug=FIRST)
    referrals = Referral.objects.filter(agency=agency)
    assert set(referrals.values_list("charges", flat=True)) == {"Voies de fait (art. 266)"}
    organisations = set(referrals.values_list("referrer_organisation", flat=True)) - {""}
    assert organisations == {"Tribunal chargé des causes de violence familiale, Ottawa"}
    reasons = set(
        TimelineEntry.objects.filter(
            agency=agency, kind__in=["contact", "waitlist", "withdraw", "discharge"]
        ).values_list("reason", flat=True)
    )
    assert reasons == {
        "Joint par téléphone.",
        "Le prochain groupe du soir est complet.",
        "Accusations retirées par la Couronne.",
        "Deux absences non motivées; sans réponse.",
    }
    assert set(Transfer.objects.values_list("reason", flat=True)) == {
        "Déménage à Thunder Bay pour un emploi; suivra le programme en anglais."
    }
    notes = set(Intake.objects.filter(agency=agency).values_list("notes", flat=True)) - {""}
    assert notes == {"Attentif; travaille de nuit, préfère un groupe du soir."}
    assert set(Group.objects.filter(agency=agency).values_list("name", flat=True)) == {
        "Mardi soir — français",
        "Jeudi soir — anglais",
    }
    assert FeeSchedule.objects.get(agency=agency).free_of_charge == (
        "Garde d'enfants pendant les groupes du soir."
    )
    assert set(FeeProposal.objects.filter(agency=agency).values_list("reason", flat=True)) == {
        "",
        "A perdu son emploi le mois dernier; trois enfants à la maison.",
    }
    assert agency.street_address == "1200, chemin de Montréal, bureau 310"


def test_the_demo_manager_finds_a_failed_text_on_the_outgoing_messages_page(client, demo):
    client.force_login(User.objects.get(email="manager@demo.ipv.test"))
    page = client.get(f"/en/a/{FIRST}/messages/").content.decode()
    assert "No text message provider is configured" in page
    assert "Group session reminder" in page
    call_command("load_demo", verbosity=0)  # loading twice writes it once
    assert client.get(f"/en/a/{FIRST}/messages/").content.decode().count("Send again") == 1
