"""The directory's list pages run the same number of queries for 10 rows as for 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Agency, SupportService
from tests.factories import AgencyFactory, CourtFactory, SupportServiceFactory

pytestmark = pytest.mark.django_db


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _grow_to(count, factory, model, **fields):
    rows = [factory.build(**fields) for _ in range(count - model.objects.count())]
    model.objects.bulk_create(rows)


PAGES = [
    ("/en/directory/", {}),
    ("/fr/directory/", {"region": "east", "language": "fr", "program": "ipv", "q": "agency"}),
    ("/en/directory/", {"city": "otta", "page": "3"}),
    ("/en/directory/services/", {}),
    ("/fr/directory/services/", {"region": "east", "kind": "counselling", "language": "en"}),
    ("/en/", {}),
]

EXPECTED = {
    # paginator count, page of rows, regions for the select
    ("/en/directory/", 0): 3,
    # + the region chosen is looked up to validate it
    ("/fr/directory/", 1): 4,
    ("/en/directory/", 2): 3,
    ("/en/directory/services/", 3): 3,
    ("/fr/directory/services/", 4): 4,
    # agencies count, services count, regions
    ("/en/", 5): 3,
}


@pytest.mark.parametrize("index", range(len(PAGES)))
def test_list_pages_keep_a_constant_query_count(client, east, index):
    url, params = PAGES[index]
    court = CourtFactory(region=east)
    _grow_to(10, AgencyFactory, Agency, region=east)
    _grow_to(10, SupportServiceFactory, SupportService, region=east)
    small = _queries(client, url, params)

    _grow_to(1_000, AgencyFactory, Agency, region=east)
    _grow_to(1_000, SupportServiceFactory, SupportService, region=east)
    court.agencies.add(*Agency.objects.all())
    large = _queries(client, url, params)

    expected = EXPECTED[(url, index)]
    assert len(small) == expected, "\n".join(small)
    assert len(large) == expected, "\n".join(large)


def test_agency_page_query_count_does_not_grow_with_courts(client, east):
    agency = AgencyFactory(region=east)
    agency.courts.add(CourtFactory(region=east))
    one = _queries(client, f"/en/directory/agencies/{agency.slug}/")
    for n in range(20):
        agency.courts.add(CourtFactory(slug=f"court-{n}", region=east))
    many = _queries(client, f"/en/directory/agencies/{agency.slug}/")
    assert len(one) == len(many) == 2, "\n".join(many)
