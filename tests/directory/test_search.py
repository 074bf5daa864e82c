import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from directory.filters import search_text
from directory.models import Agency, Program, ServiceLanguage, SupportService
from tests.factories import AgencyFactory, CourtFactory, SupportServiceFactory

pytestmark = pytest.mark.django_db


def _agency_names(client, **params):
    with translation.override("en"):
        url = reverse("directory:agency_list")
    response = client.get(url, params)
    assert response.status_code == 200
    return [agency.name_en for agency in response.context["page"]]


def _service_names(client, **params):
    with translation.override("en"):
        url = reverse("directory:service_list")
    response = client.get(url, params)
    assert response.status_code == 200
    return [service.name_en for service in response.context["page"]]


@pytest.fixture
def agencies(east, northwest):
    AgencyFactory(
        name_en="Montréal Road Family Services",
        name_fr="Services familiaux du chemin de Montréal",
        city="Ottawa",
        region=east,
        languages=[ServiceLanguage.FRENCH, ServiceLanguage.ENGLISH],
    )
    AgencyFactory(
        name_en="Lakehead Healing Centre",
        name_fr="Centre de guérison Lakehead",
        city="Thunder Bay",
        region=northwest,
        languages=[ServiceLanguage.ENGLISH, ServiceLanguage.OJIBWE],
        programs=[Program.IPIV],
        indigenous_led=True,
        description_en="Sharing circles and Elders' teachings.",
    )
    AgencyFactory(
        name_en="École des relations saines",
        name_fr="École des relations saines",
        city="Lévis-Est",
        region=east,
        languages=[ServiceLanguage.FRENCH],
    )
    AgencyFactory(name_en="Hidden Draft Agency", city="Ottawa", region=east, published=False)


def test_free_text_ignores_accents_and_case(client, agencies):
    assert _agency_names(client, q="montreal") == ["Montréal Road Family Services"]
    assert _agency_names(client, q="MONTRÉAL") == ["Montréal Road Family Services"]
    assert _agency_names(client, q="ecole") == ["École des relations saines"]


def test_every_word_typed_must_match(client, agencies):
    assert _agency_names(client, q="family montreal") == ["Montréal Road Family Services"]
    assert _agency_names(client, q="family thunder") == []


def test_free_text_searches_the_description_in_both_languages(client, agencies):
    assert _agency_names(client, q="elders") == ["Lakehead Healing Centre"]
    assert _agency_names(client, q="guerison") == ["Lakehead Healing Centre"]


def test_filters_by_region(client, agencies):
    assert _agency_names(client, region="northwest") == ["Lakehead Healing Centre"]


def test_filters_by_city_from_its_first_letters_without_accents(client, agencies):
    assert _agency_names(client, city="levis") == ["École des relations saines"]
    assert _agency_names(client, city="thunder") == ["Lakehead Healing Centre"]


def test_filters_by_language_of_service(client, agencies):
    assert _agency_names(client, language="oj") == ["Lakehead Healing Centre"]
    assert _agency_names(client, language="fr") == [
        "École des relations saines",
        "Montréal Road Family Services",
    ]


def test_filters_by_program(client, agencies):
    assert _agency_names(client, program="ipiv") == ["Lakehead Healing Centre"]
    assert len(_agency_names(client, program="ipv")) == 2


def test_unpublished_agencies_never_appear(client, agencies):
    assert "Hidden Draft Agency" not in _agency_names(client)
    assert "Hidden Draft Agency" not in _agency_names(client, q="hidden")
    hidden = Agency.objects.get(name_en="Hidden Draft Agency")
    response = client.get(reverse("directory:agency_detail", args=[hidden.slug]))
    assert response.status_code == 404


def test_agencies_are_listed_alphabetically_accents_aside(client, agencies):
    assert _agency_names(client) == [
        "École des relations saines",
        "Lakehead Healing Centre",
        "Montréal Road Family Services",
    ]


def test_services_filter_by_type_and_24_hours(client, east):
    SupportServiceFactory(name_en="Night Line", kind=SupportService.Kind.CRISIS_LINE, open_24h=True)
    SupportServiceFactory(name_en="Day Counselling", kind=SupportService.Kind.COUNSELLING)
    SupportServiceFactory(name_en="Unlisted Line", published=False, open_24h=True)
    assert _service_names(client, kind="crisis_line") == ["Night Line"]
    assert _service_names(client, open_24h="on") == ["Night Line"]
    assert _service_names(client) == ["Day Counselling", "Night Line"]


def test_agency_page_shows_contact_courts_and_languages(client, east):
    agency = AgencyFactory(
        region=east, name_fr="Maison Soleil", phone="+16135550142", email="soleil@example.org"
    )
    agency.courts.add(CourtFactory(region=east))
    response = client.get(f"/fr/directory/agencies/{agency.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Maison Soleil</h1>" in html
    assert 'href="tel:+16135550142"' in html
    assert "Palais de justice d&#x27;Ottawa" in html
    assert "Français, Anglais" in html


def test_htmx_search_returns_only_the_results(client, agencies):
    response = client.get(
        "/en/directory/", {"q": "lakehead"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Lakehead Healing Centre" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    ("model", "index"),
    [(Agency, "directory_agency_trgm"), (SupportService, "directory_service_trgm")],
)
def test_a_word_anywhere_in_the_text_is_found_through_the_trigram_index(model, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the tables are small here
    plan = search_text(model.objects.all(), "q", "montréal").explain()
    assert index in plan
