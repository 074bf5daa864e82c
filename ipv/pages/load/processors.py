"""What the machine's processors did while a load run was counted: how busy they were, and
who used them — the site (gunicorn and its workers), PostgreSQL, Locust, and the rest. A missed
target while the processors were busy is the machine's limit; with processors to spare, it is a
wait somewhere in the site (a lock, a pool, a worker too few).

Shares are of the machine's whole capacity (every core for the whole time): 100 % is every
core busy throughout. Read with psutil, from snapshots taken while Locust runs (a process that
has exited can no longer be read)."""

import time
from dataclasses import dataclass

import psutil

# How often the last snapshot is taken again while Locust runs: the count ends at most this long
# before Locust does.
EVERY_SECONDS = 5.0
# The fields of psutil.cpu_times() that are not work: idle, and waiting for a disk.
NOT_BUSY = ("idle", "iowait")
# Linux counts a guest's time in user and nice already (psutil leaves it out of the total too).
COUNTED_TWICE = ("guest", "guest_nice")


@dataclass(frozen=True)
class Snapshot:
    """When (time.monotonic()), and the processor-seconds worked until then: by the whole
    machine, the site's processes, Locust's and PostgreSQL's."""

    at: float
    busy: float
    site: float
    locust: float
    database: float


def tree_seconds(pid: int) -> float:
    """Processor-seconds used by the process `pid` and its descendants, those alive now and
    those that have ended (a gunicorn worker replaced)."""

    def processes():
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]

    try:
        return _stable_sum(processes)
    except psutil.NoSuchProcess:
        return 0.0


def database_seconds() -> float:
    """Processor-seconds of PostgreSQL (embedded or not): its processes alive now, and the
    connections that have ended (a web process reconnects once its connection is a minute
    old), which the server's main process counts as its children's."""
    return _stable_sum(
        lambda: [
            process
            for process in psutil.process_iter(["name"])
            if process.info["name"] == "postgres"
        ]
    )


# Readings of a set of processes taken again when a process ended or started meanwhile.
ATTEMPTS = 5


def _stable_sum(processes) -> float:
    """The sum of `processes()`'s times, read while none of them ended or started: a process
    that ends after its parent was read and before it is would be counted by neither (its time
    passes to its parent's children's), and the share it belongs to would drop."""
    for _attempt in range(ATTEMPTS):
        before = processes()
        total = sum(_seconds(process) for process in before)
        if {process.pid for process in processes()} == {process.pid for process in before}:
            break
    return total


def _seconds(process) -> float:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    # A child's time is its parent's once the child has ended and been waited for.
    return times.user + times.system + times.children_user + times.children_system


def machine_busy_seconds() -> float:
    times = psutil.cpu_times()._asdict()
    return sum(seconds for field, seconds in times.items() if field not in NOT_BUSY + COUNTED_TWICE)


def snapshot(*, site: int, locust: int) -> Snapshot:
    return Snapshot(
        at=time.monotonic(),
        busy=machine_busy_seconds(),
        site=tree_seconds(site),
        locust=tree_seconds(locust),
        database=database_seconds(),
    )


def shares(first: Snapshot, last: Snapshot, cores: int) -> dict:
    """Each one's share of the machine's capacity between two snapshots, in percent; the rest is
    what the machine did besides the three (Redis, the system, anything else running)."""
    capacity = (last.at - first.at) * cores
    if capacity <= 0:
        raise ValueError("the snapshots are not in order")

    def share(seconds: float) -> float:
        return round(100 * seconds / capacity, 1)

    used = {
        "site": last.site - first.site,
        "database": last.database - first.database,
        "locust": last.locust - first.locust,
    }
    busy = last.busy - first.busy
    return {
        "cores": cores,
        "seconds": round(last.at - first.at, 1),
        "busy": share(busy),
        **{name: share(seconds) for name, seconds in used.items()},
        "rest": share(max(0.0, busy - sum(used.values()))),
    }


class Meter:
    """Snapshots while Locust runs: the first once `after` seconds have passed (everyone has
    started), then the last again every EVERY_SECONDS. `tick()` is called as the run is waited
    for; `result()` once it has ended (None when the run ended before two snapshots)."""

    def __init__(self, *, site: int, locust: int, after: float):
        self.site, self.locust = site, locust
        self.start = time.monotonic() + after
        self.first = self.last = None

    def tick(self) -> None:
        now = time.monotonic()
        if now < self.start:
            return
        if self.first is None:
            self.first = snapshot(site=self.site, locust=self.locust)
        elif self.last is None or now - self.last.at >= EVERY_SECONDS:
            self.last = snapshot(site=self.site, locust=self.locust)

    def result(self) -> dict | None:
        if self.first is None or self.last is None:
            return None
        return shares(self.first, self.last, psutil.cpu_count() or 1)
