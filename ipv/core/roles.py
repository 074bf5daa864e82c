"""The two database roles: the owner, which runs the migrations and owns every table, and the
application role, which the site, the worker and beat connect as.

The application role is neither superuser nor owner, so it cannot disable triggers, set
`session_replication_role` or `TRUNCATE`; and it holds no UPDATE or DELETE on the tables the
database protects (audit events, history events, timeline and ledger entries), so
`pgtrigger.ignore` cannot let a change through either. A BEFORE TRUNCATE trigger refuses
TRUNCATE on those tables to any role but their owner, should a grant ever be too wide.

Both are (re)applied after every `migrate` (see `ipv.core.apps`), so tables added by later
migrations are covered.
"""

from contextlib import contextmanager

import environ
import pgtrigger
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from psycopg import sql

TRUNCATE_GUARD = "ipv_refuse_truncate"

_REFUSE_TRUNCATE = """
CREATE OR REPLACE FUNCTION ipv_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The owner may: it could drop the table anyway, and the test suite empties tables so.
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')
    THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'table % is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


_OPERATIONS = (("UPDATE", pgtrigger.Update), ("DELETE", pgtrigger.Delete))


def protected_operations() -> dict[str, set[str]]:
    """{table: {"UPDATE", "DELETE"}…}: what the database refuses on each table, whatever the
    row, as declared by the models' `pgtrigger.Protect` triggers (pghistory's event tables
    included). A conditional protection (a certificate frozen once issued) is not listed."""
    refused = {}
    for model in apps.get_models():
        for trigger in getattr(model._meta, "triggers", []):
            if isinstance(trigger, pgtrigger.Protect) and trigger.condition is None:
                operations = {
                    name
                    for name, operation in _OPERATIONS
                    if str(operation) in str(trigger.operation).split(" OR ")
                }
                refused.setdefault(model._meta.db_table, set()).update(operations)
    return refused


def append_only_tables() -> list[str]:
    """Tables whose rows are never updated nor deleted."""
    return sorted(t for t, ops in protected_operations().items() if ops >= {"UPDATE", "DELETE"})


def truncate_guard_install(connection) -> None:
    """A BEFORE TRUNCATE trigger on every append-only table."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(_REFUSE_TRUNCATE)
        for table in append_only_tables():
            cursor.execute(
                sql.SQL(
                    "CREATE OR REPLACE TRIGGER {name} BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                ).format(
                    name=sql.Identifier(TRUNCATE_GUARD),
                    table=sql.Identifier(table),
                    function=sql.Identifier(TRUNCATE_GUARD),
                )
            )


def app_role_grant(connection, role: str, password: str | None = None) -> None:
    """Create the application role if it does not exist, and give it what the site needs: all
    rows of ordinary tables, SELECT and INSERT only where rows are protected, the sequences.

    Refuses a role that is a superuser: it would bypass every rule this is about."""
    role_name = sql.Identifier(role)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # A role made beforehand (by an administrator) is used as it is. Two test workers may
        # create their databases at once: the second finds the role made by the first.
        cursor.execute(
            sql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
                "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ).format(name=sql.Literal(role), role=role_name)
        )
        cursor.execute(
            "SELECT rolsuper, (SELECT rolsuper OR rolcreaterole FROM pg_roles"
            " WHERE rolname = current_user) FROM pg_roles WHERE rolname = %s",
            [role],
        )
        superuser, may_set_password = cursor.fetchone()
        if superuser:
            raise ValueError(f"the application role {role} must not be a superuser")
        if password and may_set_password:
            cursor.execute(
                sql.SQL("ALTER ROLE {role} LOGIN PASSWORD {password}").format(
                    role=role_name, password=sql.Literal(password)
                )
            )
        database = sql.Identifier(connection.settings_dict["NAME"])
        for statement in (
            "GRANT CONNECT ON DATABASE {database} TO {role}",
            # No table of its own, temporary or not: one named like a history table, searched
            # first, would take the rows the history triggers write (they name it unqualified).
            "REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC",
            "REVOKE TEMPORARY ON DATABASE {database} FROM {role}",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            "REVOKE CREATE ON SCHEMA public FROM {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        ):
            cursor.execute(sql.SQL(statement).format(database=database, role=role_name))
        for table, operations in sorted(protected_operations().items()):
            cursor.execute(
                sql.SQL("REVOKE {operations} ON {table} FROM {role}").format(
                    operations=sql.SQL(", ").join(sql.SQL(op) for op in sorted(operations)),
                    table=sql.Identifier(table),
                    role=role_name,
                )
            )


def _credentials(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    return {key: config.get(key, "") for key in ("USER", "PASSWORD", "HOST", "PORT")}


def app_role_of(connection) -> tuple[str, str] | None:
    """(name, password) of the application role the settings name, when it is not the role of
    `connection` (with a single DATABASE_URL, the site runs as the owner, as before)."""
    app = _credentials(settings.DATABASE_APP_URL)
    if not app["USER"] or app["USER"] == connection.settings_dict["USER"]:
        return None
    return app["USER"], app["PASSWORD"]


# pgtrigger's own test of `pgtrigger.ignore`, which any role may set, with one rule first:
# only a member of the owner role (migrations, the bench's seeding) switches a trigger off.
# Otherwise the application role could lift every guard it keeps the privilege under (an issued
# certificate frozen, the separation of duties) and the history triggers themselves.
# pgtrigger writes its version again when it installs a trigger: this one follows each migrate.
_OWNER_ONLY_IGNORE = """
CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name name)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    _pgtrigger_ignore TEXT[];
BEGIN
    IF NOT pg_has_role(session_user, {owner}, 'MEMBER') THEN
        RETURN FALSE;
    END IF;
    BEGIN
        SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
        EXCEPTION WHEN OTHERS THEN
    END;
    RETURN COALESCE(trigger_name = ANY(_pgtrigger_ignore), FALSE);
END;
$$
"""


def ignore_guard_install(connection) -> None:
    """pgtrigger.ignore honoured for the owner (the role running this) alone."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
        cursor.execute(sql.SQL(_OWNER_ONLY_IGNORE).format(owner=sql.Literal(owner)))


def after_migrate(*, using, **kwargs) -> None:
    connection = connections[using]
    truncate_guard_install(connection)
    ignore_guard_install(connection)
    role = app_role_of(connection)
    if role is not None:
        app_role_grant(connection, *role)


@contextmanager
def as_owner(using: str = "default"):
    """Run the block connected as the owner (DATABASE_OWNER_URL), on the same database."""
    connection = connections[using]
    owner = _credentials(settings.DATABASE_OWNER_URL)
    saved = {key: connection.settings_dict[key] for key in owner}
    if owner["USER"] == saved["USER"]:
        yield
        return
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
