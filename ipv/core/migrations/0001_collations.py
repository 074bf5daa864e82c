"""The collations names are sorted with, one per language the site speaks.

ICU's French (Canada) and English (Canada) rules where the server has ICU (production's
PostgreSQL and any packaged one); the embedded development server (pgserver) is built without
it, so there they are byte order and `ipv.core.search.by_name` sorts folded names first."""

from django.db import migrations

COLLATIONS = {"ipv_fr": "fr-CA", "ipv_en": "en-CA"}


def create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i')")
        [icu] = cursor.fetchone()
    for name, locale in COLLATIONS.items():
        source = f"(provider = icu, locale = '{locale}')" if icu else 'FROM "C"'
        schema_editor.execute(f'CREATE COLLATION IF NOT EXISTS "{name}" {source}')


def drop(apps, schema_editor):
    for name in COLLATIONS:
        schema_editor.execute(f'DROP COLLATION IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create, drop)]
