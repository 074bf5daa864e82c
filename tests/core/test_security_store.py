"""The security store (the default cache, in PostgreSQL): atomic where allauth relies on it."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from ipv.core.models import SecurityStoreEntry
from ipv.core.tasks import sweep_security_store

START = timezone.datetime(2026, 11, 23, 8, 0, tzinfo=timezone.get_fixed_timezone(-300))


@pytest.mark.django_db
def test_a_value_lives_until_its_timeout_and_add_then_takes_its_place():
    with time_machine.travel(START, tick=False) as clock:
        assert cache.add("used-code", "y", timeout=30) is True
        assert cache.add("used-code", "y", timeout=30) is False
        assert cache.get("used-code") == "y"
        clock.shift(timedelta(seconds=30))
        assert cache.get("used-code", "gone") == "gone"
        assert cache.has_key("used-code") is False
        assert cache.add("used-code", "again", timeout=30) is True
        assert cache.get("used-code") == "again"


@pytest.mark.django_db
def test_incr_counts_live_values_only():
    with time_machine.travel(START, tick=False) as clock:
        cache.set("count", 1, timeout=60)
        assert cache.incr("count") == 2
        assert cache.incr("count", 5) == 7
        clock.shift(timedelta(seconds=61))
        with pytest.raises(ValueError):
            cache.incr("count")


@pytest.mark.django_db
def test_set_with_no_time_left_removes_and_delete_says_whether_it_did():
    cache.set("history", [1.5], timeout=60)
    cache.set("history", [2.5], timeout=0)
    assert cache.get("history") is None
    cache.set("history", [3.5], timeout=None)
    assert cache.delete("history") is True
    assert cache.delete("history") is False


@pytest.mark.django_db
def test_values_that_are_not_json_are_refused_not_lost():
    with pytest.raises(TypeError):
        cache.set("thing", object())


@pytest.mark.django_db
def test_the_sweep_removes_expired_rows_only():
    with time_machine.travel(START, tick=False) as clock:
        cache.set("short", 1, timeout=10)
        cache.set("long", 1, timeout=600)
        clock.shift(timedelta(seconds=11))
        assert sweep_security_store() == 1
        assert sweep_security_store() == 0
        assert [
            key.rsplit(":", 1)[1]
            for key in SecurityStoreEntry.objects.values_list("key", flat=True)
        ] == ["long"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_adding_one_key_at_once_never_both_succeed():
    results, barrier = [], threading.Barrier(8)

    def add():
        try:
            barrier.wait()
            results.append(cache.add("lock", True, timeout=10))
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
