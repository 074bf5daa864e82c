"""Django's `migrate`, connected as the owner role (DATABASE_OWNER_URL) when one is set.

The site connects as the application role, which may not change the schema; migrations, and
the grants that follow them (ipv.core.roles), are the owner's work.
"""

from django.core.management.commands.migrate import Command as MigrateCommand

from ipv.core.roles import as_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
