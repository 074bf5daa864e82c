"""Reading the referrals of a token's courts page by page: by a cursor on (changed at, id), so
that a sync sees every row, and again each row changed since it was read."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Referral
from referrals.services.referrals import referral_update
from sessions_app.models import Attendance, CourtReport
from sessions_app.services.attendance import Mark, attendance_record
from sessions_app.services.documents import court_report_issue
from tests.api.tokens import bearer
from tests.conftest import make_referral

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


@pytest.fixture
def referrals(world):
    for number in range(6):
        make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": f"Person {number}"},
            court_file_number=f"4811-998-26-1000{number}",
        )
    return list(Referral.objects.filter(court=world.court).order_by("updated_at", "pk"))


def _page(client, token, **query):
    response = client.get(URL, query, **bearer(token))
    assert response.status_code == 200, response.content
    return response.json()


def _walk(client, token, between=None, **query):
    seen, cursor, pages = [], None, 0
    while True:
        page = _page(client, token, limit=3, **({"cursor": cursor} if cursor else {}), **query)
        seen += page["results"]
        pages += 1
        cursor = page["next_cursor"]
        if between and pages == 1:
            between()
        if cursor is None:
            return seen, pages


def test_every_row_comes_once_across_pages(client, world, token, referrals):
    seen, pages = _walk(client, token)
    assert [row["id"] for row in seen] == [referral.pk for referral in referrals]
    assert pages == -(-len(referrals) // 3)


def test_a_row_changed_between_pages_comes_once_more_with_its_change(
    client, world, token, referrals
):
    already_read, not_yet = referrals[0], referrals[-1]

    def change():
        for referral, charges in ((already_read, "Changed after"), (not_yet, "Changed before")):
            referral_update(referral=referral, by=world["intake"], charges=charges)

    seen, _pages = _walk(client, token, between=change)
    ids = [row["id"] for row in seen]
    # Every row at least once; the one not yet read once, in its new place; the one read
    # before its change once more, at the end, as it is now.
    assert set(ids) == {referral.pk for referral in referrals}
    assert ids.count(not_yet.pk) == 1
    assert ids.count(already_read.pk) == 2
    assert ids[-2:] == [already_read.pk, not_yet.pk] or ids[-2:] == [not_yet.pk, already_read.pk]
    assert all(ids.count(r.pk) == 1 for r in referrals if r not in (already_read, not_yet))
    changed_at = [row["changed_at"] for row in seen]
    assert changed_at[-1] >= changed_at[0]


def test_changed_since_gives_the_rows_changed_from_then(client, world, token, referrals):
    moment = timezone.now()
    referral_update(referral=referrals[2], by=world["intake"], charges="Changed now")
    page = _page(client, token, changed_since=moment.isoformat())
    assert [row["id"] for row in page["results"]] == [referrals[2].pk]
    assert page["next_cursor"] is None


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "MjAyNi0xMS0zMHwx"},  # a naive moment
        {"cursor": "x" * 500},
        {"cursor": "OTk5OS0xMi0zMVQyMzo1OTo1OSswMDowMHwx"},  # the year 9999
        {"cursor": "MDAwMS0wMS0wMVQwMDowMDowMCswMDowMHwx"},  # the year 1
        {"limit": 0},
        {"limit": 1000},
        {"limit": "ten"},
        {"changed_since": "yesterday"},
        {"changed_since": "0001-01-01T00:00:00Z"},
        {"changed_since": "9999-12-31T23:59:59+14:00"},
    ],
)
def test_a_bad_query_is_refused_by_field(client, world, token, query):
    response = client.get(URL, query, **bearer(token))
    assert response.status_code == 400, response.content
    assert set(response.json()) == set(query)


def test_a_page_costs_the_same_queries_whatever_its_length(client, world, token, referrals):
    counts = []
    for limit in (1, 8):
        with CaptureQueriesContext(connection) as queries:
            assert len(_page(client, token, limit=limit)["results"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_referral_says_what_the_court_follows_and_nothing_else(client, world, token):
    row = client.get(f"{URL}{world.referral.pk}/", **bearer(token)).json()
    assert set(row) == {
        "id",
        "number",
        "changed_at",
        "court",
        "agency",
        "court_file_number",
        "participant",
        "program",
        "stream",
        "source_order",
        "status",
        "status_since",
        "received_on",
        "accepted_at",
        "order_date",
        "return_court_date",
        "complete_by",
        "modules_attended",
        "modules_required",
        "outcome",
        "documents",
    }
    assert set(row["participant"]) == {"legal_name", "date_of_birth"}
    assert row["modules_required"] == 12
    assert 0 <= row["modules_attended"] <= 12
    assert row["outcome"] is None
    kinds = {document["kind"] for document in row["documents"]}
    assert kinds == {"certificate", "progress"}
    assert timezone.now() - timedelta(days=1) < timezone.datetime.fromisoformat(row["changed_at"])


def test_attendance_and_a_document_for_the_court_count_as_changes(client, world, token):
    events = Referral.pgh_event_model.objects.filter(pgh_obj_id=world.referral.pk)
    history = events.count()
    zone = timezone.get_current_timezone()
    evening = datetime.combine(world.session.date, time(21, 0), tzinfo=zone)
    with time_machine.travel(evening, tick=True):
        moment = timezone.now()
        assert _page(client, token, changed_since=moment.isoformat())["results"] == []
        errors = attendance_record(
            session=world.session,
            by=world["facilitator"],
            marks=[Mark(world.referral.pk, Attendance.Status.PRESENT, None, "")],
        )
        assert errors == {}
        found = _page(client, token, changed_since=moment.isoformat())["results"]
        assert [(row["id"], row["modules_attended"]) for row in found] == [(world.referral.pk, 1)]
        # Only the change's moment moved: the referral's own history has nothing new.
        assert events.count() == history

        moment = timezone.now()
        court_report_issue(
            referral=world.referral,
            kind=CourtReport.Kind.PROGRESS,
            by=world["intake"],
            replaces=world.report,
        )
        found = _page(client, token, changed_since=moment.isoformat())["results"]
        assert [row["id"] for row in found] == [world.referral.pk]
