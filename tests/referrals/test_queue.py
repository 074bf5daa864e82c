"""The intake queue and the court portal's list: filters, search, overdue, and a number of
SQL queries that does not grow with the referrals."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import Participant, Referral, Status
from sessions_app.services.program import referral_transition
from tests.conftest import make_referral

pytestmark = pytest.mark.django_db

NOW = "2026-11-24 10:00 -05:00"


def queue(world, query=""):
    return f"/en/a/{world.agency.slug}/referrals/{query}"


def names_in(response):
    return [referral.participant.legal_name for referral in response.context["page"]]


def bulk_referrals(agency, court, by, count, *, start=0):
    """`count` closed and open referrals straight into the tables (the queue only reads)."""
    people = Participant.objects.bulk_create(
        Participant(
            agency=agency,
            legal_name=f"Bulk Person {start + n}",
            date_of_birth=date(1980, 1, 1) + timedelta(days=n % 5000),
            language="fr" if n % 2 else "en",
        )
        for n in range(count)
    )
    Referral.objects.bulk_create(
        Referral(
            agency=agency,
            participant=person,
            court=court,
            program="ipv",
            stream="early_intervention",
            source_order="release_order",
            source="court",
            court_file_number=f"B-{start + n:06d}",
            charges="Assault",
            order_date=date(2026, 1, 1),
            received_on=date(2026, 1, 2) + timedelta(days=n % 300),
            complete_by=date(2026, 6, 1),
            status=Status.WITHDRAWN if n % 3 else Status.RECEIVED,
            submitted_by=by,
        )
        for n, person in enumerate(people)
    )


def _queries(client, url):
    client.get(url)  # the first request of a session records the device: not the page's cost
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


LISTS = [
    ("intake", "/en/a/riviere/referrals/"),
    ("intake", "/en/a/riviere/referrals/?status=all"),
    ("intake", "/en/a/riviere/referrals/?q=bulk+person&status=all"),
    ("intake", "/en/a/riviere/referrals/?overdue=on&status=all"),
    ("intake", "/en/a/riviere/referrals/?stream=early_intervention&language=fr&page=2"),
    ("liaison", "/en/court/?status=all"),
    ("liaison", "/en/court/?q=bulk&status=all&page=3"),
]


def test_lists_run_the_same_queries_for_ten_or_ten_thousand_referrals(client, world):
    bulk_referrals(world.agency, world.court, world["intake"], 100)
    few = {}
    for who, url in LISTS:
        client.force_login(world[who])
        few[url] = _queries(client, url)
    bulk_referrals(world.agency, world.court, world["intake"], 9_900, start=100)
    for who, url in LISTS:
        client.force_login(world[who])
        many = _queries(client, url)
        assert len(many) == len(few[url]), url + "\n" + "\n".join(many)


def test_nothing_is_read_row_by_row(client, world):
    """A page of one referral runs the statements of a full page: no row reads its agency (the
    page's own) or anything else on its own."""
    bulk_referrals(world.agency, world.court, world["intake"], 1, start=50_000)
    client.force_login(world["intake"])
    url = "/en/a/riviere/referrals/?q=B-050000&status=all"
    one = _queries(client, url)
    assert names_in(client.get(url)) == ["Bulk Person 50000"]
    bulk_referrals(world.agency, world.court, world["intake"], 60, start=50_001)
    url = "/en/a/riviere/referrals/?q=bulk+person&status=all"
    full = _queries(client, url)
    assert len(names_in(client.get(url))) == 25
    assert len(full) == len(one), "\n".join(full)


@pytest.fixture
def three(world):
    """Three more referrals of the first agency, each different from the others."""
    intake, court = world["intake"], world.court
    return {
        "english": make_referral(
            world.agency,
            intake,
            court,
            person={"legal_name": "Kevin O'Brien", "language": "en"},
            court_file_number="4811-998-26-00310",
            stream="coordinated_prosecution",
            received_on=date(2026, 11, 20),
        ),
        "accents": make_referral(
            world.agency,
            intake,
            court,
            person={"legal_name": "Éric Lévesque", "date_of_birth": date(1978, 11, 30)},
            court_file_number="4811-998-26-00311",
            received_on=date(2026, 11, 22),
        ),
        "closed": make_referral(
            world.agency,
            intake,
            court,
            person={"legal_name": "Luc Gagnon", "date_of_birth": date(1975, 12, 3)},
            court_file_number="4811-998-26-00312",
            received_on=date(2026, 11, 21),
        ),
    }


def test_the_queue_shows_open_referrals_newest_first_by_default(client, world, three):
    referral_transition(
        referral=three["closed"], name="withdraw", by=world["intake"], reason="Charges dropped."
    )
    client.force_login(world["intake"])
    response = client.get(queue(world))
    assert names_in(response) == [
        "Éric Lévesque",
        "Kevin O'Brien",
        "Jean Marc Tremblay",
        "Jean-Marc Tremblay",
    ]
    closed = client.get(queue(world, "?status=closed"))
    assert names_in(closed) == ["Luc Gagnon"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("levesque", ["Éric Lévesque"]),
        ("LÉV", ["Éric Lévesque"]),
        ("o'brien", ["Kevin O'Brien"]),
        ("brien kev", ["Kevin O'Brien"]),
        ("4811-998-26-0031", ["Éric Lévesque", "Luc Gagnon", "Kevin O'Brien"]),
        ("481199826003", ["Éric Lévesque", "Luc Gagnon", "Kevin O'Brien"]),
        ("jean-marc", ["Jean Marc Tremblay", "Jean-Marc Tremblay"]),
        ("nobody", []),
        ("%_*:&|!()", []),
    ],
)
def test_search_by_name_or_court_file_number(client, world, three, typed, found):
    client.force_login(world["intake"])
    response = client.get(queue(world), {"q": typed, "status": "all"})
    assert response.status_code == 200
    assert names_in(response) == found


def test_each_filter_narrows_the_queue(client, world, three):
    client.force_login(world["intake"])
    assert names_in(client.get(queue(world, "?stream=coordinated_prosecution"))) == [
        "Kevin O'Brien"
    ]
    assert names_in(client.get(queue(world, "?language=en"))) == ["Kevin O'Brien"]
    assert len(names_in(client.get(queue(world, f"?court={world.court.pk}")))) == 5
    assert names_in(client.get(queue(world, f"?court={world.other_court.pk}"))) == []
    assert len(names_in(client.get(queue(world, "?program=ipv")))) == 5


@time_machine.travel(NOW, tick=False)
def test_overdue_means_no_contact_in_time_or_a_complete_by_date_at_risk(client, world, three):
    client.force_login(world["intake"])
    # Received 2026-11-03, 21 days ago, never contacted: overdue (the agency aims for 7).
    # Received 2026-11-20 to 22: within 7 days, and complete-by 2027-03-01 is more than twelve
    # weeks away: not overdue.
    assert names_in(client.get(queue(world, "?overdue=on"))) == [
        "Jean Marc Tremblay",
        "Jean-Marc Tremblay",
    ]
    three["accents"].complete_by = date(2027, 2, 1)  # twelve weeks from now is 2027-02-16
    three["accents"].save()
    assert "Éric Lévesque" in names_in(client.get(queue(world, "?overdue=on")))
    world.agency.contact_within_days = 30
    world.agency.save()
    assert names_in(client.get(queue(world, "?overdue=on"))) == ["Éric Lévesque"]


def test_unknown_filter_values_are_reported_and_ignored(client, world, three):
    client.force_login(world["intake"])
    response = client.get(
        queue(world), {"status": "bogus", "court": "99999", "stream": "x" * 500, "q": "é" * 500}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some of what you entered could not be used" in html
    errors = response.context["filter"].form.errors
    assert set(errors) == {"status", "court", "stream", "q"}


def test_the_queue_updates_in_place_with_htmx(client, world, three):
    client.force_login(world["intake"])
    response = client.get(
        queue(world, "?q=kevin"), headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Kevin O&#x27;Brien" in html
    assert "<html" not in html


def test_a_possible_duplicate_is_marked_in_the_queue(client, world):
    client.force_login(world["intake"])
    html = client.get(queue(world)).content.decode()
    assert html.count("Possible duplicate") == 1


def test_the_court_portal_lists_the_referrals_of_the_officers_courts_across_agencies(client, world):
    elsewhere = make_referral(
        world.other_agency,
        world["other_intake"],
        world.court,
        person={"legal_name": "Served Elsewhere"},
        court_file_number="4811-998-26-00400",
    )
    client.force_login(world["liaison"])
    response = client.get("/en/court/?status=all")
    assert sorted(names_in(response)) == [
        "Jean Marc Tremblay",
        "Jean-Marc Tremblay",
        "Served Elsewhere",
    ]
    by_agency = client.get("/en/court/", {"agency": world.other_agency.pk, "status": "all"})
    # The other agency does not serve this court: not a choice, reported, ignored.
    assert "agency" in by_agency.context["filter"].form.errors
    world.other_agency.courts.add(world.court)
    by_agency = client.get("/en/court/", {"agency": world.other_agency.pk, "status": "all"})
    assert names_in(by_agency) == ["Served Elsewhere"]
    assert elsewhere.pk in [referral.pk for referral in response.context["page"]]
