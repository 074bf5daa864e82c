"""The application role the site connects as cannot rewrite, empty or unprotect the
append-only tables; the owner runs the migrations.

The role is made in the test database by the same code that runs after `migrate`, and the
tests connect as it. Transactional: what the owner grants must be committed to be seen."""

import pytest
from django.db import connection, transaction
from psycopg import errors, sql

from directory.models import Region
from ipv.audit.models import APPEND_ONLY as APPEND_ONLY_TRIGGER
from ipv.audit.models import AuditEvent
from ipv.core import roles
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Each kind of append-only table: audit events, history events (pghistory), timeline, ledger.
APPEND_ONLY = [
    "audit_auditevent",
    "directory_agencyevent",
    "referrals_timelineentry",
    "fees_ledgerentry",
]


@pytest.fixture
def event():
    return AuditEvent.objects.create(action=AuditEvent.Action.values[0], details={"n": 1})


def test_the_tables_listed_here_are_the_ones_the_database_protects():
    assert set(APPEND_ONLY) <= set(roles.append_only_tables())
    # Certificates may change until issued: not append-only, though never deleted.
    assert "sessions_app_certificate" not in roles.append_only_tables()
    assert roles.protected_operations()["sessions_app_certificate"] == {"DELETE"}


def test_the_application_role_is_neither_superuser_nor_owner(app):
    assert app.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (
        False,
    )
    owned = app.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
    assert owned.fetchone() == (0,)


def test_it_reads_and_adds_to_an_append_only_table(app, event):
    columns = sql.SQL(", ").join(
        sql.Identifier(field.column)
        for field in AuditEvent._meta.concrete_fields
        if not field.primary_key
    )
    app.execute(
        sql.SQL(
            "INSERT INTO audit_auditevent ({c}) SELECT {c} FROM audit_auditevent WHERE id = %s"
        ).format(c=columns),
        [event.pk],
    )
    assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (2,)


def test_it_changes_and_deletes_rows_of_ordinary_tables(app):
    region = Region.objects.create(slug="nord", name_fr="Nord", name_en="North")
    changed = app.execute("UPDATE directory_region SET position = 5 WHERE id = %s", [region.pk])
    assert changed.rowcount == 1
    assert app.execute("DELETE FROM directory_region WHERE id = %s", [region.pk]).rowcount == 1


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET id = id", "DELETE FROM {table}", "TRUNCATE {table}"],
)
def test_it_may_not_update_delete_or_truncate_an_append_only_table(app, event, table, statement):
    with pytest.raises(errors.InsufficientPrivilege):
        app.execute(sql.SQL(statement).format(table=sql.Identifier(table)))
    assert AuditEvent.objects.filter(pk=event.pk, details={"n": 1}).exists()


@pytest.mark.parametrize(
    "statement",
    [
        # Named like a history table, searched before it: the triggers' rows would go there.
        "CREATE TEMP TABLE directory_agencyevent (LIKE public.directory_agencyevent)",
        "CREATE TABLE public.shadow (id int)",
        "CREATE SCHEMA shadow",
    ],
)
def test_it_may_not_make_a_table_that_would_take_the_historys_rows(app, statement):
    with pytest.raises(errors.InsufficientPrivilege):
        app.execute(statement)


def _history_rows(agency) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM directory_agencyevent WHERE pgh_obj_id = %s", [agency.pk]
        )
        return cursor.fetchone()[0]


def test_a_change_it_makes_is_in_the_history(app):
    agency = AgencyFactory(slug="nord", name_fr="Services Nord", name_en="North Services")
    before = _history_rows(agency)
    app.execute("UPDATE directory_agency SET phone = '613-555-0199' WHERE id = %s", [agency.pk])
    assert _history_rows(agency) == before + 1


def _every_trigger_of(table) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        return "{" + ",".join(name for (name,) in cursor.fetchall()) + "}"


def test_it_may_not_switch_the_history_off_with_pgtrigger_ignore(app):
    agency = AgencyFactory(slug="nord", name_fr="Services Nord", name_en="North Services")
    ignore = _every_trigger_of("directory_agency")
    before = _history_rows(agency)
    with app.transaction():
        app.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignore])
        app.execute("UPDATE directory_agency SET phone = '613-555-0199' WHERE id = %s", [agency.pk])
    assert _history_rows(agency) == before + 1
    # The control: the owner, with the same setting, changes the row without a history row.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignore])
        cursor.execute(
            "UPDATE directory_agency SET phone = '613-555-0100' WHERE id = %s", [agency.pk]
        )
    assert _history_rows(agency) == before + 1


def test_it_may_not_disable_the_triggers(app):
    with pytest.raises(errors.InsufficientPrivilege, match="must be owner"):
        app.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")


def test_it_may_not_turn_triggers_off_as_replication_does(app):
    with pytest.raises(errors.InsufficientPrivilege):
        app.execute("SET session_replication_role = replica")


def _ignoring_append_only() -> str:
    """The value pgtrigger.ignore("audit.AuditEvent:append_only") gives the setting."""
    pgid = APPEND_ONLY_TRIGGER.get_pgid(AuditEvent)
    return "{" + f"audit_auditevent:{pgid},{pgid}" + "}"


def test_pgtrigger_ignore_lets_the_owner_update_but_not_the_application_role(app, event):
    statement = "UPDATE audit_auditevent SET details = '{}' WHERE id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [_ignoring_append_only()])
        cursor.execute(statement, [event.pk])
        assert cursor.rowcount == 1  # the setting is right: the trigger let the owner through
        transaction.set_rollback(True)
    app.execute("SELECT set_config('pgtrigger.ignore', %s, false)", [_ignoring_append_only()])
    with pytest.raises(errors.InsufficientPrivilege):
        app.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).details == {"n": 1}


def test_a_truncate_granted_by_mistake_is_still_refused_by_the_trigger(app, event):
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("GRANT TRUNCATE ON audit_auditevent TO {role}").format(
                role=sql.Identifier(app.role)
            )
        )
    with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
        app.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_migrations_run_as_the_owner_while_the_site_runs_as_the_application_role(app):
    owner, password = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict["USER"] = app.role
    connection.settings_dict["PASSWORD"] = app.info.password
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app.role,)
        with roles.as_owner(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (owner,)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app.role,)
    finally:
        connection.close()
        connection.settings_dict["USER"] = owner
        connection.settings_dict["PASSWORD"] = password


def test_a_superuser_is_refused_as_the_application_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the suite connects as a role that is not a superuser")
    with pytest.raises(ValueError, match="must not be a superuser"):
        roles.app_role_grant(connection, connection.settings_dict["USER"])
