"""Row-level security on the figures' summaries: a summary drawn from the confidential store
(outreach's counts) is admitted, like the store's own rows, only to a transaction that named
its agency (victims.rls.confidential). The other summaries are counts of case files, read
through the scoped selectors."""

from django.db import connections, transaction
from psycopg import sql

from ipv.figures.models import Snapshot

POLICY = "confidential_agency_only"


def install(connection) -> None:
    """Enable, force and (re)write the policy (after victims.rls has made ipv_agencies())."""
    names = {
        "table": sql.Identifier(Snapshot._meta.db_table),
        "policy": sql.Identifier(POLICY),
    }
    rule = "(NOT confidential OR agency_id = ANY (ipv_agencies()))"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in (
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            "DROP POLICY IF EXISTS {policy} ON {table}",
            f"CREATE POLICY {{policy}} ON {{table}} USING {rule} WITH CHECK {rule}",
        ):
            cursor.execute(sql.SQL(statement).format(**names))


def after_migrate(*, using, **kwargs) -> None:
    install(connections[using])
