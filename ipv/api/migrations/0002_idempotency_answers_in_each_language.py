from django.db import migrations

LANGUAGES = ("fr", "en")


def in_each_language(apps, schema_editor):
    """An answer kept before in the sender's language alone stands for both."""
    IdempotencyKey = apps.get_model("api", "IdempotencyKey")
    for key in IdempotencyKey.objects.exclude(response=None).iterator():
        if set(key.response) != set(LANGUAGES):
            key.response = dict.fromkeys(LANGUAGES, key.response)
            key.save(update_fields=["response"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(in_each_language, migrations.RunPython.noop),
    ]
