"""Each fee band carries its agency, like every agency-owned row: filled from its schedule."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_names_refuse_control_characters"),
        ("fees", "0002_date_bounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="feeband",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="fee_bands",
                to="directory.agency",
                verbose_name="agency",
            ),
        ),
        migrations.RunSQL(
            sql="""
                UPDATE fees_feeband AS band SET agency_id = schedule.agency_id
                FROM fees_feeschedule AS schedule WHERE band.schedule_id = schedule.id
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="feeband",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="fee_bands",
                to="directory.agency",
                verbose_name="agency",
            ),
        ),
    ]
