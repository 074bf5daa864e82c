from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ipv.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of the database (pg_dump, age) and its manifest into "
        "IPV_BACKUP_DIR; keep the latest IPV_BACKUP_KEEP."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="where to write (default: IPV_BACKUP_DIR)")
        parser.add_argument(
            "--keep", type=int, help="keep this many latest backups (default: IPV_BACKUP_KEEP)"
        )

    def handle(self, *args, **options):
        directory = options["dir"] or settings.IPV_BACKUP_DIR
        keep = settings.IPV_BACKUP_KEEP if options["keep"] is None else options["keep"]
        try:
            backup = backup_create(directory=directory, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = backup.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"{backup.path} ({manifest['size']} bytes, SHA-256 {manifest['sha256']}) "
                f"encrypted to {manifest['recipient']}"
            )
        )
