"""The worker's summaries of the figures: what a dashboard reads from them equals what it would
count on the spot, in the reader's language, for its own scope only, as of a moment it says;
stale or missing ones are counted on the spot and refreshed by the worker."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from ipv.figures import rollup, selectors, snapshots, tasks
from ipv.figures.aggregates import COUNTING_WORK_MEM
from ipv.figures.definitions import Section
from ipv.figures.models import Snapshot, WatchedScope
from ipv.figures.periods import Period, presets
from ipv.figures.scope import Scope
from referrals.models import Status
from tests.figures.making import many, referral
from tests.figures.test_outreach import build as build_outreach

pytestmark = pytest.mark.django_db

# The day the summaries are made for in these tests: its "this quarter" is Q3 2026.
TODAY = date(2026, 9, 30)
Q3 = Period(date(2026, 7, 1), date(2026, 9, 30))
Q3_QUERY = "period=custom&start=2026-07-01&end=2026-09-30"


@pytest.fixture
def files(world):
    """River: 4 referrals received in Q3 at Ottawa, 2 completed in Q3, 1 discharged in Q3.
    Lakehead: 6 received in Q3 at Thunder Bay."""
    many(4, world.agency, world.court, date(2026, 7, 6))
    for _ in range(2):
        referral(
            world.agency,
            world.court,
            date(2026, 3, 2),
            status=Status.COMPLETED,
            changed_on=date(2026, 8, 3),
        )
    referral(
        world.agency,
        world.court,
        date(2026, 2, 2),
        status=Status.DISCHARGED,
        changed_on=date(2026, 9, 1),
    )
    many(6, world.other_agency, world.other_court, date(2026, 8, 3))
    return world


def _scopes(world):
    return {
        "agency": Scope.agency(world.agency),
        "courts": Scope.of_courts([world.court.pk]),
        "province": Scope.province(),
    }


@pytest.mark.parametrize("kind", ["agency", "courts", "province"])
def test_each_scope_reads_from_its_snapshots_what_it_would_count_on_the_spot(files, kind):
    scope = _scopes(files)[kind]
    written = snapshots.refresh(scope, today=TODAY)
    sections = snapshots.sections_of(scope)
    # The province's roll-up by agency is stored beside its sections.
    extra = 1 if kind == "province" else 0
    assert written == (len(sections) + extra) * len(snapshots.periods(TODAY))
    for period in snapshots.periods(TODAY):
        stored = snapshots.read(scope, period, period.previous())
        assert set(stored) == {section.key for section in sections}
        for section in sections:
            live = section.compute(scope, period, period.previous())
            assert snapshots.encode(stored[section.key][1]) == snapshots.encode(live), (
                section.key,
                period,
            )


def test_labels_are_stored_in_every_language_and_read_in_the_readers(files):
    scope = Scope.agency(files.agency)
    with translation.override("fr"):
        snapshots.refresh(scope, today=TODAY)
    flow = snapshots.read(scope, Q3, Q3.previous())["flow"][1]
    by_court = selectors.result_of(flow, "received_by_court")
    by_source = selectors.result_of(flow, "received_by_source")
    with translation.override("en"):
        assert [str(row.label) for row in by_court.rows] == [files.court.name_en]
        assert [str(row.label) for row in by_source.rows] == ["Court or Crown"]
    with translation.override("fr"):
        assert [str(row.label) for row in by_court.rows] == [files.court.name_fr]
        assert [str(row.label) for row in by_source.rows] == ["Tribunal ou Couronne"]


def test_the_page_reads_a_fresh_snapshot_says_as_of_when_and_counts_a_stale_one_again(
    client, files
):
    client.force_login(files["manager"])
    url = f"/en/a/{files.agency.slug}/figures/?{Q3_QUERY}"
    snapshots.refresh(Scope.agency(files.agency), today=TODAY)
    # A referral arrives after the summary: the page shows the summary, and says so.
    referral(files.agency, files.court, date(2026, 7, 20))
    page = client.get(url).content.decode()
    assert "Figures as of" in page
    french = client.get(url.replace("/en/", "/fr/", 1)).content.decode()
    assert "Statistiques à jour au" in french
    assert _received(client, url) == 4
    # Once the summary is older than FIGURES_SNAPSHOT_FRESH_MINUTES, the page counts again.
    Snapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=21))
    assert _received(client, url) == 5
    assert "Figures as of" not in client.get(url).content.decode()


def _received(client, url) -> int:
    sections = client.get(url).context["sections"]
    flow = dict((section.key, results) for section, results in sections)["flow"]
    return selectors.result_of(flow, "received").current


def test_another_agencys_snapshot_is_never_read(client, files):
    snapshots.refresh(Scope.agency(files.agency), today=TODAY)
    client.force_login(files["other_manager"])
    response = client.get(f"/en/a/{files.other_agency.slug}/figures/?{Q3_QUERY}")
    assert response.context["sections"].as_of is None
    assert _received(client, f"/en/a/{files.other_agency.slug}/figures/?{Q3_QUERY}") == 6
    # Positive control: the agency summarised reads its snapshot.
    client.force_login(files["manager"])
    response = client.get(f"/en/a/{files.agency.slug}/figures/?{Q3_QUERY}")
    assert response.context["sections"].as_of is not None


def test_a_dashboard_read_from_snapshots_takes_the_same_few_queries_whatever_the_rows(files):
    scope = Scope.agency(files.agency)
    snapshots.refresh(scope, today=TODAY)
    audiences = {"cases", "fees", "outreach"}
    with CaptureQueriesContext(connection) as few:
        sections = selectors.dashboard(scope=scope, period=Q3, audiences=audiences)
    many(30, files.agency, files.court, date(2026, 7, 7))
    snapshots.refresh(scope, today=TODAY)
    with CaptureQueriesContext(connection) as more:
        selectors.dashboard(scope=scope, period=Q3, audiences=audiences)
    # Noting the read, then the snapshots in the agency's confidential transaction (a
    # savepoint, naming the agency, the read, the release).
    assert len(few) == len(more) == 5
    assert sections.as_of is not None


def test_a_summarised_period_counted_on_the_spot_asks_the_worker_after_commit(
    client, files, django_capture_on_commit_callbacks
):
    client.force_login(files["manager"])
    base = f"/en/a/{files.agency.slug}/figures/"
    with mock.patch.object(tasks.refresh_scope, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(base).status_code == 200  # the last 12 months
        delay.assert_called_once_with(f"agency:{files.agency.pk}")
        delay.reset_mock()
        # A period of one's own choosing is never summarised: nothing to ask.
        with django_capture_on_commit_callbacks(execute=True):
            client.get(f"{base}?period=custom&start=2026-07-02&end=2026-09-30")
        delay.assert_not_called()


def test_with_the_broker_down_the_page_works_and_the_periodic_job_refreshes_the_scope(
    client, files, django_capture_on_commit_callbacks
):
    client.force_login(files["manager"])
    with mock.patch.object(tasks.refresh_scope, "delay", side_effect=OSError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(f"/en/a/{files.agency.slug}/figures/").status_code == 200
        assert tasks.refresh_due_scopes() == 1
    today = timezone.localdate()
    last_12 = presets(today)["last_12_months"]
    assert snapshots.read(Scope.agency(files.agency), last_12, last_12.previous())
    assert snapshots.due() == []


def test_a_read_is_noted_at_most_once_an_hour(files):
    scope = Scope.agency(files.agency)
    snapshots.note_read(scope)
    first = WatchedScope.objects.get(scope=scope.key).read_at
    snapshots.note_read(scope)
    assert WatchedScope.objects.get(scope=scope.key).read_at == first
    WatchedScope.objects.update(read_at=first - timedelta(minutes=61))
    snapshots.note_read(scope)
    assert WatchedScope.objects.get(scope=scope.key).read_at > first


def test_due_scopes_are_read_lately_not_refreshed_today_or_lately_and_not_held(files):
    now = timezone.now()
    today_start = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time())
    )
    rows = {
        "agency:1": dict(read_at=now, refreshed_at=None),
        "agency:2": dict(read_at=now, refreshed_at=now - timedelta(minutes=11)),
        "agency:3": dict(read_at=now, refreshed_at=today_start - timedelta(seconds=1)),
        "agency:4": dict(read_at=now, refreshed_at=max(now - timedelta(minutes=5), today_start)),
        "agency:5": dict(read_at=now - timedelta(days=15), refreshed_at=None),
        "agency:6": dict(read_at=now, refreshed_at=None, lease_until=now + timedelta(minutes=1)),
        "agency:7": dict(read_at=now, refreshed_at=None, lease_until=now - timedelta(minutes=1)),
    }
    for key, values in rows.items():
        WatchedScope.objects.create(scope=key, **values)
    assert sorted(snapshots.due()) == ["agency:1", "agency:2", "agency:3", "agency:7"]


def test_a_scope_held_by_one_worker_is_not_refreshed_by_another(files):
    key = Scope.agency(files.agency).key
    WatchedScope.objects.create(scope=key, read_at=timezone.now())
    assert snapshots.claim(key) is True
    assert snapshots.claim(key) is False
    assert tasks.refresh_scope(key) == 0
    assert not Snapshot.objects.exists()
    # The lease ends (the worker died; the lease is longer than the time before a retry):
    # another takes it.
    WatchedScope.objects.update(
        lease_until=timezone.now() - timedelta(seconds=1),
        attempted_at=timezone.now() - timedelta(minutes=16),
    )
    assert tasks.refresh_scope(key) > 0
    assert WatchedScope.objects.get(scope=key).lease_until is None


def _aged(minutes):
    """Every snapshot made `minutes` older."""
    Snapshot.objects.update(computed_at=F("computed_at") - timedelta(minutes=minutes))


def test_a_refresh_drops_the_periods_no_longer_summarised_once_no_page_reads_them(files, settings):
    scope = Scope.agency(files.agency)
    tomorrow = {(p.start, p.end) for p in snapshots.periods(TODAY + timedelta(days=1))}
    snapshots.refresh(scope, today=TODAY)
    # The next day: yesterday's periods are still fresh, and still what they say.
    snapshots.refresh(scope, today=TODAY + timedelta(days=1))
    ends = set(Snapshot.objects.values_list("start", "end").distinct())
    assert (date(2025, 10, 1), TODAY) in ends and tomorrow < ends
    # Past the freshness window no page reads them: the next refresh drops them.
    _aged(settings.FIGURES_SNAPSHOT_FRESH_MINUTES + 1)
    snapshots.refresh(scope, today=TODAY + timedelta(days=1))
    assert set(Snapshot.objects.values_list("start", "end").distinct()) == tomorrow


def test_a_period_a_person_asked_for_outlives_a_refresh_while_their_page_waits(files):
    scope = Scope.agency(files.agency)
    chosen = Period(date(2026, 7, 2), date(2026, 9, 30))
    sections = {section.key for section in snapshots.sections_of(scope)}
    snapshots.count_period(scope, chosen)
    # The worker's refresh of the scope ends after the count was stored (or began before it).
    snapshots.refresh(scope, today=TODAY)
    assert set(snapshots.read(scope, chosen, chosen.previous())) == sections
    # Positive control: once no page reads it, a refresh drops it.
    _aged(30)
    snapshots.refresh(scope, today=TODAY)
    assert snapshots.read(scope, chosen, chosen.previous()) == {}
    assert not Snapshot.objects.filter(start=chosen.start, end=chosen.end).exists()


def test_scopes_nobody_reads_lose_their_watch_and_their_snapshots(files):
    read, unread = Scope.agency(files.agency), Scope.agency(files.other_agency)
    for scope in (read, unread):
        snapshots.note_read(scope)
        snapshots.refresh(scope, today=TODAY)
    WatchedScope.objects.filter(scope=unread.key).update(
        read_at=timezone.now() - timedelta(days=15)
    )
    assert tasks.remove_unwatched_snapshots() > 0
    assert set(Snapshot.objects.values_list("scope", flat=True)) == {read.key}
    assert list(WatchedScope.objects.values_list("scope", flat=True)) == [read.key]


def test_a_scope_key_names_the_scope_and_nothing_else_is_read_back():
    for scope in (
        Scope.province(),
        Scope(agencies=frozenset({12})),
        Scope.of_courts([7, 3]),
    ):
        assert Scope.from_key(scope.key) == scope
    assert Scope.of_courts([7, 3]).key == "courts:3,7"
    for key in ("agency:", "agency:1,2", "region:1", "province:1", "agency:x"):
        with pytest.raises(ValueError):
            Scope.from_key(key)


def test_each_kind_of_scope_is_summarised_for_the_sections_its_pages_and_reports_show(world):
    def keys(scope):
        return [section.key for section in snapshots.sections_of(scope)]

    everything = ["flow", "timeliness", "attendance", "outcomes", "rereferral", "fees"]
    assert keys(Scope.agency(world.agency)) == [*everything, "outreach", "court"]
    assert keys(Scope.of_courts([world.court.pk])) == ["court"]
    assert keys(Scope.province()) == [*everything, "court"]


def _planning(*_args):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        return cursor.fetchone()


def test_a_section_is_counted_with_jit_off_and_memory_to_hash_in(world):
    """JIT compiles for longer than these aggregates run; with PostgreSQL's 4 MB, a list as
    long as a table is scanned again for each referral instead of hashed once."""
    section = Section("probe", "Probe", "cases", (), _planning)
    counted = snapshots.compute(section, Scope.agency(world.agency), Q3, Q3.previous())
    assert counted == ("off", COUNTING_WORK_MEM)
    # Positive control: the settings hold for that transaction only.
    assert _planning() == ("on", "4MB")


def test_the_provinces_roll_up_is_counted_with_jit_off_and_memory_to_hash_in(world):
    seen = []

    def watch(execute, sql, params, many, context):
        if "referrals_referral" in sql and not seen:
            seen.append(_planning())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        rollup.counts(list(rollup.rollup_figures().values()), Q3, Q3.previous())
    assert seen == [("off", COUNTING_WORK_MEM)]
    assert _planning() == ("on", "4MB")


def _section(client, url, key):
    response = client.get(url)
    return response, dict((s.key, r) for s, r in response.context["sections"])[key]


def test_hidden_outreach_counts_stored_by_a_french_worker_read_in_english(client, world):
    build_outreach(world)
    translation.deactivate()  # the worker: no language activated, the site's default (fr)
    snapshots.refresh(Scope.agency(world.agency), today=TODAY)
    client.force_login(world["manager"])
    response, outreach = _section(
        client, f"/en/a/{world.agency.slug}/figures/?{Q3_QUERY}", "outreach"
    )
    assert response.context["sections"].as_of is not None
    views = selectors.result_of(outreach, "outreach_views_safety")
    assert str(views.rows[0].current) == "hidden"
    assert "masqué" not in response.content.decode()


def test_rows_named_after_agencies_follow_the_readers_alphabet_from_a_french_worker(client, world):
    world.other_agency.name_fr, world.other_agency.name_en = "Accueil Lakehead", "Zenith Lakehead"
    world.other_agency.save()
    many(7, world.agency, world.court, date(2026, 7, 6))
    many(6, world.other_agency, world.court, date(2026, 8, 3))
    translation.deactivate()
    snapshots.refresh(Scope.of_courts([world.court.pk]), today=TODAY)
    client.force_login(world["liaison"])
    for language, expected in (
        ("en", ["River Services", "Zenith Lakehead"]),
        ("fr", ["Accueil Lakehead", world.agency.name_fr]),
    ):
        response, court = _section(client, f"/{language}/court/figures/?{Q3_QUERY}", "court")
        assert response.context["sections"].as_of is not None
        received = selectors.result_of(court, "court_received")
        assert [str(row.label) for row in received.rows] == expected


@pytest.mark.parametrize(
    "damage",
    [
        {"format": snapshots.FORMAT + 1},
        {"results": [{"figure": "a_figure_no_longer_counted"}]},
        {"results": {"not": "a list"}},
    ],
    ids=["another format", "a figure gone", "malformed"],
)
def test_a_snapshot_of_another_version_or_malformed_is_counted_on_the_spot(client, files, damage):
    snapshots.refresh(Scope.agency(files.agency), today=TODAY)
    referral(files.agency, files.court, date(2026, 7, 20))
    Snapshot.objects.filter(section="flow").update(**damage)
    client.force_login(files["manager"])
    url = f"/en/a/{files.agency.slug}/figures/?{Q3_QUERY}"
    assert client.get(url).status_code == 200
    assert _received(client, url) == 5  # counted on the spot: the referral added after
    # Positive control: the sections left intact are still read from their snapshots.
    assert client.get(url).context["sections"].as_of is not None


def test_a_refresh_that_failed_is_not_begun_again_before_the_refresh_interval(files):
    key = Scope.agency(files.agency).key
    WatchedScope.objects.create(scope=key, read_at=timezone.now())
    with (
        mock.patch.object(snapshots, "refresh", side_effect=RuntimeError("timeout")),
        pytest.raises(RuntimeError),
    ):
        tasks.refresh_scope(key)
    assert WatchedScope.objects.get(scope=key).lease_until is None
    # Every page view asks again: none begins until FIGURES_SNAPSHOT_REFRESH_MINUTES pass.
    assert tasks.refresh_scope(key) == 0
    assert snapshots.due() == []
    WatchedScope.objects.update(attempted_at=timezone.now() - timedelta(minutes=11))
    assert snapshots.due() == [key]
    assert tasks.refresh_scope(key) > 0
    # Once one succeeded, the next is not held back.
    assert snapshots.claim(key) is True


def test_with_the_broker_down_a_scope_that_fails_leaves_the_others_refreshed(files):
    first, second = Scope.agency(files.agency), Scope.agency(files.other_agency)
    for scope in (first, second):
        WatchedScope.objects.create(scope=scope.key, read_at=timezone.now())
    refresh = snapshots.refresh

    def failing_for_first(scope, today=None):
        if scope == first:
            raise RuntimeError("this scope fails")
        return refresh(scope, today)

    with (
        mock.patch.object(tasks.refresh_scope, "delay", side_effect=OSError("broker down")),
        mock.patch.object(snapshots, "refresh", failing_for_first),
    ):
        assert tasks.refresh_due_scopes() == 2
    assert set(Snapshot.objects.values_list("scope", flat=True)) == {second.key}


def _table(regions):
    return [
        (str(region.total.label), region.total.current, region.total.previous) for region in regions
    ] + [
        (str(agency.label), agency.current, agency.previous)
        for region in regions
        for agency in region.agencies
    ]


def test_the_provinces_roll_up_is_read_from_its_summary_as_it_would_be_counted(files):
    figures = list(rollup.rollup_figures().values())
    live = rollup.rollups(figures, rollup.counts(figures, Q3, Q3.previous()))
    snapshots.refresh(Scope.province(), today=TODAY)
    # A referral after the summary: the roll-up read from it does not count it.
    referral(files.agency, files.court, date(2026, 7, 20))
    with CaptureQueriesContext(connection) as queries:
        stored = snapshots.rollups(figures, Q3, Q3.previous())
    assert len(queries) == 2  # the summary, the agencies
    for figure in figures:
        assert _table(stored[figure.key]) == _table(live[figure.key]), figure.key
    # Positive control: once stale, it is counted again, the new referral with it.
    Snapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=21))
    recounted = snapshots.rollups([rollup.rollup_figures()["received"]], Q3, Q3.previous())
    [river] = [
        agency
        for region in recounted["received"]
        for agency in region.agencies
        if agency.by == str(files.agency.pk)
    ]
    assert river.current == 5


def test_the_database_refuses_an_outreach_summary_stored_in_the_clear(world):
    def stored(**fields):
        return Snapshot.objects.create(
            scope=f"agency:{world.agency.pk}",
            agency=world.agency,
            section="outreach",
            start=Q3.start,
            end=Q3.end,
            previous_start=Q3.previous().start,
            previous_end=Q3.previous().end,
            computed_at=timezone.now(),
            format=snapshots.FORMAT,
            results=[],
            **fields,
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        stored(confidential=False)
    # Positive control: the same row, confidential, is stored.
    assert stored(confidential=True).pk
