"""`manage.py healthcheck beat`: exit 0 while beat's heartbeat is fresh, 1 once it is late or
missing — the container's health check for beat, which serves no HTTP. The same age and the
same limit as /healthz (ipv.pages.health)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ipv.core.models import Heartbeat
from ipv.pages.health import HEARTBEAT_LATE_SECONDS


class Command(BaseCommand):
    help = "Exit 0 while the named part's heartbeat (beat, worker) is fresh, 1 otherwise."

    def add_arguments(self, parser):
        parser.add_argument("part", choices=["beat", "worker"])

    def handle(self, *args, part, **options):
        at = Heartbeat.objects.filter(name=part).values_list("at", flat=True).first()
        if at is None:
            raise CommandError(f"{part}: no heartbeat yet")
        age = (timezone.now() - at).total_seconds()
        if age > HEARTBEAT_LATE_SECONDS:
            raise CommandError(f"{part}: last heartbeat {int(age)} s ago")
        self.stdout.write(f"{part}: last heartbeat {int(age)} s ago")
