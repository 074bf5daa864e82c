"""What `make load` says the machine's processors did while it counted: shares of the whole
machine, from snapshots of real processes (ipv.pages.load.processors)."""

import subprocess
import sys
import time

import psutil
import pytest

from ipv.pages.load import processors
from ipv.pages.load.processors import Snapshot

# A process that works for `seconds` of wall time, and one that sleeps as long.
WORK = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
SLEEP = "import time\ntime.sleep({seconds})"


def started(code: str, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code.format(seconds=seconds)])


def test_each_share_is_of_every_core_for_the_whole_time():
    first = Snapshot(at=10.0, busy=100.0, site=5.0, locust=1.0, database=2.0)
    # 20 s on 2 cores: 40 processor-seconds, of which 30 worked.
    last = Snapshot(at=30.0, busy=130.0, site=25.0, locust=2.0, database=6.0)
    assert processors.shares(first, last, cores=2) == {
        "cores": 2,
        "seconds": 20.0,
        "busy": 75.0,
        "site": 50.0,
        "database": 10.0,
        "locust": 2.5,
        "rest": 12.5,
    }


def test_the_rest_is_never_negative_when_readings_disagree_slightly():
    """Processes' and the machine's counters are read a moment apart."""
    first = Snapshot(at=0.0, busy=0.0, site=0.0, locust=0.0, database=0.0)
    last = Snapshot(at=10.0, busy=10.0, site=10.2, locust=0.0, database=0.0)
    assert processors.shares(first, last, cores=1)["rest"] == 0.0


def test_snapshots_out_of_order_are_refused():
    same = Snapshot(at=5.0, busy=0.0, site=0.0, locust=0.0, database=0.0)
    with pytest.raises(ValueError):
        processors.shares(same, same, cores=2)


def test_a_working_process_is_counted_a_sleeping_one_hardly():
    """Read from the running processes, as the machine's own counters are."""
    worker = started(WORK, 1.5)
    sleeper = started(SLEEP, 3)
    try:
        before = processors.snapshot(site=worker.pid, locust=sleeper.pid)
        time.sleep(1.2)
        after = processors.snapshot(site=worker.pid, locust=sleeper.pid)
    finally:
        for process in (worker, sleeper):
            process.kill()
            process.wait()
    assert after.site - before.site > 0.2
    assert after.locust - before.locust < 0.1
    # The machine worked at least as much as the worker did.
    assert after.busy - before.busy >= after.site - before.site - 0.1


def test_children_of_the_site_are_counted():
    parent = started(
        "import subprocess, sys\n"
        f"subprocess.run([sys.executable, '-c', {WORK.format(seconds=2)!r}])",
        0,
    )
    try:
        time.sleep(0.3)
        before = processors.tree_seconds(parent.pid)
        time.sleep(1.0)
        after = processors.tree_seconds(parent.pid)
    finally:
        for child in psutil.Process(parent.pid).children(recursive=True):
            child.kill()
        parent.kill()
        parent.wait()
    # The parent itself only waits: the time is its child's.
    assert after - before > 0.2


def test_a_process_gone_counts_nothing():
    gone = started(SLEEP, 0)
    gone.wait()
    assert processors.tree_seconds(gone.pid) == 0.0


def test_the_meter_reads_once_everyone_has_started_and_until_the_end(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(processors.time, "monotonic", lambda: clock[0])
    taken = []

    def snapshot(*, site, locust):
        taken.append(clock[0])
        return Snapshot(at=clock[0], busy=clock[0], site=clock[0] / 2, locust=0.0, database=0.0)

    monkeypatch.setattr(processors, "snapshot", snapshot)
    monkeypatch.setattr(psutil, "cpu_count", lambda: 1)
    meter = processors.Meter(site=1, locust=2, after=10)
    for moment in (100.0, 105.0, 109.5):  # people still starting: nothing read
        clock[0] = moment
        meter.tick()
    assert taken == [] and meter.result() is None
    for moment in (110.0, 110.5, 111.0, 115.5, 130.0):
        clock[0] = moment
        meter.tick()
    # The first when the count starts, then the last again every EVERY_SECONDS.
    assert taken == [110.0, 110.5, 115.5, 130.0]
    assert meter.result() == {
        "cores": 1,
        "seconds": 20.0,
        "busy": 100.0,
        "site": 50.0,
        "database": 0.0,
        "locust": 0.0,
        "rest": 50.0,
    }


def test_children_that_have_ended_still_count():
    """PostgreSQL's connections end and are replaced during a run (a web process reconnects
    once its connection is a minute old): their time, which the server's main process then
    counts as its children's, is not lost."""
    parent = started(
        "import subprocess, sys, time\n"
        f"subprocess.run([sys.executable, '-c', {WORK.format(seconds=1)!r}])\n"
        "time.sleep(3)",
        0,
    )
    try:
        time.sleep(0.2)
        before = processors.tree_seconds(parent.pid)
        time.sleep(1.5)  # the child has worked, ended and been waited for
        assert psutil.Process(parent.pid).children() == []
        after = processors.tree_seconds(parent.pid)
    finally:
        parent.kill()
        parent.wait()
    assert after - before > 0.2


def test_a_child_ending_while_its_tree_is_read_is_not_lost(monkeypatch):
    """The parent is read, then its child ends and is waited for before being read: the child's
    time is then in neither reading. The tree is read again until no process came or went."""
    parent = started(
        "import subprocess, sys, time\n"
        f"subprocess.run([sys.executable, '-c', {WORK.format(seconds=1)!r}])\n"
        "time.sleep(5)",
        0,
    )
    read = processors._seconds
    first_read = []

    def slow(process):
        seconds = read(process)
        if process.pid == parent.pid and not first_read:
            first_read.append(seconds)
            time.sleep(1.5)  # the child finishes its work, ends and is waited for
        return seconds

    try:
        time.sleep(0.2)
        monkeypatch.setattr(processors, "_seconds", slow)
        counted = processors.tree_seconds(parent.pid)
    finally:
        parent.kill()
        parent.wait()
    # The parent alone only waited; the child's second of work is counted.
    assert first_read[0] < 0.2
    assert counted > 0.5
