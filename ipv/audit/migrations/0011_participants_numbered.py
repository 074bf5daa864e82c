"""The audit trail numbers participants, never names them (Participant.audit_label): events
written before, when a participant's details were changed or two records merged, named the
person in their label. They are numbered too, so that retention's de-identification leaves no
name behind in a trail kept as written. Run as the owner, the trail's guard lifted for this
statement alone."""

import pgtrigger
from django.db import migrations

RENUMBER = """
    UPDATE audit_auditevent
    SET target_label = 'Participant #' || target_id,
        target_labels = jsonb_build_object(
            'fr', 'Personne participante no ' || target_id,
            'en', 'Participant #' || target_id
        )
    WHERE target_type = 'referrals.participant' AND action IN ('changed', 'merged')
      AND target_label <> 'Participant #' || target_id
"""


def renumber(apps, schema_editor):
    with pgtrigger.ignore("audit.AuditEvent:append_only"):
        schema_editor.execute(RENUMBER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0010_retention"),
    ]

    operations = [
        migrations.RunPython(renumber, migrations.RunPython.noop, elidable=True),
    ]
