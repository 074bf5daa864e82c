"""Apply the retention rules now, as the daily job does (ipv.pages.retention), and print the
counts; with --dry-run, print what it would do and change nothing."""

from django.core.management.base import BaseCommand, CommandError

from directory.models import Agency
from ipv.pages.retention import retention_apply


class Command(BaseCommand):
    help = "Apply the retention rules now and print the counts (names nobody)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        report = retention_apply(dry_run=dry_run)
        if report is None:
            raise CommandError("Another run of the retention rules holds the lock; try later.")
        slugs = dict(Agency.objects.values_list("pk", "slug"))
        verb = "would be" if dry_run else "done"
        if not report.counts:
            self.stdout.write(f"Nothing to do ({'dry run' if dry_run else 'applied'}).")
        for (agency_id, event), count in sorted(report.counts.items(), key=str):
            where = slugs.get(agency_id, "-") if agency_id else "(no agency)"
            self.stdout.write(f"{where}\t{event}\t{count}\t{verb}")
