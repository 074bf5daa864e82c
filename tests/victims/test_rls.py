"""Row-level security, the backstop behind the scoped selectors: every table of the
confidential store admits, to the application role, only the rows of the agency the
application names for the transaction; and every service and selector names it.

Transactional: the application role connects on its own and sees only what is committed."""

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone
from psycopg import errors, sql

from referrals.models import Milestone, Referral
from sessions_app.services.program import transfer_accept
from tests.conftest import make_world
from tests.victims import seeding
from victims import rls, selectors
from victims.models import Contact, OutreachTask, SafetyPlanVersion, Victim
from victims.services import outreach, tasks
from victims.services.alerts import risk_alert_seen
from victims.services.naming import victims_record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stores(db):
    """Both agencies' stores filled, each through the services (as the owner)."""
    world = make_world()
    seeding.seed(
        agency=world.agency,
        referral=world.referral,
        worker=world["partner_contact"],
        raiser=world["facilitator"],
    )
    seeding.seed(
        agency=world.other_agency,
        referral=world.other_referral,
        worker=world["other_partner_contact"],
        raiser=world["other_facilitator"],
    )
    return world


def _owner_counts(agency_id=None) -> dict[str, int]:
    """Rows of each confidential table (of one agency), as the owner reads them."""
    counts = {}
    with connection.cursor() as cursor:
        for table in rls.confidential_tables():
            query = sql.SQL("SELECT count(*) FROM {} WHERE %s IS NULL OR agency_id = %s")
            cursor.execute(query.format(sql.Identifier(table)), [agency_id, agency_id])
            counts[table] = cursor.fetchone()[0]
    return counts


def _app_counts(app, where="true", params=()) -> dict[str, int]:
    return {
        table: app.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE ").format(sql.Identifier(table))
            + sql.SQL(where),
            params,
        ).fetchone()[0]
        for table in rls.confidential_tables()
    }


def _name(app, agency_id):
    app.execute("SELECT set_config(%s, %s, true)", [rls.SETTING, str(agency_id)])


def test_the_list_of_confidential_tables_is_every_table_of_the_store():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename LIKE 'victims\\_%%' ORDER BY tablename"
        )
        in_database = [name for (name,) in cursor.fetchall()]
    tables = rls.confidential_tables()
    assert tables == in_database
    # History tables included: pghistory's events of the people, tasks, contacts, assignments.
    assert {"victims_victimevent", "victims_contactevent", "victims_outreachtaskevent"} <= set(
        tables
    )


def test_every_confidential_table_has_its_policy_enabled_and_forced():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
            " p.polcmd, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)"
            " FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s"
            " WHERE c.relname = ANY(%s) AND c.relkind = 'r'",
            [rls.POLICY, rls.confidential_tables()],
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    assert sorted(rows) == rls.confidential_tables()
    for table, (enabled, forced, command, using, check) in rows.items():
        assert enabled and forced, table
        assert command == "*", table  # every command: SELECT, INSERT, UPDATE, DELETE
        assert using == check == "(agency_id = ANY (ipv_agencies()))", table
        # Nothing else opens the table: a permissive policy would widen what this one admits.
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM pg_policy WHERE polrelid = %s::regclass", [table])
        assert cursor.fetchone() == (1,), table


def test_the_application_role_is_not_a_superuser_and_does_not_bypass_row_security(app):
    row = app.execute(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    assert row == (False, False)
    owned = app.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
    assert owned.fetchone() == (0,)


def test_without_an_agency_named_a_raw_query_reads_no_row(app, stores):
    present = _owner_counts()
    # The control: every table holds rows, the owner (a superuser here) reads them.
    assert all(present.values()), [t for t, n in present.items() if not n]
    assert _app_counts(app) == dict.fromkeys(present, 0)
    with app.transaction():
        assert _app_counts(app) == dict.fromkeys(present, 0)


def test_with_an_agency_named_it_reads_that_agencys_rows_and_no_other(app, stores):
    mine = _owner_counts(stores.agency.pk)
    theirs = _owner_counts(stores.other_agency.pk)
    assert all(mine.values()) and all(theirs.values())
    with app.transaction():
        _name(app, stores.agency.pk)
        assert _app_counts(app) == mine
        assert _app_counts(app, "agency_id = %s", [stores.other_agency.pk]) == dict.fromkeys(
            mine, 0
        )
    with app.transaction():
        _name(app, stores.other_agency.pk)
        assert _app_counts(app) == theirs


def _alert_row(agency, referral, sender):
    return [agency.pk, referral.pk, sender.pk, timezone.now()]


INSERT_ALERT = (
    "INSERT INTO victims_riskalert (agency_id, referral_id, sent_by_id, sent_at)"
    " VALUES (%s, %s, %s, %s)"
)


def test_it_may_not_write_a_row_for_an_agency_not_named(app, stores):
    other = _alert_row(stores.other_agency, stores.other_referral, stores["other_partner_contact"])
    before = _owner_counts()["victims_riskalert"]
    with (
        pytest.raises(errors.InsufficientPrivilege, match="row-level security"),
        app.transaction(),
    ):
        _name(app, stores.agency.pk)
        app.execute(INSERT_ALERT, other)
    # Nor move one of its own rows to the other agency.
    with (
        pytest.raises(errors.InsufficientPrivilege, match="row-level security"),
        app.transaction(),
    ):
        _name(app, stores.agency.pk)
        app.execute(
            "UPDATE victims_victim SET agency_id = %s WHERE agency_id = %s",
            [stores.other_agency.pk, stores.agency.pk],
        )
    # Nor, without any agency named, write one at all.
    with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
        app.execute(INSERT_ALERT, other)
    # The control: the same row for the agency named is written.
    mine = _alert_row(stores.agency, stores.referral, stores["partner_contact"])
    with app.transaction():
        _name(app, stores.agency.pk)
        app.execute(INSERT_ALERT, mine)
    assert _owner_counts()["victims_riskalert"] == before + 1


def test_the_agency_named_ends_with_the_transaction(app, stores):
    mine = _owner_counts(stores.agency.pk)
    with app.transaction():
        _name(app, stores.agency.pk)
        assert _app_counts(app) == mine
    # The same connection, a pooled one's next request: nothing.
    assert app.execute("SELECT current_setting(%s, true)", [rls.SETTING]).fetchone() in (
        (None,),
        ("",),
    )
    with app.transaction():
        assert _app_counts(app) == dict.fromkeys(mine, 0)
    assert _app_counts(app) == dict.fromkeys(mine, 0)


def _connected_as(role) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (role,)


def test_the_services_and_selectors_name_the_agency_everywhere(as_app):
    """The site's writes and reads, run as the application role: any of them that forgot to
    name its agency would see no row, or be refused its write."""
    _connected_as(as_app.role)
    world = make_world()
    agency, referral, worker = world.agency, world.referral, world["partner_contact"]
    named, added = seeding.seed(
        agency=agency, referral=referral, worker=worker, raiser=world["facilitator"]
    )

    home = selectors.outreach_home(agency=agency, user=worker)
    assert {task.victim_id for task in home.today + home.upcoming + home.overdue} == {
        named.pk,
        added.pk,
    }
    assert [row.referral_id for row in home.caseload] == [referral.pk]
    person = selectors.victim_get(agency=agency, pk=named.pk)
    assert person.full_name == seeding.NAMED["full_name"]
    assert person.code_word == seeding.RULES["code_word"]
    record = selectors.person_record(victim=person)
    assert [other.full_name for other in record["others"]] == [seeding.ADDED["full_name"]]
    assert [contact.note for contact in record["contacts"]] == [seeding.NOTE]
    assert [plan.number for plan in record["plans"]] == [2, 1]
    assert len(record["consents"]) == len(record["letters"]) == 1
    assert record["assignment"].worker == worker
    assert {task.kind for task in record["tasks"]} >= {"accepted", "concern"}
    # The case team counts the person the order names, not the one outreach added.
    assert selectors.victims_named_count(agency=agency, referral=referral) == 1
    assert len(selectors.risk_alerts(agency=agency, referral=referral)) == 1
    assert selectors.victims_named_counts(
        agency=agency, referrals=Referral.objects.filter(pk=referral.pk)
    ) == {referral.pk: 1}
    assert selectors.risk_alerts_unseen_count(agency=agency) == 1
    alert = selectors.risk_alerts(agency=agency, referral=referral)[0]
    assert risk_alert_seen(alert=alert, by=world["intake"]).seen_by == world["intake"]
    task = record["tasks"][0]
    assert outreach.task_assign(task=task, by=worker, assignee=None).assignee is None
    assert outreach.task_close(task=task, by=worker).state == "done"
    closed = outreach.outreach_close(victim=added, by=worker, because="declined")
    assert closed.outreach == "closed"
    assert outreach.outreach_reopen(victim=closed, by=worker).outreach == "open"
    # Another agency's person: not found, even by id.
    with pytest.raises(Http404):
        selectors.victim_get(agency=world.other_agency, pk=named.pk)

    # A transfer: the receiving agency's outreach takes the people, plan and contacts over.
    moving = world.transfer.referral
    victims_record(
        agency=agency,
        referral=moving,
        people=[{"full_name": "Odile Moving", "relationship": "victim"}],
        by=worker,
    )
    with rls.confidential(agency):
        leaving = Victim.objects.get(referral=moving)
    outreach.plan_save(victim=leaving, by=worker, warning_signs="Moving plan.")
    outreach.contact_log(
        victim=leaving,
        by=worker,
        at=timezone.now() - timezone.timedelta(minutes=5),
        channel="phone",
        outcome="no_answer",
        note="Moving note.",
    )
    new = transfer_accept(transfer=world.transfer, by=world["other_intake"])
    milestone = Milestone.objects.get(referral=moving, kind=Milestone.Kind.TRANSFERRED)
    tasks.hand_over(milestone=milestone)  # again, after the consumer: nothing twice
    new = Referral.objects.get(pk=new.pk)
    with rls.confidential(world.other_agency):
        copy = Victim.objects.get(referral=new)
        assert copy.full_name == "Odile Moving"
        assert [p.warning_signs for p in SafetyPlanVersion.objects.filter(victim=copy)] == [
            "Moving plan."
        ]
        assert [c.note for c in Contact.objects.filter(victim=copy)] == ["Moving note."]
        assert OutreachTask.objects.filter(victim=copy, kind="transferred").count() == 1
    # The sending agency, named alone, sees none of the copies.
    with rls.confidential(agency):
        assert not Victim.objects.filter(referral=new).exists()
    _connected_as(as_app.role)
