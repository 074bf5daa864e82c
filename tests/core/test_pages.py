import pytest
from django.test import RequestFactory
from django.utils import translation

from ipv.core import views
from tests.factories import AgencyFactory, SupportServiceFactory

pytestmark = pytest.mark.django_db


def test_home_page_counts_published_agencies_and_lists_regions(client, east, northwest):
    AgencyFactory(region=east)
    AgencyFactory(region=east, published=False)
    SupportServiceFactory(region=east)
    html = client.get("/en/").content.decode()
    assert "1 agency listed" in html
    assert "1 support service" in html
    assert 'href="/en/directory/?region=northwest">Northwest</a>' in html
    html = client.get("/fr/").content.decode()
    assert "1 organisme répertorié" in html


def test_every_page_has_a_skip_link_a_main_landmark_and_a_quick_exit(client, east):
    html = client.get("/fr/directory/").content.decode()
    assert '<a class="visually-hidden-focusable skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "data-quick-exit" in html
    assert "Sortie rapide" in html


def test_the_error_pages_are_translated(rf=None):
    request = RequestFactory().get("/fr/nowhere/")
    with translation.override("fr"):
        assert "Accès refusé" in views.permission_denied(request).content.decode()
        assert "Une erreur est survenue" in views.server_error(request).content.decode()
        assert "La demande n" in views.bad_request(request).content.decode()
    with translation.override("en"):
        response = views.server_error(request)
        assert response.status_code == 500
        assert "Something went wrong" in response.content.decode()


def test_the_500_page_renders_without_the_database(monkeypatch):
    def no_database(*args, **kwargs):
        raise AssertionError("the 500 page must not query")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", no_database)
    request = RequestFactory().get("/en/")
    assert views.server_error(request).status_code == 500


def test_a_refused_csrf_token_gives_the_styled_403(client, east):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post("/en/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()
