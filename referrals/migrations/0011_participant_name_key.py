"""The folded legal name of each participant, kept by the database (a stored generated column
through the IMMUTABLE f_unaccent) and indexed with the date of birth: the figures find the same
person's referrals at any agency through it."""

import django.db.models.functions.text
from django.db import migrations, models

import ipv.core.search


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0008_agency_reminder_hours"),
        ("referrals", "0010_timeliness_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="name_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Trim(
                    models.Func(
                        ipv.core.search.Unaccented("legal_name"),
                        models.Value("\\s+"),
                        models.Value(" "),
                        models.Value("g"),
                        function="regexp_replace",
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                fields=["date_of_birth", "name_key"], name="referrals_participant_person"
            ),
        ),
    ]
