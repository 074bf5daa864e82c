"""Row-level security on the figures' summaries: those drawn from the confidential store
(outreach) are admitted to the application role only in a transaction that names their agency,
like the store's own rows; the summaries of case files are read without.

Transactional: the application role connects on its own and sees only what is committed."""

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone
from psycopg import errors

from ipv.figures.models import Snapshot
from tests.conftest import make_world
from victims import rls

pytestmark = pytest.mark.django_db(transaction=True)

INSERT = """
    INSERT INTO figures_snapshot (scope, agency_id, section, confidential, start, "end",
        previous_start, previous_end, computed_at, format, results)
    VALUES (%s, %s, %s, %s, '2026-07-01', '2026-09-30', '2026-04-01', '2026-06-30', now(), 1,
        '[]')
"""


def _snapshot(agency, section, confidential):
    return Snapshot.objects.create(
        scope=f"agency:{agency.pk}",
        agency=agency,
        section=section,
        confidential=confidential,
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        previous_start=date(2026, 4, 1),
        previous_end=date(2026, 6, 30),
        computed_at=timezone.now(),
        format=1,
        results=[],
    )


def _seen(app, *agencies) -> set[tuple]:
    with app.transaction():
        if agencies:
            ids = ",".join(str(agency.pk) for agency in agencies)
            app.execute("SELECT set_config(%s, %s, true)", [rls.SETTING, ids])
        rows = app.execute("SELECT agency_id, section FROM figures_snapshot").fetchall()
    return set(rows)


def test_outreach_summaries_are_read_only_by_a_transaction_naming_their_agency(app):
    world = make_world()
    river, lakehead = world.agency, world.other_agency
    for agency in (river, lakehead):
        _snapshot(agency, "flow", False)
        _snapshot(agency, "outreach", True)
    # Nothing named: the case-file summaries only.
    assert _seen(app) == {(river.pk, "flow"), (lakehead.pk, "flow")}
    # River named: its outreach too, never Lakehead's.
    assert _seen(app, river) == {
        (river.pk, "flow"),
        (lakehead.pk, "flow"),
        (river.pk, "outreach"),
    }
    # Positive control: the owner (a superuser here, as PostgreSQL lets it) reads all four.
    assert Snapshot.objects.count() == 4


def test_an_outreach_summary_cannot_be_written_for_an_agency_not_named(app):
    world = make_world()
    river, lakehead = world.agency, world.other_agency
    with pytest.raises(errors.InsufficientPrivilege), app.transaction():
        app.execute("SELECT set_config(%s, %s, true)", [rls.SETTING, str(river.pk)])
        app.execute(INSERT, [f"agency:{lakehead.pk}", lakehead.pk, "outreach", True])
    # Positive control: the same row for the agency named is written.
    with app.transaction():
        app.execute("SELECT set_config(%s, %s, true)", [rls.SETTING, str(lakehead.pk)])
        app.execute(INSERT, [f"agency:{lakehead.pk}", lakehead.pk, "outreach", True])
    assert Snapshot.objects.filter(agency=lakehead, confidential=True).count() == 1


def test_the_worker_and_the_page_write_and_read_outreach_summaries_as_the_application_role(
    as_app,
):
    """As the site runs: a refresh that forgot to name the agency would be refused its
    outreach summary, and a page that forgot would not find it."""
    from ipv.figures import selectors, snapshots
    from ipv.figures.periods import Period
    from ipv.figures.scope import Scope
    from tests.figures.test_outreach import build

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (as_app.role,)
    world = make_world()
    build(world)
    scope = Scope.agency(world.agency)
    assert snapshots.refresh(scope, today=date(2026, 9, 30)) > 0
    quarter = Period(date(2026, 7, 1), date(2026, 9, 30))
    stored = snapshots.read(scope, quarter, quarter.previous())
    assert "outreach" in stored and "flow" in stored
    sections = selectors.dashboard(scope=scope, period=quarter, audiences={"outreach"})
    assert sections.as_of is not None
    assert [section.key for section, _results in sections] == ["outreach"]
    # Another agency's scope finds none of it.
    other = Scope.agency(world.other_agency)
    assert snapshots.read(other, quarter, quarter.previous()) == {}
