"""`manage.py createadmin --email … [--name …]`: the first platform administrator, in production.

No password on the command line (it would stay in the shell's history and the process list):
by default the command prints a single-use link, valid 24 hours, where the person chooses one;
or the password is read from a file (`--password-file`, `-` for standard input). Either way the
person sets up their second factor at their first sign-in (IPV_REQUIRE_MFA).
"""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ipv.accounts.services import platform_admin_create, set_password_link


class Command(BaseCommand):
    help = "Create a platform administrator; prints a link to choose their password."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Else "--password …" would be taken for --password-file, and the password for a path.
        return super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="full name (default: the address)")
        parser.add_argument("--language", choices=["fr", "en"], default="fr")
        parser.add_argument(
            "--password-file",
            help="read the password from this file's first line ('-': standard input)",
        )

    def handle(self, *args, email, name, language, password_file, **options):
        password = ""
        if password_file:
            if password_file == "-":  # noqa: S105  (a path: standard input)
                password = sys.stdin.readline()
            else:
                with Path(password_file).open() as source:
                    password = source.readline()
            password = password.rstrip("\r\n")
            if not password:
                raise CommandError("The password file is empty.")
        try:
            user = platform_admin_create(
                email=email, full_name=name or email, language=language, password=password
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Platform administrator {user.email} created.")
        if not password:
            self.stdout.write(
                "Send them this link to choose their password (single use, valid 24 hours):\n"
                + set_password_link(user)
            )
        self.stdout.write("They set up their second factor when they first sign in.")
