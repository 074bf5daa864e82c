"""The Django admin: every model listed, searchable and filterable, for administrators only."""

import pytest

from tests.factories import AgencyFactory, CourtFactory, SupportServiceFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/en/admin/accounts/user/",
    "/en/admin/directory/region/",
    "/en/admin/directory/court/",
    "/en/admin/directory/agency/",
    "/en/admin/directory/supportservice/",
]
# Case records: to look at, not to change (the agency's pages hold the rules and the history).
READ_ONLY = [
    "/en/admin/referrals/referral/",
    "/en/admin/referrals/participant/",
    "/en/admin/referrals/intake/",
    "/en/admin/referrals/consent/",
    "/en/admin/referrals/transfer/",
    "/en/admin/referrals/possibleduplicate/",
    "/en/admin/victims/victim/",
]


def test_the_admin_asks_anonymous_people_to_sign_in(client):
    response = client.get("/en/admin/directory/agency/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")


@pytest.mark.parametrize("url", CHANGELISTS)
def test_administrators_can_list_search_and_open_every_model(client, admin_user, east, url):
    agency = AgencyFactory(region=east)
    agency.courts.add(CourtFactory(region=east))
    SupportServiceFactory(region=east)
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "ottawa"}).status_code == 200
    assert client.get(url + "add/").status_code == 200


def test_an_agency_is_edited_with_checkboxes_for_programs_and_languages(client, admin_user, east):
    agency = AgencyFactory(region=east)
    client.force_login(admin_user)
    html = client.get(f"/en/admin/directory/agency/{agency.pk}/change/").content.decode()
    assert 'type="checkbox" name="programs" value="ipiv"' in html
    assert 'type="checkbox" name="languages" value="oj"' in html


@pytest.mark.parametrize("url", READ_ONLY)
def test_case_records_are_read_only_in_the_admin(client, world, url):
    client.force_login(world["admin"])
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "tremblay"}).status_code == 200
    assert client.get(url + "add/").status_code == 403


def test_the_admin_shows_no_victims_name_or_contact(client, world):
    from tests.conftest import ORDER, PERSON
    from victims.services import referral_create_naming

    referral = referral_create_naming(
        agency=world.agency,
        by=world["intake"],
        participant=PERSON,
        order={**ORDER, "court": world.court, "court_file_number": "X-1"},
        named_people=[{"relationship": "victim", "full_name": "Hortense Canari", "phone": "1"}],
    )
    client.force_login(world["admin"])
    listing = client.get("/en/admin/victims/victim/").content.decode()
    from victims.models import Victim

    victim = Victim.objects.get(referral=referral)
    page = client.get(f"/en/admin/victims/victim/{victim.pk}/change/").content.decode()
    for html in (listing, page):
        assert "Hortense" not in html
        assert "Canari" not in html


def test_the_events_of_a_record_gone_or_out_of_sight_answer_404(client, world):
    client.force_login(world["admin"])
    url = "/en/admin/pghistory/events/"
    missing = client.get(url, {"method": "tracks", "obj": "referrals.Referral:999999"})
    assert missing.status_code == 404
    # Positive control: a record that exists shows its events.
    present = client.get(
        url, {"method": "tracks", "obj": f"referrals.Referral:{world.referral.pk}"}
    )
    assert present.status_code == 200
