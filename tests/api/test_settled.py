"""A court system syncing by change never steps past one: the lists leave out what may still be
on its way (a transaction still open that stamped a change before it commits, and the last
seconds of changes), and give it once it is there."""

import threading
from datetime import timedelta

import psycopg
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from ipv.api import selectors
from referrals.services.referrals import e_referral_accept, referrals_touched
from tests.api.tokens import bearer
from tests.conftest import make_referral

URL = "/api/v1/referrals/"


def _rows(client, token, **query):
    response = client.get(URL, {"limit": 100, **query}, **bearer(token))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_change_committed_after_a_later_one_still_reaches_a_sync(
    transactional_db, client, world, token
):
    late = make_referral(
        world.agency,
        world["intake"],
        world.court,
        via="e_referral",
        court_file_number="4811-998-26-00501",
    )
    other = make_referral(
        world.agency, world["intake"], world.court, court_file_number="4811-998-26-00502"
    )
    since = _rows(client, token)[-1]["changed_at"]  # the court system's full sync
    started, release = threading.Event(), threading.Event()

    def agency_accepts():
        """An agency's request that stamps its change, then takes a moment to commit."""
        try:
            with transaction.atomic():
                e_referral_accept(referral=late, by=world["intake"])
                started.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=agency_accepts)
    worker.start()
    try:
        assert started.wait(10)
        referrals_touched([other.pk])  # a later change, committed at once
        # The later change waits with the earlier one: the sync's marker stays before both.
        assert _rows(client, token, changed_since=since) == []
    finally:
        release.set()
        worker.join(10)
    rows = _rows(client, token, changed_since=since)
    assert [row["id"] for row in rows] == [late.pk, other.pk]
    assert rows[0]["accepted_at"] is not None


def test_the_last_seconds_of_changes_come_on_the_next_call(client, world, token, settings):
    settings.IPV_API_SETTLING_SECONDS = 5
    with time_machine.travel(timezone.now(), tick=False) as clock:
        since = timezone.now().isoformat()
        referrals_touched([world.referral.pk])
        clock.shift(timedelta(seconds=4))
        assert _rows(client, token, changed_since=since) == []
        clock.shift(timedelta(seconds=1))
        assert [row["id"] for row in _rows(client, token, changed_since=since)] == [
            world.referral.pk
        ]


def test_a_transaction_left_writing_holds_the_lists_back_for_ten_minutes_at_most(
    transactional_db, client, world, token, monkeypatch
):
    since = _rows(client, token)[-1]["changed_at"]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    left_open = psycopg.connect(**params)  # a session that wrote and never committed
    try:
        left_open.execute(
            "INSERT INTO core_security_store (key, value, expires_at) "
            "VALUES ('left-open', '0', now() + interval '1 hour')"
        )
        referrals_touched([world.referral.pk])
        assert _rows(client, token, changed_since=since) == []
        # As if it had been open for longer than the lists wait.
        monkeypatch.setattr(selectors, "LONGEST_WRITE", timedelta(0))
        assert [row["id"] for row in _rows(client, token, changed_since=since)] == [
            world.referral.pk
        ]
    finally:
        left_open.rollback()
        left_open.close()
