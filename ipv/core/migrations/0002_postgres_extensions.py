"""PostgreSQL's contrib modules the search uses, and an immutable unaccent() to index with.

pg_stat_statements only where the server preloads its library (the embedded server and the
compose file do) and the owner may create it (it is not a trusted extension)."""

from django.contrib.postgres.operations import (
    BtreeGistExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations

# unaccent() is STABLE: an index or a generated column needs IMMUTABLE. The dictionary is named
# (and the function schema-qualified) so that the result does not depend on search_path.
F_UNACCENT = """
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN public.unaccent('public.unaccent'::regdictionary, $1)
"""


def statement_statistics(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'pg_stat_statements' = ANY(string_to_array("
            "replace(current_setting('shared_preload_libraries'), ' ', ''), ','))"
            " AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        )
        if cursor.fetchone()[0]:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_collations")]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        BtreeGistExtension(),
        migrations.RunSQL(F_UNACCENT, "DROP FUNCTION IF EXISTS f_unaccent(text)"),
        migrations.RunPython(statement_statistics, migrations.RunPython.noop),
    ]
