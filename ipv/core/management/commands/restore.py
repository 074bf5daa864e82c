import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ipv.core.backup import (
    BackupError,
    backup_identity,
    backup_open,
    backup_restore,
    identity_parse,
)


class Command(BaseCommand):
    help = (
        "Restore a backup (its .dump.age file or its manifest) into an empty database, as its "
        "owner; then give it the rights `migrate` gives."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument(
            "--database-url",
            help="the empty database to restore into, as its owner "
            "(default: DATABASE_OWNER_URL, else DATABASE_URL)",
        )
        parser.add_argument(
            "--database-name",
            default="",
            help="the empty database to restore into, on the server and as the owner of "
            "DATABASE_OWNER_URL",
        )
        parser.add_argument(
            "--key-file",
            type=Path,
            help="the backups' private key, or - to read it from standard input "
            "(default: IPV_BACKUP_KEY or IPV_BACKUP_KEY_FILE)",
        )

    def handle(self, *args, **options):
        url = options["database_url"] or settings.DATABASE_OWNER_URL
        try:
            if str(options["key_file"]) == "-":
                identity = identity_parse(sys.stdin.read())
            elif options["key_file"]:
                identity = identity_parse(Path(options["key_file"]).read_text())
            else:
                identity = backup_identity()
            backup = backup_open(options["backup"])
            notes = backup_restore(
                backup=backup, identity=identity, url=url, name=options["database_name"]
            )
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        manifest = backup.manifest
        self.stdout.write(
            self.style.SUCCESS(f"Restored {manifest['file']} (made {manifest['created_at']}).")
        )
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
        if not notes:
            self.stdout.write(
                "The restored database's migrations match this code, and the field encryption "
                "key opens its encrypted details."
            )
