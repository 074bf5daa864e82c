from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipv.core.backup import BackupError, backups_list


class Command(BaseCommand):
    help = (
        "List the backups with their age, check each file against its manifest, and fail "
        "when there is none, one is damaged, or the latest is older than --max-age-hours."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="where they are (default: IPV_BACKUP_DIR)")
        parser.add_argument("--max-age-hours", type=float, default=26)

    def handle(self, *args, **options):
        directory = options["dir"] or settings.IPV_BACKUP_DIR
        backups = backups_list(directory)
        if not backups:
            raise CommandError(f"No backup in {directory}.")
        now = timezone.now()
        damaged = []
        for backup in backups:
            try:
                backup.verify()
                state = "ok"
            except BackupError as error:
                damaged.append(str(error))
                state = "DAMAGED"
            hours = (now - backup.created_at).total_seconds() / 3600
            self.stdout.write(
                f"{backup.manifest['created_at']}  {hours:7.1f} h  "
                f"{backup.manifest['size']:>14} bytes  {state}  {backup.manifest['file']}"
            )
        if damaged:
            raise CommandError(" ".join(damaged))
        latest = backups[-1]
        hours = (now - latest.created_at).total_seconds() / 3600
        if hours > options["max_age_hours"]:
            raise CommandError(
                f"The latest backup, {latest.manifest['file']}, is {hours:.1f} hours old "
                f"(more than {options['max_age_hours']:g})."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Latest backup {latest.manifest['file']}: {hours:.1f} hours old.")
        )
