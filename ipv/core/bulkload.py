"""Loading a large data set fast, as `make bench` does: rows streamed with PostgreSQL's COPY into
tables whose secondary indexes, unique and foreign-key constraints are set aside during the load
and built again after it (as pg_restore does: one sort per index, one join per foreign key,
instead of a lookup per row), then ANALYZE.

Every constraint still holds at the end: the check constraints are checked row by row during the
load, and the unique and foreign-key constraints are checked whole when they are added back (a
violation stops the load). Columns the caller does not give are filled with the model's default,
prepared once (so an encrypted default is encrypted once); generated columns are the database's.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pgtrigger
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql


def history_triggers(model) -> list[str]:
    """pgtrigger's URIs of the row-history triggers (pghistory's) of `model`."""
    uris = []
    for trigger in getattr(model._meta, "triggers", []):
        if type(trigger).__module__.startswith("pghistory"):
            uris.append(f"{model._meta.label}:{trigger.name}")
    return uris


def _constants(model, given: list[str]) -> tuple[list[str], tuple]:
    """The columns `given` leaves out, with the value each takes: the model's default (prepared
    for the database), now for auto_now fields, NULL where allowed."""
    columns, values = [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        column = field.column
        if column in given or field.primary_key or getattr(field, "generated", False):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        elif isinstance(field, models.CharField | models.TextField):
            value = field.get_db_prep_save("", connection)
        else:
            raise ValueError(f"{model._meta.label}.{field.name} needs a value")
        columns.append(column)
        values.append(value)
    return columns, tuple(values)


def copy(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY `rows` (tuples of the `columns`' database values) into `model`'s table; returns how
    many. Inside a transaction: the history triggers are ignored for it (the rows are the
    data set's, not changes anyone made)."""
    extra, constants = _constants(model, columns)
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
        table=sql.Identifier(model._meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(column) for column in [*columns, *extra]),
    )
    count = 0
    with pgtrigger.ignore(*history_triggers(model)), connection.cursor() as cursor:
        # pgtrigger's setting is local to the transaction: a statement through Django's cursor
        # sets it, then COPY (psycopg's own) runs in the same transaction.
        cursor.execute("SELECT 1")
        with cursor.cursor.copy(statement) as load:
            for row in rows:
                load.write_row(row + constants)
                count += 1
    return count


def reserve_ids(model, count: int) -> Iterator[int]:
    """`count` ids of `model`'s identity column, taken from its sequence at once."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(seq, nextval(seq) + %s - 1) - %s + 1 "
            "FROM pg_get_serial_sequence(%s, 'id') AS seq",
            [count, count, table],
        )
        (first,) = cursor.fetchone()
    return iter(range(first, first + count))


def _set_aside(table: str) -> list[str]:
    """Drop the secondary indexes and the unique and foreign-key constraints of `table`;
    returns the statements that make them again."""
    again_indexes, again_constraints, drops = [], [], []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'x')
            ORDER BY contype DESC, conname
            """,
            [table],
        )
        for name, definition, kind in cursor.fetchall():
            drops.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            statement = f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
            (again_constraints if kind == "f" else again_indexes).append(statement)
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            ORDER BY c.relname
            """,
            [table],
        )
        for name, definition in cursor.fetchall():
            drops.append(f'DROP INDEX "{name}"')
            again_indexes.append(definition)
        for statement in drops:
            cursor.execute(statement)
    return again_indexes + again_constraints


@contextmanager
def loading(*models_loaded):
    """Load the block's rows into `models_loaded` without their secondary indexes and
    constraints, then build those again (checking every row) and analyse the tables."""
    tables = [model._meta.db_table for model in models_loaded]
    # One transaction: a load that fails leaves the tables as they were, indexes and all.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # PostgreSQL alters no table with checks still pending in the transaction: the
        # deferred foreign keys of rows written before are checked now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        again = [statement for table in tables for statement in _set_aside(table)]
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Indexes first (the foreign keys of one loaded table may lean on another's).
        for statement in again:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
