"""The restore drill: the demo data backed up (`manage.py backup`: pg_dump, encrypted with age),
restored (`manage.py restore`) into a new, empty database on the same server, and the copy
checked — every table's row count, a checksum of every case, ledger and confidential table
(history included), the victims' details read back with the field key, the audit and ledger
tables still refusing UPDATE and DELETE to the application role, the confidential store's
row-level security still forced. Then what a restore must refuse: a wrong key, an altered file,
a database already in use.

One backup and one restore for the module (the demo is loaded and committed once, and the test
database emptied again at the end, as a transactional test leaves it)."""

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import override_settings
from psycopg import errors, sql
from pyrage import x25519

from ipv.core.backup import backup_recipient, backups_list, backups_prune, identity_from_raw
from victims.models import Victim

# Every test of the module in one group of pytest-django's order (database tests first), so
# that the drill is made once: a module split between two groups would make it twice.
pytestmark = pytest.mark.django_db

# The tables whose every row is compared, not only counted: the case (referrals, the program),
# the ledger (fees) and the confidential store (victims), their history tables included.
COMPARED = ("referrals_", "sessions_app_", "fees_", "victims_")
# Must hold rows in the demo, or a comparison of empty tables would prove nothing.
NOT_EMPTY = (
    "referrals_referral",
    "referrals_timelineentry",
    "sessions_app_attendance",
    "fees_ledgerentry",
    "victims_victim",
    "victims_contact",
    "audit_auditevent",
)
APPEND_ONLY = ("audit_auditevent", "fees_ledgerentry")


def _params(database, user=None, password=None) -> dict:
    params = {**connection.get_connection_params(), "dbname": database}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    if user:
        params.update(user=user, password=password)
    return params


def _connect(database, user=None, password=None):
    return psycopg.connect(**_params(database, user, password), autocommit=True)


def _url(database, user=None, password=None) -> str:
    params = _params(database, user, password)
    host = params.get("host") or ""
    query = f"?host={host}" if host.startswith("/") else ""
    server = "" if query else f"{host}:{params.get('port') or 5432}"
    return f"postgres://{params['user']}:{params.get('password') or ''}@{server}/{database}{query}"


def _tables(conn) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1"
        )
    ]


def _counts(conn) -> dict[str, int]:
    return {
        table: conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in _tables(conn)
    }


def _checksums(conn) -> dict[str, str]:
    return {
        table: conn.execute(
            sql.SQL(
                "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
            ).format(sql.Identifier(table))
        ).fetchone()[0]
        for table in _tables(conn)
        if table.startswith(COMPARED)
    }


def _row_security(conn) -> dict[str, tuple[bool, bool, int]]:
    """For each table of the confidential store: RLS enabled, forced, and its policies."""
    rows = conn.execute(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
        " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'victims\\_%'"
    )
    return {name: (enabled, forced, policies) for name, enabled, forced, policies in rows}


def _victims(alias) -> list[tuple]:
    """The victims' details as the site reads them (decrypted with the field key)."""
    return list(
        Victim._base_manager.using(alias)
        .order_by("pk")
        .values_list("pk", "full_name", "phone", "email", "address")
    )


@dataclass
class Drill:
    directory: Path
    restored: str
    empty: str
    app_role: str
    app_password: str
    restore_output: str
    counts: tuple[dict, dict]
    checksums: tuple[dict, dict]
    row_security: tuple[dict, dict]
    victims: tuple[list, list]


def _database_create(name):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')


@pytest.fixture(scope="module")
def key():
    return x25519.Identity.generate()


@pytest.fixture(scope="module")
def drill(django_db_setup, django_db_blocker, tmp_path_factory, key):
    source = connection.settings_dict["NAME"]
    assert source.startswith("test_"), "the drill loads the demo: only into a test database"
    restored, empty = f"{source}_restored", f"{source}_empty"
    app_role, app_password = f"{source}_restored_app", secrets.token_urlsafe(16)
    directory = tmp_path_factory.mktemp("backups")
    with django_db_blocker.unblock():
        if connection.pg_version < 180000:
            pytest.skip("the restore drill needs PostgreSQL 18, as the embedded server is")
        try:
            with override_settings(
                IPV_BACKUP_KEY=str(key),
                IPV_BACKUP_RECIPIENT="",
                # The application role the restore makes and grants, as `migrate` would.
                DATABASE_APP_URL=_url(restored, app_role, app_password),
            ):
                _database_create(restored)
                _database_create(empty)
                with override_settings(DEBUG=True):
                    call_command("load_demo", verbosity=0)
                call_command("backup", dir=directory, keep=0, stdout=StringIO())
                (backup,) = backups_list(directory)
                # The source as it was backed up (nothing writes to it from here on).
                with _connect(source) as before:
                    measured = {
                        "counts": [_counts(before)],
                        "checksums": [_checksums(before)],
                        "row_security": [_row_security(before)],
                    }
                victims = [_victims("default")]
                output = StringIO()
                call_command(
                    "restore", str(backup.path), database_url=_url(restored), stdout=output
                )
                with _connect(restored) as after:
                    measured["counts"].append(_counts(after))
                    measured["checksums"].append(_checksums(after))
                    measured["row_security"].append(_row_security(after))
                backend = load_backend(connection.settings_dict["ENGINE"])
                connections["restored"] = backend.DatabaseWrapper(
                    {**connection.settings_dict, "NAME": restored}, "restored"
                )
                try:
                    victims.append(_victims("restored"))
                finally:
                    connections["restored"].close()
                    del connections["restored"]
                yield Drill(
                    directory=directory,
                    restored=restored,
                    empty=empty,
                    app_role=app_role,
                    app_password=app_password,
                    restore_output=output.getvalue(),
                    victims=tuple(victims),
                    **{name: tuple(pair) for name, pair in measured.items()},
                )
        finally:
            with connection.cursor() as cursor:
                for name in (restored, empty):
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'DROP ROLE IF EXISTS "{app_role}"')
            # What the demo wrote goes, as a transactional test leaves the database.
            call_command("flush", interactive=False, verbosity=0)


def test_every_table_of_the_restored_database_has_the_same_number_of_rows(drill):
    before, after = drill.counts
    assert after == before
    for table in NOT_EMPTY:
        assert before[table] > 0, table


def test_the_case_ledger_and_confidential_tables_are_restored_row_for_row(drill):
    before, after = drill.checksums
    assert after == before
    assert {"referrals_referral", "fees_ledgerentry", "victims_victim"} <= set(before)
    assert any(t.startswith("victims_") and t.endswith("event") for t in before)


def test_the_victims_details_decrypt_with_the_field_key_in_the_restored_database(drill):
    source, restored = drill.victims
    assert restored == source
    assert all(name for _pk, name, *_ in restored) and len(restored) >= 2


def test_the_victims_details_stay_encrypted_at_rest_in_the_restored_database(drill):
    source, _restored = drill.victims
    names = {name for _pk, name, *_ in source}
    with _connect(drill.restored) as conn:
        stored = {row[0] for row in conn.execute("SELECT full_name FROM victims_victim")}
    assert stored and not stored & names


def test_the_restore_says_the_migrations_match_the_code(drill):
    assert "migrations match this code" in drill.restore_output
    assert "field encryption key opens" in drill.restore_output


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_restored_audit_and_ledger_refuse_update_and_delete_to_the_application_role(
    drill, table, statement
):
    with _connect(drill.restored, drill.app_role, drill.app_password) as app:
        # Positive controls: the role was made and granted, reads these rows and may change an
        # ordinary table.
        assert app.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        assert app.execute("UPDATE directory_region SET position = position").rowcount > 0
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute(sql.SQL(statement).format(table=sql.Identifier(table)))


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_restored_audit_and_ledger_triggers_refuse_even_the_owner(drill, table):
    with _connect(drill.restored) as owner:
        count = owner.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        with pytest.raises(errors.RaiseException):
            owner.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
        assert owner.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone() == (count,)


def test_the_restored_confidential_store_keeps_its_forced_row_level_security(drill):
    before, after = drill.row_security
    assert after == before
    assert "victims_victim" in after
    assert all(enabled and forced and policies for enabled, forced, policies in after.values())
    with _connect(drill.restored, drill.app_role, drill.app_password) as app:
        assert app.execute("SELECT count(*) FROM victims_victim").fetchone() == (0,)
    with _connect(drill.restored) as owner:
        agency = owner.execute("SELECT min(agency_id) FROM victims_victim").fetchone()[0]
    with _connect(drill.restored, drill.app_role, drill.app_password) as app, app.transaction():
        app.execute("SELECT set_config('ipv.agencies', %s, true)", [str(agency)])
        assert app.execute("SELECT count(*) FROM victims_victim").fetchone()[0] > 0


def _empty(database) -> bool:
    with _connect(database) as conn:
        return not _tables(conn)


def test_a_wrong_backup_key_is_refused_with_a_clear_error(drill, tmp_path):
    (backup,) = backups_list(drill.directory)
    other = tmp_path / "other-key.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    with pytest.raises(CommandError, match="backup key does not open"):
        call_command("restore", str(backup.path), database_url=_url(drill.empty), key_file=other)
    assert _empty(drill.empty)


def test_a_wrong_key_is_refused_by_age_even_without_the_manifests_word(drill, tmp_path):
    (backup,) = backups_list(drill.directory)
    manifest = {**backup.manifest}
    del manifest["recipient"]
    (tmp_path / backup.path.name).symlink_to(backup.path)
    (tmp_path / backup.manifest_path.name).write_text(json.dumps(manifest))
    other = tmp_path / "other-key.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    with pytest.raises(CommandError, match="No matching keys"):
        call_command(
            "restore",
            str(tmp_path / backup.path.name),
            database_url=_url(drill.empty),
            key_file=other,
        )
    assert _empty(drill.empty)


def test_an_altered_backup_fails_its_checksum_and_is_not_restored(drill, tmp_path):
    (backup,) = backups_list(drill.directory)
    altered = tmp_path / backup.path.name
    data = bytearray(backup.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(data))
    (tmp_path / backup.manifest_path.name).write_text(backup.manifest_path.read_text())
    with pytest.raises(CommandError, match="does not match its manifest's SHA-256"):
        call_command("restore", str(altered), database_url=_url(drill.empty))
    assert _empty(drill.empty)


def test_a_database_in_use_is_never_restored_over(drill):
    (backup,) = backups_list(drill.directory)
    before = drill.counts[1]["referrals_referral"]
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup.path), database_url=_url(drill.restored))
    # Named alone: on the server, and as the owner, of DATABASE_OWNER_URL.
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup.path), database_name=drill.restored)
    with _connect(drill.restored) as conn:
        assert conn.execute("SELECT count(*) FROM referrals_referral").fetchone() == (before,)


def test_backup_check_gives_the_latest_backups_age_and_fails_once_it_is_too_old(drill):
    out = StringIO()
    call_command("backup_check", dir=drill.directory, stdout=out)
    assert "Latest backup ipv-" in out.getvalue() and " ok " in out.getvalue()
    with time_machine.travel(timedelta(hours=27)), pytest.raises(CommandError, match="hours old"):
        call_command("backup_check", dir=drill.directory, stdout=StringIO())


def test_backup_check_fails_on_an_altered_backup(drill, tmp_path):
    (backup,) = backups_list(drill.directory)
    data = bytearray(backup.path.read_bytes())
    data[-1] ^= 0x01
    (tmp_path / backup.path.name).write_bytes(bytes(data))
    (tmp_path / backup.manifest_path.name).write_text(backup.manifest_path.read_text())
    out = StringIO()
    with pytest.raises(CommandError, match="does not match its manifest's SHA-256"):
        call_command("backup_check", dir=tmp_path, stdout=out)
    assert "DAMAGED" in out.getvalue()


# Keys: no backup without one, never the field key --------------------------------------------


def test_no_backup_is_written_without_a_backup_key(settings, tmp_path):
    settings.IPV_BACKUP_KEY = settings.IPV_BACKUP_RECIPIENT = ""
    with pytest.raises(CommandError, match="IPV_BACKUP_RECIPIENT"):
        call_command("backup", dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def _field_key_bytes() -> bytes:
    return base64.urlsafe_b64decode(settings.IPV_FIELD_ENCRYPTION_KEYS[0])


@pytest.mark.parametrize(
    "made_from_the_field_key",
    [_field_key_bytes, lambda: hashlib.sha256(_field_key_bytes()).digest()],
    ids=["the-same-bytes", "its-sha256"],
)
def test_a_backup_key_made_from_the_field_key_is_refused(
    settings, tmp_path, made_from_the_field_key
):
    identity = identity_from_raw(made_from_the_field_key())
    settings.IPV_BACKUP_RECIPIENT = ""
    settings.IPV_BACKUP_KEY = str(identity)
    with pytest.raises(CommandError, match="field encryption key"):
        call_command("backup", dir=tmp_path)
    # Its public half alone, as a backup server would hold it, is refused too.
    settings.IPV_BACKUP_KEY = ""
    settings.IPV_BACKUP_RECIPIENT = str(identity.to_public())
    with pytest.raises(CommandError, match="field encryption key"):
        call_command("backup", dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    # Positive control: a key of its own is taken, from either half.
    own = x25519.Identity.generate()
    settings.IPV_BACKUP_RECIPIENT = str(own.to_public())
    assert str(backup_recipient()) == str(own.to_public())
    settings.IPV_BACKUP_RECIPIENT, settings.IPV_BACKUP_KEY = "", str(own)
    assert str(backup_recipient()) == str(own.to_public())


def test_backup_key_makes_a_pair_whose_private_half_is_written_for_its_owner_alone(tmp_path):
    path = tmp_path / "key.txt"
    out = StringIO()
    call_command("backup_key", output=path, stdout=out)
    identity = x25519.Identity.from_str(path.read_text().splitlines()[-1])
    assert f"IPV_BACKUP_RECIPIENT={identity.to_public()}" in out.getvalue()
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="exists"):
        call_command("backup_key", output=path, stdout=StringIO())


# Retention ----------------------------------------------------------------------------------


def _fake_backup(directory: Path, stem: str, created_at: str):
    (directory / f"{stem}.dump.age").write_bytes(b"age")
    manifest = {"file": f"{stem}.dump.age", "created_at": created_at, "size": 3, "sha256": ""}
    (directory / f"{stem}.json").write_text(json.dumps(manifest))


def test_keep_deletes_the_oldest_backups_by_their_manifests_time(tmp_path):
    # Named out of order on purpose: the manifest's time decides, not the name.
    _fake_backup(tmp_path, "ipv-c", "2026-11-28T02:00:00+00:00")
    _fake_backup(tmp_path, "ipv-a", "2026-11-30T02:00:00+00:00")
    _fake_backup(tmp_path, "ipv-b", "2026-11-29T02:00:00+00:00")
    (tmp_path / "notes.txt").write_text("not a backup")

    assert backups_prune(tmp_path, 0) == []  # 0 keeps every one
    assert backups_prune(tmp_path, 2) == ["ipv-c.dump.age"]

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ipv-a.dump.age",
        "ipv-a.json",
        "ipv-b.dump.age",
        "ipv-b.json",
        "notes.txt",
    ]
