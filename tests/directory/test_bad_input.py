"""Bad input never gives a 500: a page with a clear message, what was typed kept."""

import pytest

from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

LISTS = ["/en/directory/", "/fr/directory/", "/en/directory/services/", "/fr/directory/services/"]


@pytest.fixture
def listed(east):
    return AgencyFactory(region=east, name_en="Riverside Services", city="Ottawa")


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_region_is_reported_and_the_rest_of_the_search_still_applies(
    client, listed, url
):
    response = client.get(url, {"region": "atlantis", "q": "riverside"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="riverside"' in html
    if "services" not in url:
        assert [agency.name_en for agency in response.context["page"]] == ["Riverside Services"]


def test_the_message_is_in_the_language_of_the_page(client, listed):
    french = client.get("/fr/directory/", {"language": "xx"}).content.decode()
    english = client.get("/en/directory/", {"language": "xx"}).content.decode()
    assert "Sélectionnez un choix valide" in french
    assert "Une partie de ce que vous avez saisi n'a pas pu être utilisée" in french
    assert "Select a valid choice" in english


@pytest.mark.parametrize(
    "params",
    [
        {"program": "yoga"},
        {"language": "klingon"},
        {"kind": "spa"},
        {"open_24h": "maybe"},
        {"region": ["east", "west"]},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"unknown_parameter": "x"},
    ],
)
@pytest.mark.parametrize("url", LISTS)
def test_odd_filter_values_never_break_the_page(client, listed, url, params):
    assert client.get(url, params).status_code == 200


def test_an_over_long_search_is_refused_with_a_message_and_kept_in_the_box(client, listed):
    text = "x" * 10_000
    response = client.get("/en/directory/", {"q": text, "city": "Ottawa"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters (it has 10000)." in html
    assert text in html
    assert [agency.name_en for agency in response.context["page"]] == ["Riverside Services"]


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "nul\x00byte",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "<script>alert(1)</script>",
        "שלום",
        "🙂🙂",
        "\u202e",
        "   ",
    ],
)
def test_odd_characters_give_a_page_not_an_error(client, listed, text):
    response = client.get("/en/directory/", {"q": text, "city": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_like_wildcards_are_matched_literally(client, listed):
    response = client.get("/en/directory/", {"q": "%"})
    assert list(response.context["page"]) == []


def test_an_unknown_agency_gives_the_translated_404_page(client, east):
    response = client.get("/fr/directory/agencies/does-not-exist/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_posting_to_a_search_page_is_refused_politely(client, east):
    assert client.post("/en/directory/").status_code == 405
