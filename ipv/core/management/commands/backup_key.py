import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from pyrage import x25519


class Command(BaseCommand):
    help = (
        "Make a key pair for the backups (age, X25519): the public key (age1…) goes in "
        "IPV_BACKUP_RECIPIENT; the private key is kept offline, to restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="write the private key to this new file (mode 0600)"
        )

    def handle(self, *args, **options):
        identity = x25519.Identity.generate()
        public = identity.to_public()
        text = (
            f"# created: {timezone.now().replace(microsecond=0).isoformat()}\n"
            f"# public key: {public}\n"
            f"{identity}\n"
        )
        if options["output"]:
            try:
                descriptor = os.open(options["output"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise CommandError(f"{options['output']} exists: choose a new file.") from None
            with os.fdopen(descriptor, "w") as file:
                file.write(text)
            self.stdout.write(f"Private key written to {options['output']}.")
            self.stdout.write(f"IPV_BACKUP_RECIPIENT={public}")
        else:
            self.stdout.write(text, ending="")
