"""`make bench`: time every page on a large data set kept in its own database.

The data set is created once in the database `<name>_bench` and reused by later runs. Each page
is requested through Django's full stack (middleware, view, template) in this process: the time
is the server's, without network. Results are printed and written to var/bench/results.json.
"""

import gc
import json
import os
import statistics
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from directory import bench as directory_bench
from fees import bench as fees_bench
from ipv.accounts.models import User
from ipv.api import bench as api_bench
from ipv.core.roles import as_owner
from ipv.figures import bench as figures_bench
from ipv.notifications import bench as notifications_bench
from ipv.pages import bench as pages_bench
from referrals import bench as referrals_bench
from sessions_app import bench as sessions_bench
from victims import bench as victims_bench

# Each app that has pages to time: seed() builds its data, pages() lists what to request as
# (name, URL, headers, email of the person signed in or None[, data to POST]), work()
# (optional) lists other things to time as (name, function), and floors() (optional) gives,
# by page name, the page's floor: the hand-written SQL statements, as (sql, params), that fetch
# the same data the page shows, timed in the same run on the same database; URLCONF (optional)
# names the URLconf its pages are served from.
BENCHES = [
    directory_bench,
    referrals_bench,
    pages_bench,
    victims_bench,
    sessions_bench,
    api_bench,
    fees_bench,
    notifications_bench,
    figures_bench,
]


# The data set in `<name>_bench`, written in its table bench_dataset (a row per app seeded): a
# database holding another data set (or an older one, without the table) is replaced whole.
DATASET = "national-3: 400,000 referrals, 5,000,000 attendance rows, 1,000,000 payments"
MARKER = """
    CREATE TABLE IF NOT EXISTS bench_dataset (
        part text PRIMARY KEY, dataset text NOT NULL, seconds numeric NOT NULL,
        counts jsonb NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now()
    )
"""


def _name(bench) -> str:
    """What --only calls a bench: its app's name ("notifications" for ipv.notifications)."""
    return bench.__name__.removesuffix(".bench").rsplit(".", 1)[-1]


def _request(client, url, headers, data):
    """A request to time: a GET, or a POST of `data` (a form that answers with a redirect)."""

    def send():
        if data:
            response = client.post(url, data[0], headers=headers)
            expected = (200, 302)
        else:
            response = client.get(url, headers=headers)
            expected = (200,)
        if response.status_code not in expected:
            raise RuntimeError(f"{url} answered {response.status_code}")

    return send


class QueryCounter:
    """An execute wrapper counting the statements run through it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Seed the benchmark data set (once) and print p50/p95 server time per page."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=50, help="Timed requests per page.")
        parser.add_argument(
            "--only",
            default="",
            help="Only these apps' data and pages, e.g. directory,referrals (default: all).",
        )

        parser.add_argument(
            "--sql",
            action="store_true",
            help="Also write each page's queries to var/bench/queries/ (to write its floor).",
        )

    def handle(self, *args, runs, only, sql, **options):
        self.sql = sql
        chosen = {name.strip() for name in only.split(",") if name.strip()}
        unknown = chosen - {_name(bench) for bench in BENCHES}
        if unknown:
            raise CommandError(f"No benchmark for: {', '.join(sorted(unknown))}")
        if settings.DEBUG:
            self.stderr.write("Warning: DEBUG is on; times include debug overhead.")
        with as_owner():
            self._use_bench_database()
        call_command("migrate", interactive=False, verbosity=0)
        with as_owner(), connection.cursor() as cursor:
            cursor.execute(MARKER)

        dataset, results, clients = {}, [], {}
        for bench in BENCHES:
            if chosen and _name(bench) not in chosen:
                continue
            with as_owner():
                dataset.update(self._seed(bench))
            floors = getattr(bench, "floors", dict)()
            # As a web process is when it answers (ipv.wsgi.settle): what is loaded by now, out
            # of the garbage collector's sight.
            gc.collect()
            gc.freeze()
            urls = getattr(bench, "URLCONF", settings.ROOT_URLCONF)
            with override_settings(ROOT_URLCONF=urls):
                self._measure(bench, floors, clients, runs, results)
            # Written after each app too: a long run stopped halfway keeps what it measured.
            self._write(dataset, results, runs)

        self._report(dataset, results, runs)

    def _measure(self, bench, floors, clients, runs, results) -> None:
        """Time the app's pages and work, each with its floor, into `results`."""
        for name, url, headers, who, *data in bench.pages():
            if who not in clients:
                clients[who] = Client()
                if who:
                    clients[who].force_login(User.objects.get(email=who))
            send = _request(clients[who], url, headers, data)
            result = self._time(name, url, send, runs)
            if name in floors:
                self._floor(result, floors[name], runs)
            results.append(result)
        # Work that is not a page (rendering a PDF, say), timed the same way; options may set
        # what to do untimed before each run ("setup") and after the last ("cleanup"), and
        # "runs" and "warm" of its own; with "items" (how many things a run does), the rate is
        # reported too, and queries are not logged (more than Django's log keeps, and logging
        # them takes time).
        for name, work, *options in getattr(bench, "work", list)():
            option = options[0] if options else {}
            result = self._time(
                name,
                "",
                work,
                option.get("runs", runs),
                setup=option.get("setup"),
                warm=option.get("warm", 3),
                count_queries="items" not in option,
            )
            if "items" in option:
                result["per_second"] = round(option["items"] / result["p50_ms"] * 1000)
            if name in floors:
                self._floor(result, floors[name], option.get("runs", runs))
            results.append(result)
            if cleanup := option.get("cleanup"):
                cleanup()  # the data set as it was, for the next run's pages

    def _seed(self, bench) -> dict:
        """The app's data: seeded once (its row in bench_dataset says so), reused after."""
        part = _name(bench)
        with connection.cursor() as cursor:
            cursor.execute("SELECT counts FROM bench_dataset WHERE part = %s", [part])
            row = cursor.fetchone()
        if row is not None:
            self.stdout.write(f"{bench.__name__}: data set already there")
            # Django's connection reads jsonb as text.
            return json.loads(row[0]) if isinstance(row[0], str) else row[0]
        started = time.perf_counter()
        # Seeding writes in bulk with the history triggers ignored: the owner's work; the pages
        # are then timed as the application role, as the site runs.
        counts = bench.seed()
        # Fresh statistics for the planner and a visibility map, as autovacuum keeps them on a
        # live server: rows seeded in bulk would otherwise be planned as a handful, and every
        # index-only scan would read the table too.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            seconds = round(time.perf_counter() - started, 1)
            cursor.execute(
                "INSERT INTO bench_dataset (part, dataset, seconds, counts) "
                "VALUES (%s, %s, %s, %s)",
                [part, DATASET, seconds, json.dumps(counts)],
            )
        self.stdout.write(f"{bench.__name__}: data ready in {seconds:.1f} s")
        return counts

    def _use_bench_database(self):
        """Point the default connection at `<name>_bench`, creating it if needed, and making it
        anew when it holds another data set than DATASET."""
        name = f"{connection.settings_dict['NAME']}_bench"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
        connection.close()
        original = connection.settings_dict["NAME"]
        if exists:
            connection.settings_dict["NAME"] = name
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT to_regclass('referrals_referral') IS NOT NULL, "
                    "to_regclass('bench_dataset') IS NOT NULL"
                )
                migrated, marked = cursor.fetchone()
                other = migrated and not marked
                if marked:
                    cursor.execute("SELECT 1 FROM bench_dataset WHERE dataset <> %s", [DATASET])
                    other = cursor.fetchone() is not None
            connection.close()
            connection.settings_dict["NAME"] = original
            if other:
                self.stdout.write(f"{name} holds another data set: made anew")
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
        if not exists:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            connection.close()
        connection.settings_dict["NAME"] = name
        settings.DATABASES["default"]["NAME"] = name

    def _time(self, name, url, send, runs, setup=None, warm=3, count_queries=True):
        for _ in range(warm):  # warm caches: templates, connection, PostgreSQL buffers
            if setup:
                setup()
            send()
        times, query_counts = [], set()
        if self.sql and name and count_queries:
            with CaptureQueriesContext(connection) as queries:
                send()
            folder = settings.VAR_DIR / "bench" / "queries"
            folder.mkdir(parents=True, exist_ok=True)
            text = "".join(f"-- {q['time']} s\n{q['sql']};\n\n" for q in queries)
            slug = "".join(c if c.isalnum() else "-" for c in name.lower())
            (folder / f"{slug}.sql").write_text(text)
        for _ in range(runs):
            if setup:
                setup()
            if not count_queries:
                started = time.perf_counter()
                send()
                times.append((time.perf_counter() - started) * 1000)
                continue
            # Counted by a wrapper that only counts: Django's query log (a debug cursor that
            # formats and keeps every statement) would add its own cost to the time.
            counted = QueryCounter()
            with connection.execute_wrapper(counted):
                started = time.perf_counter()
                send()
                times.append((time.perf_counter() - started) * 1000)
            query_counts.add(counted.count)
        return {
            "page": name,
            "url": url,
            "runs": runs,
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(_percentile(times, 0.95), 2),
            "max_ms": round(max(times), 2),
            "queries": sorted(query_counts),
        }

    def _floor(self, result, statements, runs) -> None:
        """Time the page's floor (its hand-written SQL, each row fetched) as the page was, and
        add it to `result` with the page's ratio to it (p50 over p50)."""

        def send():
            with connection.cursor() as cursor:
                for statement, params in statements:
                    cursor.execute(statement, params)
                    if cursor.description is not None:
                        cursor.fetchall()

        floor = self._time("", "", send, runs)
        result["floor_p50_ms"] = floor["p50_ms"]
        result["floor_p95_ms"] = floor["p95_ms"]
        result["floor_queries"] = len(statements)
        result["ratio"] = round(result["p50_ms"] / floor["p50_ms"], 2)

    def _write(self, dataset, results, runs):
        output = settings.VAR_DIR / "bench" / "results.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(
                {
                    "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "cpus": os.cpu_count(),
                    "runs_per_page": runs,
                    "dataset": dataset,
                    "pages": results,
                },
                indent=2,
            )
        )
        return output

    def _report(self, dataset, results, runs):
        width = max(len(result["page"]) for result in results)
        self.stdout.write("")
        self.stdout.write(
            f"{'page':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'queries':>7}  "
            f"{'floor ms':>8}  {'ratio':>5}"
        )
        for result in results:
            page, p50, p95 = result["page"], result["p50_ms"], result["p95_ms"]
            queries = ",".join(str(count) for count in result["queries"])
            if "per_second" in result:
                queries = f"-  ({result['per_second']:,} per second)"
            floor = ratio = "-"
            if "ratio" in result:
                floor, ratio = f"{result['floor_p50_ms']:.1f}", f"{result['ratio']:.1f}"
            self.stdout.write(
                f"{page:<{width}}  {p50:>8.1f}  {p95:>8.1f}  {queries:>7}  {floor:>8}  {ratio:>5}"
            )
        output = self._write(dataset, results, runs)
        self.stdout.write(self.style.SUCCESS(f"\nWritten to {output}"))
