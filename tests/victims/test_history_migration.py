"""The migration that takes the ciphertext out of the confidential store's history: each row
already written keeps which confidential fields its change touched, and none of their values;
the append-only guard it lifts for that is back afterwards."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db

BEFORE = [("victims", "0009_safety_views_and_figure_indexes")]
AFTER = [("victims", "0010_history_without_ciphertext")]


def test_history_written_before_keeps_the_fields_changed_and_loses_their_values():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    VictimEvent = apps.get_model("victims", "VictimEvent")
    ContactEvent = apps.get_model("victims", "ContactEvent")
    common = {"agency_id": 1, "referral_id": 1, "created_by_id": 1, "relationship": "victim"}
    common |= {"id": 7, "pgh_obj_id": 7, "pgh_created_at": timezone.now()}
    versions = [
        # (label, values): each saved version encrypted afresh, as the site did.
        ("insert", {"full_name": "Zébulonne Ardoisière", "phone": "613-555-0177"}),
        ("update", {"full_name": "Zébulonne Ardoisière", "phone": "613-555-0199"}),
        ("update", {"full_name": "Zébulonne Ardoisière", "phone": "613-555-0199"}),
        ("update", {"full_name": "Zébulonne Ardoisière", "phone": "613-555-0199", "address": "x"}),
        ("delete", {"full_name": "Zébulonne Ardoisière", "phone": "613-555-0199", "address": "x"}),
    ]
    ids = [VictimEvent.objects.create(pgh_label=label, **common, **v).pk for label, v in versions]
    note = ContactEvent.objects.create(
        agency_id=1,
        referral_id=1,
        victim_id=7,
        by_id=1,
        at=timezone.now(),
        channel="phone",
        outcome="reached",
        note="Talked about the Cornemuse.",
        id=3,
        pgh_obj_id=3,
        pgh_created_at=timezone.now(),
        pgh_label="insert",
    ).pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM victims_victimevent WHERE phone LIKE 'gAAAAA%%'")
        assert cursor.fetchone()[0] == len(versions)

    executor.loader.build_graph()
    executor.migrate(AFTER)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pgh_confidential FROM victims_victimevent WHERE pgh_id = ANY(%s)"
            " ORDER BY pgh_id",
            [ids],
        )
        assert [row[0] for row in cursor.fetchall()] == [
            ["full_name", "phone"],
            ["phone"],
            [],
            ["address"],
            ["full_name", "phone", "address"],
        ]
        cursor.execute(
            "SELECT pgh_confidential FROM victims_contactevent WHERE pgh_id = %s", [note]
        )
        assert cursor.fetchone()[0] == ["note"]
        cursor.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name IN ('victims_victimevent', 'victims_contactevent')"
        )
        columns = {row[0] for row in cursor.fetchall()}
        assert "pgh_confidential" in columns
        assert columns.isdisjoint({"full_name", "phone", "email", "address", "note"})
        # The append-only guard is back.
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("UPDATE victims_victimevent SET pgh_confidential = '{}'")
