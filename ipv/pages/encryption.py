"""Re-encrypting the confidential columns under the first key of IPV_FIELD_ENCRYPTION_KEYS, so
that the keys after it can be removed (`manage.py rotate_encryption_key`).

The columns are found by reading the models (every encrypted field, whatever its app), not
from a list. Each table is read in primary-key order, a batch per transaction; a value is
written again only when the first key alone does not decrypt it (Fernet tokens name no key),
so a run stopped half-way is resumed by running it again: what it did is not done twice.
The confidential store's row-level security admits every agency for the run, and the tables'
triggers (the row history, the append-only guards) are lifted for these writes alone, which
change no value: the history records no change, and nobody's trail an event.
"""

from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import pgtrigger
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from psycopg import sql

from ipv.core.fields import encrypted_fields_of
from victims import rls


@dataclass(frozen=True)
class EncryptedTable:
    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def pk(self) -> str:
        return self.model._meta.pk.column


class Unreadable(Exception):
    """A value that no configured key decrypts."""


def encrypted_tables() -> list[EncryptedTable]:
    """Every table with encrypted columns, and those columns."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = encrypted_fields_of(model)
        if fields:
            found.append(EncryptedTable(model, tuple(field.column for field in fields)))
    return sorted(found, key=lambda table: table.name)


def _keys() -> tuple[Fernet, MultiFernet]:
    keys = [Fernet(key) for key in settings.IPV_FIELD_ENCRYPTION_KEYS]
    return keys[0], MultiFernet(keys)


def _under_first_key(first: Fernet, token: str) -> bool:
    try:
        first.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


@contextmanager
def _every_row(table: EncryptedTable):
    """A transaction that sees every agency's rows and fires none of the table's triggers."""
    uris = [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if model is table.model
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, COALESCE(string_agg(id::text, ','), ''), true)"
                " FROM directory_agency",
                [rls.SETTING],
            )
        # With no name, pgtrigger.ignore() would lift every trigger of the database.
        with pgtrigger.ignore(*uris) if uris else nullcontext():
            yield


def _batch(table: EncryptedTable, after, size: int, *, lock: bool) -> list[tuple]:
    query = sql.SQL("SELECT {pk}, {columns} FROM {table} {after} ORDER BY {pk} LIMIT %s {lock}")
    with connection.cursor() as cursor:
        cursor.execute(
            query.format(
                pk=sql.Identifier(table.pk),
                columns=sql.SQL(", ").join(map(sql.Identifier, table.columns)),
                table=sql.Identifier(table.name),
                after=sql.SQL("WHERE {} > %s").format(sql.Identifier(table.pk))
                if after is not None
                else sql.SQL(""),
                lock=sql.SQL("FOR UPDATE" if lock else ""),
            ),
            [*([after] if after is not None else []), size],
        )
        return cursor.fetchall()


def _count(table: EncryptedTable) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table.name)))
        return cursor.fetchone()[0]


def rotate_table(
    table: EncryptedTable, *, batch_size: int, progress: Callable[[int, int, int], None]
) -> int:
    """Re-encrypt under the first key every value of `table` that the first key does not
    decrypt, `batch_size` rows per transaction. Calls progress(done, total, rotated) after each
    batch; returns the number of values encrypted again."""
    first, every = _keys()
    with _every_row(table):
        total = _count(table)
    done = rotated = 0
    after = None
    while True:
        with _every_row(table), connection.cursor() as cursor:
            rows = _batch(table, after, batch_size, lock=True)
            for pk, *tokens in rows:
                fresh = {}
                for column, token in zip(table.columns, tokens, strict=True):
                    if token and not _under_first_key(first, token):
                        try:
                            fresh[column] = every.rotate(token.encode()).decode()
                        except InvalidToken:
                            raise Unreadable(f"{table.name} #{pk}: {column}") from None
                if fresh:
                    cursor.execute(
                        sql.SQL("UPDATE {table} SET {values} WHERE {pk} = %s").format(
                            table=sql.Identifier(table.name),
                            values=sql.SQL(", ").join(
                                sql.SQL("{} = %s").format(sql.Identifier(column))
                                for column in fresh
                            ),
                            pk=sql.Identifier(table.pk),
                        ),
                        [*fresh.values(), pk],
                    )
                    rotated += len(fresh)
        if not rows:
            return rotated
        done += len(rows)
        after = rows[-1][0]
        progress(done, max(total, done), rotated)


def values_left(table: EncryptedTable, *, batch_size: int = 500) -> Counter:
    """How many values of `table` the first key does not decrypt ("old"), and of those, how
    many no configured key does ("unreadable")."""
    first, every = _keys()
    left = Counter()
    after = None
    while True:
        with _every_row(table):
            rows = _batch(table, after, batch_size, lock=False)
        if not rows:
            return left
        for _pk, *tokens in rows:
            for token in tokens:
                if token and not _under_first_key(first, token):
                    left["old"] += 1
                    try:
                        every.decrypt(token.encode())
                    except InvalidToken:
                        left["unreadable"] += 1
        after = rows[-1][0]
