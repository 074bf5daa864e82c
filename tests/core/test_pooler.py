"""Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer) a server connection is ours
for one transaction only: the settings turn off what would outlive one, and the code leaves no
session-level state (a setting, an advisory lock) on the connection after its statements."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from ipv.notifications import sending
from ipv.notifications.models import Channel, Kind, OutboxMessage, State
from ipv.notifications.services import Draft, messages_write
from referrals.services import milestones

SHOW = (
    "import json; from django.conf import settings;"
    "print(json.dumps({alias: {'cursors': db.get('DISABLE_SERVER_SIDE_CURSORS', False),"
    " 'options': db.get('OPTIONS', {}), 'host': db['HOST']}"
    " for alias, db in settings.DATABASES.items()}))"
)


def _settings(**env):
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": "postgres://ipv_app:secret@pgbouncer:6432/ipv",
            "DATABASE_REPLICA_URL": "postgres://ipv_app:secret@replica:5432/ipv",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            **env,
        },
        capture_output=True,
        text=True,
    )
    return result


def test_pgbouncer_turns_off_server_side_cursors_and_prepared_statements_everywhere():
    found = json.loads(_settings(DATABASE_POOLER="pgbouncer").stdout)
    assert set(found) == {"default", "replica"}
    for alias, database in found.items():
        assert database["cursors"] is True, alias
        assert database["options"]["prepare_threshold"] is None, alias
        assert database["options"]["server_side_binding"] is False, alias
    assert found["default"]["host"] == "pgbouncer"


def test_without_a_pooler_server_side_cursors_stay_on():
    found = json.loads(_settings().stdout)
    assert found["default"]["cursors"] is False
    assert "server_side_binding" not in found["default"]["options"]


def test_an_unknown_pooler_is_refused_at_start():
    result = _settings(DATABASE_POOLER="pgpool")
    assert result.returncode != 0
    assert "DATABASE_POOLER" in result.stderr


SOURCES = ("ipv", "directory", "referrals", "sessions_app", "fees", "victims")
# Run by the owner at migrate time or against the embedded server, never through the pooler.
DIRECT = {"ipv/core/embedded.py", "ipv/core/roles.py"}
SESSION_STATE = re.compile(
    r"""execute\(\s*f?["'](?:SET|RESET)\s+(?!LOCAL\b|DEFAULT\b)[a-z_]+\b|pg_advisory_lock(?:_shared)?\(|"""
    r"""\bLISTEN\s|\bNOTIFY\s|WITH\s+HOLD|CREATE\s+(?:TEMP|TEMPORARY)\s|\bPREPARE\s""",
)


def _session_state_lines():
    found = []
    for top in SOURCES:
        for path in Path(settings.BASE_DIR, top).rglob("*.py"):
            relative = path.relative_to(settings.BASE_DIR).as_posix()
            if "/migrations/" in relative or relative in DIRECT:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SESSION_STATE.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_the_code_sets_nothing_for_the_session():
    """Session-level SET, advisory locks held across statements, LISTEN, WITH HOLD cursors,
    temporary tables, PREPARE: each would stay on a pooled connection. The one session lock
    left is taken and given back inside a single statement (referrals.services.milestones)."""
    found = [
        line
        for line in _session_state_lines()
        if "pg_advisory_unlock(%s) FROM (SELECT pg_advisory_lock(%s)" not in line
    ]
    assert found == []


def test_the_scan_finds_session_state_where_there_is_some():
    """Positive control: the pattern does match the forms it forbids."""
    for forbidden in (
        'cursor.execute("SET synchronous_commit TO off")',
        'cursor.execute("RESET synchronous_commit")',
        'cursor.execute("SELECT pg_advisory_lock(%s)", [1])',
        'cursor.execute("LISTEN outbox")',
        'cursor.execute("DECLARE c CURSOR WITH HOLD FOR SELECT 1")',
        'cursor.execute("CREATE TEMP TABLE t (id int)")',
    ):
        assert SESSION_STATE.search(forbidden), forbidden
    assert not SESSION_STATE.search('cursor.execute("SET LOCAL synchronous_commit TO off")')
    assert not SESSION_STATE.search("SELECT pg_advisory_xact_lock(%s)")


def _advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_sending_and_reading_milestones_leave_the_connection_as_they_found_it(mailoutbox):
    with transaction.atomic():
        messages_write(
            [
                Draft(
                    key="pooler:0001",
                    channel=Channel.EMAIL,
                    to="person@example.org",
                    template="invitation",
                    context={
                        "invitation": {"full_name": "", "agency": None},
                        "url": "https://x.test/",
                        "days": 7,
                    },
                    language="fr",
                    kind=Kind.ACCOUNT,
                )
            ]
        )
    assert _synchronous_commit() == "on"  # positive control: the server's default

    sending.send_due()  # the commit already had it sent (tasks run inline): nothing left
    milestones._settled_high_water()

    assert OutboxMessage.objects.get(key="pooler:0001").state == State.SENT
    assert len(mailoutbox) == 1
    assert _synchronous_commit() == "on"
    assert _advisory_locks_held() == 0
