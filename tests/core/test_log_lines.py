"""JSON log lines with the request's id on every one: the site's own loggers, django-structlog's
request line and Django's own, the id given back in X-Request-ID; a task's lines carry its
task_id and the request_id of the request that queued it."""

import json
import logging
import threading
from contextlib import contextmanager

import pytest
import structlog
from celery import Celery, signals
from celery.contrib.testing.worker import start_worker
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

from ipv.celery import DatabaseRetryingTask
from ipv.celery import app as ipv_app
from ipv.core.tasks import clear_expired_sessions


class Lines(logging.Handler):
    """The lines the console would print, as the console's formatter writes them."""

    def __init__(self):
        console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
        super().__init__()
        self.setFormatter(console.formatter)
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@contextmanager
def captured():
    handler = Lines()
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)


@pytest.fixture
def lines():
    with captured() as lines:
        yield lines


class Broken:
    def cursor(self):
        raise RuntimeError("no database in this test")


@pytest.mark.django_db
def test_every_line_of_a_request_carries_its_id_which_the_response_gives_back(
    client, lines, monkeypatch
):
    # /healthz with its database check failing writes three kinds of line: the site's own
    # warning (a standard logger), django-structlog's request line, and Django's own 503 line.
    monkeypatch.setattr("ipv.pages.health.connection", Broken())
    response = client.get("/healthz")

    assert response.status_code == 503
    request_id = response["X-Request-ID"]
    loggers = {line["logger"] for line in lines}
    assert {"ipv.pages.health", "django_structlog.middlewares.request", "django.request"} <= (
        loggers
    )
    assert [line.get("request_id") for line in lines] == [request_id] * len(lines)
    assert all(line["level"] and line["timestamp"] for line in lines)
    # Another request has another id; a line after the request has none.
    assert client.get("/healthz")["X-Request-ID"] != request_id
    logging.getLogger("ipv.test").warning("between requests")
    assert "request_id" not in lines[-1]


def test_a_request_id_sent_by_the_client_is_not_taken(client, monkeypatch, db):
    response = client.get("/healthz", headers={"X-Request-ID": "chosen-by-the-client"})
    assert response["X-Request-ID"] != "chosen-by-the-client"
    assert len(response["X-Request-ID"]) == 36  # a UUID made by the site


def test_the_worker_logs_the_task_id_and_the_id_of_the_request_that_queued_it(transactional_db):
    assert DjangoStructLogInitStep in ipv_app.steps["worker"]
    # Not made the current app: the site's tasks queued by later tests must stay eager.
    worker_app = Celery("ipv-log-test", task_cls=DatabaseRetryingTask, set_as_current=False)
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    worker_app.conf.update(broker_url="memory://", task_always_eager=False)
    worker_app.steps["worker"].add(DjangoStructLogInitStep)
    assert setup_logging.receivers  # the worker keeps the site's logging (ipv.celery)
    done = threading.Event()

    def finished(**kwargs):
        done.set()

    signals.task_postrun.connect(finished)
    try:
        # Started first: the worker sets up Django again (and its logging, our handler gone).
        with (
            start_worker(worker_app, perform_ping_check=False, shutdown_timeout=30),
            captured() as lines,
        ):
            # As a request would: its id bound while the task is queued.
            structlog.contextvars.bind_contextvars(request_id="f1e2d3c4-request")
            try:
                result = worker_app.tasks[clear_expired_sessions.name].delay()
            finally:
                structlog.contextvars.clear_contextvars()
            assert done.wait(30), "the task did not run"
    finally:
        signals.task_postrun.disconnect(finished)
        ipv_app.set_current()
        ipv_app.set_default()  # start_worker made the test's app every thread's default

    task_lines = [line for line in lines if line.get("task_id") == result.id]
    events = [line["event"] for line in task_lines]
    assert "task_started" in events and "task_succeeded" in events
    assert {line["request_id"] for line in task_lines} == {"f1e2d3c4-request"}
