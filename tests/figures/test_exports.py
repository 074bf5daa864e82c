"""The list of cases behind a figure, exported: short lists at once, long ones by the worker
(progress, a lease taken again when a worker dies), kept a day for whoever asked only, and
every export and download audited."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from ipv.audit.models import AuditEvent
from ipv.figures import exports, tasks
from ipv.figures.models import Export
from ipv.figures.scope import Scope
from referrals.models import Referral
from tests.conftest import make_referral

pytestmark = pytest.mark.django_db

QUERY = "period=custom&start=2026-07-01&end=2026-09-30"
PARAMS = {"figure": "received", "by": "", "start": "2026-07-01", "end": "2026-09-30"}


def received(world, count, day=date(2026, 8, 10)):
    for number in range(count):
        referral = make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": f"Listed Person {number}", "date_of_birth": date(1980, 1, 2)},
            court_file_number=f"4811-998-26-2{number:04d}",
        )
        Referral.objects.filter(pk=referral.pk).update(received_on=day, order_date=day)


@pytest.fixture
def three(world):
    # Three referrals received in Q3 2026 (the world's own are received in November).
    received(world, 3)
    return world


def _download(client, world, file_format="csv"):
    return client.get(
        f"/en/a/{world.agency.slug}/figures/cases/received/download/?{QUERY}&format={file_format}"
    )


def _queued(world, person="intake", **fields):
    return Export.objects.create(
        agency=world.agency,
        requested_by=world[person],
        kind=Export.Kind.CASES,
        params=PARAMS,
        format="csv",
        language="en",
        rows_total=3,
        filename="ipv-riviere-received.csv",
        **fields,
    )


def test_a_short_list_downloads_at_once_with_no_name(client, three):
    world = three
    client.force_login(world["intake"])
    response = _download(client, world)
    assert response.status_code == 200
    assert 'filename="ipv-riviere-received.csv"' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Referral", "Received", "Referred by"]
    assert lines[0][-1] == "Modules attended (of 12)"
    assert len(lines) == 1 + 3
    assert all(line[1] == "2026-08-10" and line[-1] == "0" for line in lines[1:])
    assert "Listed Person" not in response.content.decode()
    assert "Tremblay" not in response.content.decode()
    xlsx = _download(client, world, "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert rows[1][1].date() == date(2026, 8, 10)
    assert rows[1][-1] == 0
    event = AuditEvent.objects.filter(action=AuditEvent.Action.FIGURES_EXPORTED).first()
    assert event.actor == world["intake"]
    assert event.details["rows"] == 3 and event.details["figure"] == "received"
    assert event.details["start"] == "2026-07-01" and event.details["format"] == "xlsx"
    assert "Listed Person" not in str(event.details)
    assert not Export.objects.exists()


def test_a_long_list_is_queued_and_the_worker_fills_it(
    client, three, settings, django_capture_on_commit_callbacks
):
    world = three
    settings.FIGURES_EXPORT_IN_REQUEST = 2
    client.force_login(world["intake"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _download(client, world)
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/a/{world.agency.slug}/exports/{export.pk}/"
    assert len(callbacks) == 1
    # Celery runs eagerly here: the task ran after the commit.
    export.refresh_from_db()
    assert export.state == Export.State.DONE
    assert (export.rows_done, export.rows_total) == (3, 3)
    assert export.requested_by == world["intake"] and export.params == PARAMS
    assert bytes(export.content).decode("utf-8-sig").count("\n") == 4
    queued = AuditEvent.objects.get(action=AuditEvent.Action.FIGURES_EXPORTED)
    assert queued.details["queued"] is True and queued.details["rows"] == 3


def test_the_task_writes_its_progress_as_it_goes(world, monkeypatch):
    received(world, 3)
    export = _queued(world)
    monkeypatch.setattr(exports, "CHUNK", 1)
    seen = []
    chunk_rows = exports._chunk_rows

    def watched(chunk, languages):
        seen.append(Export.objects.get(pk=export.pk).rows_done)
        return chunk_rows(chunk, languages)

    monkeypatch.setattr(exports, "_chunk_rows", watched)
    assert tasks.build(export.pk) is True
    assert seen == [0, 1, 2]
    export.refresh_from_db()
    assert export.state == Export.State.DONE and export.rows_done == 3
    # A task delivered twice does the work once.
    assert tasks.build(export.pk) is False


def test_the_page_shows_progress_then_the_link(client, three):
    world = three
    export = _queued(world)
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/exports/{export.pk}/"
    page = client.get(url).content.decode()
    assert "<progress" in page and 'hx-trigger="every 2s"' in page
    assert f'href="{url}"' in page  # the Refresh link, without JavaScript
    assert "/download/" not in page
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith("<div") and "<progress" in partial
    tasks.build(export.pk)
    page = client.get(url).content.decode()
    assert "<progress" not in page and "hx-trigger" not in page
    assert f"{url}download/" in page and "Kept until" in page
    download = client.get(f"{url}download/")
    assert download.status_code == 200
    assert download.content.decode("utf-8-sig").count("\n") == 4
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_DOWNLOADED)
    assert event.actor == world["intake"] and event.target_id == str(export.pk)
    assert event.details["rows"] == 3
    listing = client.get(f"/en/a/{world.agency.slug}/exports/").content.decode()
    assert url in listing


def test_nobody_but_the_asker_sees_or_downloads_an_export(client, three):
    world = three
    export = _queued(world)
    tasks.build(export.pk)
    url = f"/en/a/{world.agency.slug}/exports/{export.pk}/"
    client.force_login(world["manager"])
    assert client.get(url).status_code == 404
    assert client.get(f"{url}download/").status_code == 404
    assert url not in client.get(f"/en/a/{world.agency.slug}/exports/").content.decode()
    client.force_login(world["other_manager"])
    assert client.get(f"/en/a/{world.other_agency.slug}/exports/{export.pk}/").status_code == 404
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_DOWNLOADED).exists()
    # Positive control: the asker.
    client.force_login(world["intake"])
    assert client.get(f"{url}download/").status_code == 200


def test_an_export_is_gone_after_a_day_and_the_beat_job_deletes_it(client, three):
    world = three
    export = _queued(world)
    tasks.build(export.pk)
    kept = _queued(world)
    url = f"/en/a/{world.agency.slug}/exports/{export.pk}/"
    client.force_login(world["intake"])
    assert client.get(url).status_code == 200
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    assert client.get(f"{url}download/").status_code == 404
    assert tasks.remove_expired_exports() == 1
    assert list(Export.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_new_export_is_kept_one_day(world):
    with time_machine.travel(timezone.now(), tick=False):
        export = _queued(world)
        assert export.expires_at - timezone.now() == timedelta(days=1)


def test_a_dead_workers_export_is_taken_again_and_a_live_one_left(world):
    received(world, 3)
    past = timezone.now() - timedelta(minutes=1)
    dead = _queued(world, state=Export.State.RUNNING, lease_until=past, attempts=1, rows_done=2)
    live = _queued(
        world,
        state=Export.State.RUNNING,
        lease_until=timezone.now() + timedelta(minutes=5),
        attempts=1,
    )
    assert tasks.build(live.pk) is False
    assert tasks.resume_stalled_exports() == 1
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.state == Export.State.DONE and dead.attempts == 2 and dead.rows_done == 3
    assert live.state == Export.State.RUNNING and live.content is None


def test_the_list_takes_the_same_queries_however_long(world):
    scope = Scope.agency(world.agency)

    def queries():
        queryset = exports.cases_queryset(scope=scope, params=PARAMS)
        with CaptureQueriesContext(connection) as captured:
            exports.cases_file(queryset, title="Cases", file_format="csv")
        return len(captured.captured_queries)

    received(world, 2)
    few = queries()
    received(world, 5, day=date(2026, 9, 1))
    assert queries() == few


def test_a_figure_the_person_may_not_list_or_a_bad_format_is_404(client, three):
    world = three
    client.force_login(world["intake"])
    assert _download(client, world, "pdf").status_code == 404
    response = client.get(
        f"/en/a/{world.agency.slug}/figures/cases/no-such-figure/download/?{QUERY}&format=csv"
    )
    assert response.status_code == 404
