"""Beat and workers write heartbeats; periodic sweeps run once however many beats run."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from ipv.celery import app
from ipv.core import beat
from ipv.core.beat import Scheduler, WorkerHeartbeat, single_run
from ipv.core.models import Heartbeat

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _connection_kept(monkeypatch):
    """Beat and workers write their heartbeat outside any transaction, and first drop a
    connection the database closed; here the test's own transaction must stay open."""
    monkeypatch.setattr(beat, "close_old_connections", lambda: None)


def _at(name):
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


@pytest.mark.django_db
def test_a_beat_tick_writes_the_beat_heartbeat_at_most_every_30_seconds(monkeypatch):
    scheduler = Scheduler(app=app, schedule={}, lazy=True)
    with time_machine.travel(NOW, tick=False):
        wait = scheduler.tick()
    assert _at("beat") == NOW
    assert 0 < wait <= beat.HEARTBEAT_SECONDS
    assert _at("worker") is None
    # Within 30 seconds, no write; after them, one.
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, 10, tzinfo=UTC), tick=False):
        scheduler.tick()
    assert _at("beat") == NOW
    scheduler._last_heartbeat -= beat.HEARTBEAT_SECONDS
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, 31, tzinfo=UTC), tick=False):
        scheduler.tick()
    assert _at("beat") == datetime(2026, 12, 1, 15, 0, 31, tzinfo=UTC)


@pytest.mark.django_db
def test_beat_keeps_scheduling_when_its_heartbeat_cannot_be_written(monkeypatch):
    def down(name):
        raise ConnectionError("database down")

    monkeypatch.setattr(beat, "heartbeat", down)
    scheduler = Scheduler(app=app, schedule={}, lazy=True)
    assert 0 < scheduler.tick() <= beat.HEARTBEAT_SECONDS
    assert scheduler._last_heartbeat == 0.0  # tried again at the next tick


class Timer:
    def __init__(self):
        self.calls = []

    def call_repeatedly(self, seconds, function):
        self.calls.append((seconds, function))
        return self


class Worker:
    def __init__(self):
        self.timer = Timer()


@pytest.mark.django_db
def test_a_worker_writes_its_heartbeat_when_it_starts_and_every_30_seconds():
    worker = Worker()
    step = WorkerHeartbeat(worker)
    with time_machine.travel(NOW, tick=False):
        step.start(worker)
    assert _at("worker") == NOW
    assert _at("beat") is None
    ((seconds, function),) = worker.timer.calls
    assert seconds == beat.HEARTBEAT_SECONDS
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, 30, tzinfo=UTC), tick=False):
        function()
    assert _at("worker") == datetime(2026, 12, 1, 15, 0, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_a_workers_heartbeat_failing_does_not_stop_the_worker(monkeypatch):
    monkeypatch.setattr(
        beat, "heartbeat", lambda name: (_ for _ in ()).throw(ConnectionError("down"))
    )
    WorkerHeartbeat(Worker())._beat()
    assert _at("worker") is None


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_one_gets_the_lock_the_other_skips():
    tried, done = threading.Barrier(2), threading.Barrier(2)
    held = []

    def run():
        try:
            with single_run("session-reminders") as mine:
                held.append(mine)
                tried.wait(timeout=10)  # both asked while the first still holds it
            done.wait(timeout=10)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(held) == [False, True]


@pytest.mark.django_db(transaction=True)
def test_the_lock_ends_with_its_run_and_names_do_not_share_it():
    # Names whose CRC-32 is above 2**31 too (int4 keys): "session-reminders" is one.
    with single_run("session-reminders") as first:
        assert first is True
    with single_run("session-reminders") as again:
        assert again is True
        with single_run("staff-digest") as other:
            assert other is True
