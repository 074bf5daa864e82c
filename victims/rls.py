"""Row-level security, the backstop behind the scoped selectors: every table of the
confidential store (history tables included) admits only the rows of the agencies the
application named for the current transaction. A query that forgot to scope itself, or ran
without naming an agency, sees no row and cannot write one.

The application role is neither superuser nor owner, and the policies are FORCEd, so they hold
for it (and for the owner). A superuser bypasses them: that is PostgreSQL's rule; the site
never connects as one (ipv.core.roles). The agencies are named with `set_config(…, true)`,
which ends with the transaction: a pooled connection carries nothing to the next request.
"""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection, connections, transaction
from psycopg import sql

from directory.models import Agency

SETTING = "ipv.agencies"
POLICY = "agency_only"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ipv_agencies() RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT string_to_array(NULLIF(current_setting('{SETTING}', true), ''), ',')::bigint[]
$$
"""


def confidential_tables() -> list[str]:
    """Every table of the confidential store: each model of `victims`, its history too."""
    return sorted(
        model._meta.db_table
        for model in apps.get_app_config("victims").get_models()
        if not model._meta.proxy and model._meta.managed
    )


def install(connection) -> None:
    """Enable, force and (re)write the policy on each confidential table."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(_FUNCTION)
        for table in confidential_tables():
            name = sql.Identifier(table)
            for statement in (
                "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
                "DROP POLICY IF EXISTS {policy} ON {table}",
                "CREATE POLICY {policy} ON {table} USING (agency_id = ANY (ipv_agencies()))"
                " WITH CHECK (agency_id = ANY (ipv_agencies()))",
            ):
                cursor.execute(sql.SQL(statement).format(table=name, policy=sql.Identifier(POLICY)))


def after_migrate(*, using, **kwargs) -> None:
    install(connections[using])


@contextmanager
def confidential(*agencies):
    """A transaction in which the confidential store admits the rows of `agencies` (Agency
    rows or ids) alone. Nested, it names the agencies again and for the rest of the outer
    transaction, so name every agency the outer one needs."""
    ids = ",".join(str(getattr(agency, "pk", agency)) for agency in agencies)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, ids])
        yield


@contextmanager
def every_agency():
    """The platform administrators' view in the admin (which lists records, never their
    content): every agency's rows."""

    with confidential(*Agency.objects.values_list("pk", flat=True)):
        yield
