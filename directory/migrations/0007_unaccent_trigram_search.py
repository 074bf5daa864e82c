"""Search folds text with PostgreSQL's unaccent (through the immutable f_unaccent) instead of
a hand-written translate() table, and a trigram index answers the directory's keyword search.

PostgreSQL cannot change a generated column's expression: it is dropped and added again (and
refilled from the rows), with the indexes that use it.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

import ipv.core.search


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_postgres_extensions"),
        ("directory", "0006_agency_courts_history"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="agency",
            name="directory_agency_sort_fr",
        ),
        migrations.RemoveIndex(
            model_name="agency",
            name="directory_agency_sort_en",
        ),
        migrations.RemoveIndex(
            model_name="agency",
            name="directory_agency_city",
        ),
        migrations.RemoveIndex(
            model_name="supportservice",
            name="directory_service_sort_fr",
        ),
        migrations.RemoveIndex(
            model_name="supportservice",
            name="directory_service_sort_en",
        ),
        migrations.RemoveIndex(
            model_name="supportservice",
            name="directory_service_city",
        ),
        migrations.RemoveField(
            model_name="agency",
            name="search_text",
        ),
        migrations.AddField(
            model_name="agency",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=ipv.core.search.Unaccented(
                    "name_fr", "name_en", "city", "description_fr", "description_en"
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.RemoveField(
            model_name="supportservice",
            name="search_text",
        ),
        migrations.AddField(
            model_name="supportservice",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=ipv.core.search.Unaccented(
                    "name_fr", "name_en", "city", "description_fr", "description_en"
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="agency",
            index=models.Index(
                ipv.core.search.Unaccented("name_fr"), name="directory_agency_sort_fr"
            ),
        ),
        migrations.AddIndex(
            model_name="agency",
            index=models.Index(
                ipv.core.search.Unaccented("name_en"), name="directory_agency_sort_en"
            ),
        ),
        migrations.AddIndex(
            model_name="agency",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    ipv.core.search.Unaccented("city"), name="text_pattern_ops"
                ),
                name="directory_agency_city",
            ),
        ),
        migrations.AddIndex(
            model_name="agency",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"], name="directory_agency_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="supportservice",
            index=models.Index(
                ipv.core.search.Unaccented("name_fr"), name="directory_service_sort_fr"
            ),
        ),
        migrations.AddIndex(
            model_name="supportservice",
            index=models.Index(
                ipv.core.search.Unaccented("name_en"), name="directory_service_sort_en"
            ),
        ),
        migrations.AddIndex(
            model_name="supportservice",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    ipv.core.search.Unaccented("city"), name="text_pattern_ops"
                ),
                name="directory_service_city",
            ),
        ),
        migrations.AddIndex(
            model_name="supportservice",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"], name="directory_service_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
