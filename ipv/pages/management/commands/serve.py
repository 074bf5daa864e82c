"""`make run`: prepare the database and serve the site with a Celery worker and beat.

One process owns everything it starts. The embedded PostgreSQL and Redis (when DATABASE_URL /
REDIS_URL are unset) are held here and handed to the children by URL, so the children join
nothing; on Ctrl-C or SIGTERM the children are stopped first, then the servers.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from ipv.accounts.demo import DEMO_PASSWORD, PERSONAS
from ipv.celery import app as celery_app
from ipv.core import embedded
from ipv.core.translations import compile_catalogs, forget_loaded_catalogs


class Command(BaseCommand):
    help = "Migrate, compile translations, collect static files, load the demo data and serve."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo data.")

    def handle(self, *args, port, no_demo, **options):
        started = time.monotonic()
        if compile_catalogs():
            forget_loaded_catalogs()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo:
            call_command("load_demo", verbosity=0)

        env = self.children_env(port)
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
            "worker": [python, "-m", "celery", "-A", "ipv", "worker", "-l", "INFO", "-c", "2"],
            "beat": [python, "-m", "celery", "-A", "ipv", "beat", "-l", "INFO"],
        }
        # Each child leads its own process group: Ctrl-C reaches only us, and we stop each
        # group whole (runserver's reloader and Celery's pool included).
        stop = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.append(True))
        children = {}
        try:
            for name, command in commands.items():
                children[name] = subprocess.Popen(  # noqa: S603 (fixed commands, no user input)
                    command, env=env, cwd=settings.BASE_DIR, start_new_session=True
                )
                if name == "web":
                    # Alone first: on two cores the site answers sooner without Celery starting.
                    self._wait_for_port(port, children["web"], stop)
            if not stop:
                self._print_welcome(port, time.monotonic() - started, no_demo)
            while not stop:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with status {child.returncode}.")
                        stop.append(True)
                time.sleep(0.5)
        finally:
            self._stop(children)
            # Loading the demo may have queued a task: our own broker connection would keep
            # the embedded Redis waiting for its last client.
            celery_app.pool.force_close_all()
            embedded.stop()
        self.stdout.write("Stopped.")

    def children_env(self, port) -> dict:
        """The site, the worker and beat join the servers held here, as the application role
        (created by `migrate`), and know the port the site is served on: links they write
        (emails, certificates) point to it in debug."""
        return {
            **os.environ,
            "DATABASE_URL": settings.DATABASE_APP_URL,
            "DATABASE_OWNER_URL": settings.DATABASE_OWNER_URL,
            "REDIS_URL": settings.REDIS_URL,
            "PORT": str(port),
        }

    def _wait_for_port(self, port, process, stop, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None and not stop:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)

    def _stop(self, children, timeout=10):
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()

    def _print_welcome(self, port, seconds, no_demo):
        lines = [
            "",
            f"IPV is ready in {seconds:.0f} s at http://127.0.0.1:{port}/",
            f"  French:  http://127.0.0.1:{port}/fr/    English: http://127.0.0.1:{port}/en/",
            f"  Admin:   http://127.0.0.1:{port}/fr/admin/",
        ]
        if not no_demo and settings.DEBUG:
            lines.append(f"Demo logins (password: {DEMO_PASSWORD}):")
            lines += [f"  {email:<28} {role}" for email, _name, _lang, role in PERSONAS]
        lines.append("Press Ctrl-C to stop the site, the worker, beat and the embedded servers.")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
