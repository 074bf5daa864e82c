"""Summaries of the figures, kept by the worker, so that a dashboard does not count years of
files while the person waits.

For each scope read lately (an agency, a court liaison officer's courts, the province), the
worker computes every section for the periods people ask for most (periods.presets: the last 12
months, this quarter, last year…) and stores the results (Snapshot). A dashboard asked for one
of those periods reads them when they are fresh (computed within FIGURES_SNAPSHOT_FRESH_MINUTES)
and says as of when; any other period, or a scope not summarised yet, is counted on the spot,
or, for a scope too large to count while the person waits, by the worker (count_period) while
their page waits for it. The lists behind the figures are always read on the spot.

Results are stored as JSON, labels in every language of the site: a page shows them in its
reader's language whoever's request made the worker count them.
"""

import datetime
import hashlib
import logging
from contextlib import nullcontext
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy

from ipv.core import replica
from ipv.core.i18n import current_language
from ipv.figures import rollup
from ipv.figures.aggregates import counting
from ipv.figures.catalogue import FIGURES, SECTIONS
from ipv.figures.definitions import HIDDEN, Result, Section, in_reading_order
from ipv.figures.models import Snapshot, WatchedScope
from ipv.figures.periods import Period, presets
from ipv.figures.scope import SUPPRESSED, Scope
from referrals.models import Referral
from victims.rls import confidential, every_agency

logger = logging.getLogger(__name__)

# What each kind of scope is read for (the audiences of its dashboards and reports): an
# agency's every section (its quarterly report has the court's too); a court's own; the
# province's every section counted beyond one agency.
AUDIENCES = {
    "agency": {"cases", "fees", "outreach", "court"},
    "courts": {"court"},
    "province": {"cases", "fees", "court"},
}
# The stored form's version: a snapshot of another is not read (counted on the spot instead,
# until the worker writes it again). Raise it when a Result's form or a figure's counting
# changes.
FORMAT = 2
# The province's roll-up by agency (ipv.figures.rollup) is stored beside its sections, as
# this section: {"figures": [keys], "rows": [[figure key, agency id, current, previous], …]}.
ROLLUP = "rollup"
# A scope nobody has read for this long is no longer refreshed (its snapshots expire).
WATCHED_FOR = datetime.timedelta(days=14)
# Reading a scope again within this time writes nothing (a page view is not a write).
READ_NOTED_EVERY = datetime.timedelta(hours=1)
# A period asked to be counted (ask_count) is not asked again within this many seconds: its
# page asks every few seconds while it waits.
COUNT_ASKED_EVERY = 120


def _fresh_after() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.FIGURES_SNAPSHOT_FRESH_MINUTES)


def sections_of(scope: Scope) -> list[Section]:
    """The sections a dashboard of `scope` may show (Section.one_agency kept to one agency)."""
    audiences = AUDIENCES[scope.key.partition(":")[0]]
    return [
        section
        for section in SECTIONS
        if section.audience in audiences
        and not (section.one_agency and scope.single_agency is None)
    ]


def compute(section: Section, scope: Scope, period: Period, previous: Period) -> list[Result]:
    """`section` counted on the spot, planned for counting (ipv.figures.aggregates). On the
    replica when the caller reads from it (ipv.core.replica)."""
    with counting(replica.read_alias()):
        return section.compute(scope, period, previous)


def periods(today: datetime.date) -> list[Period]:
    """The periods summarised, as of `today` (each once)."""
    return list(dict.fromkeys(presets(today).values()))


# Encoding: a Result as JSON. Numbers keep their type (money is a Decimal), the hidden marks
# their meaning, labels their words in every language.

_MARKS = {"suppressed": SUPPRESSED, "hidden": HIDDEN}


def _value(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, Promise):
        for name, mark in _MARKS.items():
            if value is mark:
                return {"mark": name}
        raise TypeError(f"No stored form for {value!r}.")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"No stored form for {value!r}.")


def _number(stored):
    if isinstance(stored, dict):
        if "decimal" in stored:
            return Decimal(stored["decimal"])
        return _MARKS[stored["mark"]]
    return stored


def _words(label) -> dict | str:
    if not isinstance(label, Promise):
        return label
    words = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            words[language] = str(label)
    return words


def _pick(words: dict) -> str:
    return words.get(current_language()) or next(iter(words.values()))


# A stored label read in the language active where it is shown.
_in_language = lazy(_pick, str)


def _figure(key: str, by: str):
    """The figure `key`, grouped by `by` (a section may count a figure by another field)."""
    figure = FIGURES[key]
    return figure if figure.by == by else replace(figure, by=by)


def encode(results: list[Result]) -> list[dict]:
    return [
        {
            "figure": result.figure.key,
            "figure_by": result.figure.by,
            "current": _value(result.current),
            "previous": _value(result.previous),
            "rows": encode(result.rows),
            "label": _words(result.label),
            "by": result.by,
            "months": [[month.isoformat(), _value(value)] for month, value in result.months],
            "counted": list(result.counted),
        }
        for result in results
    ]


def decode(stored: list[dict]) -> list[Result]:
    results = [
        Result(
            _figure(item["figure"], item["figure_by"]),
            _number(item["current"]),
            _number(item["previous"]),
            rows=decode(item["rows"]),
            label=_in_language(item["label"]) if isinstance(item["label"], dict) else item["label"],
            by=item["by"],
            months=[
                (datetime.date.fromisoformat(month), _number(value))
                for month, value in item["months"]
            ],
            counted=tuple(item["counted"]),
        )
        for item in stored
    ]
    for result in results:
        result.rows = in_reading_order(result.rows)
    return results


def _store_of(scope: Scope):
    """The transaction a scope's snapshots are read and written in: an agency's names it, for
    its confidential ones (ipv.figures.security)."""
    agency = scope.single_agency
    return confidential(agency) if agency else nullcontext()


def _dates(period: Period, previous: Period) -> dict:
    """A snapshot's period and the one it is compared with, as its fields."""
    return {
        "start": period.start,
        "end": period.end,
        "previous_start": previous.start,
        "previous_end": previous.end,
    }


def read(scope: Scope, period: Period, previous: Period) -> dict[str, tuple]:
    """The fresh snapshots of `scope` for `period` compared with `previous`:
    {section key: (computed_at, results)}, in one query. One that cannot be read (malformed,
    or naming a figure that no longer exists) has None for its results: counted on the spot
    instead."""
    with _store_of(scope):
        stored = list(
            Snapshot.objects.filter(
                scope=scope.key,
                **_dates(period, previous),
                format=FORMAT,
                computed_at__gte=_fresh_after(),
            )
            .exclude(section=ROLLUP)
            .values_list("section", "computed_at", "results")
        )
    found = {}
    for section, computed_at, results in stored:
        try:
            found[section] = (computed_at, decode(results))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError):
            logger.warning("The summary of %s for %s could not be read", section, scope.key)
            found[section] = (computed_at, None)
    return found


def _stored_rollup(period: Period, previous: Period) -> dict | None:
    stored = (
        Snapshot.objects.filter(
            scope=Scope.province().key,
            section=ROLLUP,
            **_dates(period, previous),
            format=FORMAT,
            computed_at__gte=_fresh_after(),
        )
        .values_list("results", flat=True)
        .first()
    )
    if stored is None:
        return None
    try:
        counted = {key: {} for key in stored["figures"]}
        for key, agency, now, before in stored["rows"]:
            counted[key][int(agency)] = (int(now), int(before))
    except (KeyError, TypeError, ValueError):
        logger.warning("The province's roll-up summary could not be read")
        return None
    return counted


def rollups(figures, period: Period, previous: Period, hidden=frozenset()) -> dict[str, list]:
    """The province's roll-up of each of `figures` (ipv.figures.rollup): from its fresh
    summary when there is one, else counted now. `hidden`: the page's hidden totals
    (selectors.Sections.hidden)."""
    counted = _stored_rollup(period, previous)
    if counted is None or any(figure.key not in counted for figure in figures):
        counted = rollup.counts(figures, period, previous)
    return rollup.rollups(figures, counted, hidden)


def note_read(scope: Scope) -> None:
    """Mark `scope` as read now, for the worker to keep its snapshots fresh: one statement,
    which writes only when the last mark is older than READ_NOTED_EVERY."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO figures_watchedscope AS watched (scope, read_at) VALUES (%s, %s)
            ON CONFLICT (scope) DO UPDATE SET read_at = EXCLUDED.read_at
            WHERE watched.read_at < %s
            """,
            [scope.key, now, now - READ_NOTED_EVERY],
        )


def ask_refresh(scope: Scope) -> None:
    """Ask the worker to summarise `scope` soon (after this transaction). If the broker is
    down, the periodic job does it (the scope is watched)."""
    from ipv.figures.tasks import refresh_scope

    def send():
        try:
            refresh_scope.delay(scope.key)
        except Exception:  # the broker is down: refresh_due_scopes will see it
            logger.warning("Could not ask for the figures of %s to be summarised", scope.key)

    transaction.on_commit(send)


def _may_try(now) -> Q:
    """Not held by a worker, and not failed within FIGURES_SNAPSHOT_REFRESH_MINUTES (a
    refresh that fails is not begun again at each page view)."""
    retry = now - datetime.timedelta(minutes=settings.FIGURES_SNAPSHOT_REFRESH_MINUTES)
    return (Q(lease_until__isnull=True) | Q(lease_until__lte=now)) & (
        Q(attempted_at__isnull=True)
        | Q(attempted_at__lte=retry)
        | Q(refreshed_at__gte=F("attempted_at"))
    )


def due() -> list[str]:
    """The watched scopes whose snapshots are due: read lately, and not refreshed since the
    start of today (the periods moved) or within FIGURES_SNAPSHOT_REFRESH_MINUTES."""
    now = timezone.now()
    start_of_day = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time.min)
    )
    stale = max(
        now - datetime.timedelta(minutes=settings.FIGURES_SNAPSHOT_REFRESH_MINUTES), start_of_day
    )
    return list(
        WatchedScope.objects.filter(read_at__gte=now - WATCHED_FOR)
        .filter(Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=stale))
        .filter(_may_try(now))
        .order_by(F("refreshed_at").asc(nulls_first=True))
        .values_list("scope", flat=True)
    )


def claim(key: str) -> bool:
    """Hold `key` for this worker for the lease; False when another worker holds it or its
    last refresh failed lately."""
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.FIGURES_SNAPSHOT_LEASE_SECONDS)
    with transaction.atomic():
        watched = (
            WatchedScope.objects.select_for_update(skip_locked=True)
            .filter(scope=key)
            .filter(_may_try(now))
            .first()
        )
        if watched is None:
            return False
        WatchedScope.objects.filter(pk=watched.pk).update(lease_until=lease, attempted_at=now)
    return True


def refresh(scope: Scope, today: datetime.date | None = None) -> int:
    """Compute and store every section of `scope` for each summarised period, then drop its
    snapshots no page reads any more. Returns how many snapshots were written."""
    today = today or timezone.localdate()
    began = timezone.now()
    summarised = periods(today)
    written = sum(_store_period(scope, period) for period in summarised)
    # Dropped: what no page reads any more (older than FIGURES_SNAPSHOT_FRESH_MINUTES), and
    # what this refresh did not write again of the periods it summarises (a section no longer
    # counted). A period a person asked for (count_period) stays for their page to read, even
    # when it was counted while this refresh ran.
    rewritten = Q()
    for period in summarised:
        rewritten |= Q(**_dates(period, period.previous()))
    with _store_of(scope):
        Snapshot.objects.filter(scope=scope.key).filter(
            Q(computed_at__lt=_fresh_after()) | (rewritten & Q(computed_at__lt=began))
        ).delete()
    WatchedScope.objects.filter(scope=scope.key).update(refreshed_at=began, lease_until=None)
    return written


def count_period(scope: Scope, period: Period) -> int:
    """Compute and store every section of `scope` for `period`, one a person asked for that is
    not summarised (or not yet): their page shows it when it is there. Returns how many
    snapshots were written."""
    return _store_period(scope, period)


def _store_period(scope: Scope, period: Period) -> int:
    """Every section of `scope` for `period`, compared with the one before, computed and
    stored (and the province's roll-up); how many snapshots were written."""
    previous = period.previous()
    written = 0
    for section in sections_of(scope):
        computed_at = timezone.now()
        results = compute(section, scope, period, previous)
        with _store_of(scope):
            Snapshot.objects.update_or_create(
                scope=scope.key,
                section=section.key,
                **_dates(period, previous),
                defaults={
                    "agency_id": scope.single_agency,
                    "confidential": section.one_agency,
                    "computed_at": computed_at,
                    "format": FORMAT,
                    "results": encode(results),
                },
            )
        written += 1
    if scope == Scope.province():
        _store_rollup(period, previous)
        written += 1
    return written


def too_long_to_count(scope: Scope) -> bool:
    """Whether counting `scope` while the person waits would keep them waiting: it holds more
    than FIGURES_COUNT_IN_REQUEST_REFERRALS referrals (read no further than that)."""
    limit = settings.FIGURES_COUNT_IN_REQUEST_REFERRALS
    referrals = scope.rows(Referral.objects.all(), court="court").values("pk")
    return referrals[: limit + 1].count() > limit


def ask_count(scope: Scope, period: Period) -> None:
    """Ask the worker to count `scope` for `period` (after this transaction): once in
    COUNT_ASKED_EVERY, however often the waiting page asks again. The mark is kept in
    PostgreSQL's cache, as sign-in throttling is; if the broker is down, the page offers to
    count on the spot."""
    from ipv.figures.tasks import count_period as count_task

    asked = hashlib.sha256(f"{scope.key}|{period.start}|{period.end}".encode()).hexdigest()
    if not caches["default"].add(f"figures-count:{asked}", True, COUNT_ASKED_EVERY):
        return

    def send():
        try:
            count_task.delay(scope.key, period.start.isoformat(), period.end.isoformat())
        except Exception:  # the broker is down: the page offers to count on the spot
            logger.warning("Could not ask for the figures of %s to be counted", scope.key)

    transaction.on_commit(send)


def _store_rollup(period: Period, previous: Period) -> None:
    computed_at = timezone.now()
    counted = rollup.counts(list(rollup.rollup_figures().values()), period, previous)
    rows = {
        "figures": list(counted),
        "rows": [
            [key, agency, now, before]
            for key, agencies in counted.items()
            for agency, (now, before) in agencies.items()
        ],
    }
    Snapshot.objects.update_or_create(
        scope=Scope.province().key,
        section=ROLLUP,
        **_dates(period, previous),
        defaults={"computed_at": computed_at, "format": FORMAT, "results": rows},
    )


def remove_unwatched() -> int:
    """Delete the scopes nobody has read for WATCHED_FOR, their snapshots, and any snapshot
    older than two days (of periods no longer summarised)."""
    now = timezone.now()
    gone = WatchedScope.objects.filter(read_at__lt=now - WATCHED_FOR)
    keys = list(gone.values_list("scope", flat=True))
    with every_agency():
        removed, _ = Snapshot.objects.filter(
            Q(scope__in=keys) | Q(computed_at__lt=now - datetime.timedelta(days=2))
        ).delete()
    gone.delete()
    return removed
