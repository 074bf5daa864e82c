"""Search folds text with PostgreSQL's unaccent (through the immutable f_unaccent) instead of
a hand-written translate() table, and a trigram index answers the search for possible duplicates.

PostgreSQL cannot change a generated column's expression: it is dropped and added again (and
refilled from the rows), with the indexes that use it.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models

import ipv.core.search


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_postgres_extensions"),
        ("referrals", "0005_transfer_summary"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="referral",
            name="referrals_search",
        ),
        migrations.RemoveField(
            model_name="participant",
            name="search_text",
        ),
        migrations.AddField(
            model_name="participant",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=ipv.core.search.Unaccented("legal_name", "preferred_name"),
                output_field=models.TextField(),
            ),
        ),
        migrations.RemoveField(
            model_name="referral",
            name="search_document",
        ),
        migrations.AddField(
            model_name="referral",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector(
                    ipv.core.search.Unaccented(
                        "participant_names",
                        models.Func(
                            django.db.models.functions.text.Lower("court_file_number"),
                            models.Value("[^[:alnum:]]"),
                            models.Value(""),
                            models.Value("g"),
                            function="regexp_replace",
                        ),
                    ),
                    config="simple",
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"],
                name="referrals_participant_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_document"], name="referrals_search"
            ),
        ),
    ]
