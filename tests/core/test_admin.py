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
