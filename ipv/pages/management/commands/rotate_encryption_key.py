"""Re-encrypt every encrypted value under the first key of IPV_FIELD_ENCRYPTION_KEYS, so
that the keys after it can be removed; `--check` says whether any value still needs them.

Run as the owner role (DATABASE_OWNER_URL): the application role may not write the
append-only tables that hold ciphertext (safety plans, concerns), nor lift their guards.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ipv.core.roles import as_owner
from ipv.pages.encryption import Unreadable, encrypted_tables, rotate_table, values_left


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value under the first key of IPV_FIELD_ENCRYPTION_KEY "
        "(the new key first, the old ones after it); --check counts the values still under "
        "the old keys and exits with 1 while there are any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing: count the values the first key alone does not decrypt",
        )

    def handle(self, *args, batch_size, check, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        with as_owner():
            if check:
                return self._check(batch_size)
            if len(settings.IPV_FIELD_ENCRYPTION_KEYS) < 2:
                self.stdout.write(
                    "One key only in IPV_FIELD_ENCRYPTION_KEY: put the new key first and the "
                    "old one after it, then run this again."
                )
            for table in encrypted_tables():
                try:
                    rotated = rotate_table(
                        table,
                        batch_size=batch_size,
                        progress=lambda done, total, rotated, name=table.name: self.stdout.write(
                            f"{name}: {done}/{total} rows, {rotated} values encrypted again"
                        ),
                    )
                except Unreadable as error:
                    raise CommandError(
                        f"No key of IPV_FIELD_ENCRYPTION_KEY decrypts {error}: add the key it "
                        "was encrypted with (after the new one) and run this again."
                    ) from None
                self.stdout.write(f"{table.name}: done, {rotated} values encrypted again")
            self.stdout.write(
                self.style.SUCCESS(
                    "Every value is under the first key. Check with --check, then remove the "
                    "old keys from IPV_FIELD_ENCRYPTION_KEY."
                )
            )

    def _check(self, batch_size):
        old = unreadable = 0
        for table in encrypted_tables():
            left = values_left(table, batch_size=batch_size)
            old += left["old"]
            unreadable += left["unreadable"]
            self.stdout.write(
                f"{table.name}: {left['old']} values under an old key"
                + (f", {left['unreadable']} that no key decrypts" if left["unreadable"] else "")
            )
        if old:
            raise CommandError(
                f"{old} values still need an old key"
                + (f" ({unreadable} need a key that is not configured)" if unreadable else "")
                + ": run rotate_encryption_key.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS("No value needs an old key: they can be removed."))
