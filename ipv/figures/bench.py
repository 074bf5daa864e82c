"""Benchmark the figures, on the data every other bench has seeded (run it last).

The worker's summaries (ipv.figures.snapshots) of the bench agency and of the province are
refreshed first, and that refresh is timed: it is what the worker spends every few minutes
while people read those dashboards. Then the dashboards are timed as read from them, cold (a
new database connection, as after a deploy) and warm; the quarterly reports; and, for a period
nobody summarises, the page that waits while the worker counts it, the worker's count, and the
same dashboard counted on the spot when asked for it now.
"""

from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test import Client

from fees.bench import MANAGER
from ipv.figures.periods import Period, presets, quarter_of
from referrals.bench import AGENCY, TOTP_SECRET

PLATFORM_ADMIN = "bench-admin@bench.ipv.test"


def _platform_admin():
    from allauth.mfa.totp.internal.auth import TOTP

    from ipv.accounts.models import User

    user, created = User.objects.get_or_create(
        email=PLATFORM_ADMIN,
        defaults={"full_name": "Bench Administrator", "is_staff": True, "is_superuser": True},
    )
    if created:
        user.set_unusable_password()
        user.save()
        TOTP.activate(user, TOTP_SECRET)
    return user


def _agency_scope():
    from directory.models import Agency
    from ipv.figures.scope import Scope

    return Scope.agency(Agency.objects.get(slug=AGENCY))


def _refresh(scope):
    from ipv.figures import snapshots

    def run():
        snapshots.note_read(scope)
        snapshots.refresh(scope)

    return run


def seed() -> dict:
    """The platform administrator, and fresh summaries for the pages timed after."""
    from ipv.figures.scope import Scope

    _platform_admin()
    _refresh(_agency_scope())()
    _refresh(Scope.province())()
    return {}


def _last_quarter():
    from django.utils import timezone

    return quarter_of(quarter_of(timezone.localdate()).start - timedelta(days=1))


def _url(period) -> str:
    return f"?period=custom&start={period.start.isoformat()}&end={period.end.isoformat()}"


def _fresh_summaries() -> None:
    """Untimed: the summaries the pages below read, refreshed unless fresh (those of a data set
    seeded in an earlier run have gone stale since; the pages would then wait for the worker)."""
    from django.utils import timezone

    from ipv.figures import snapshots
    from ipv.figures.scope import Scope

    year = presets(timezone.localdate())["last_12_months"]
    for scope in (_agency_scope(), Scope.province()):
        stored = snapshots.read(scope, year, year.previous())
        if {section.key for section in snapshots.sections_of(scope)} - set(stored):
            _refresh(scope)()


def pages() -> list[tuple]:
    from django.utils import timezone

    _fresh_summaries()
    base = f"/fr/a/{AGENCY}/figures/"
    year = presets(timezone.localdate())["last_12_months"]
    return [
        ("figures: agency dashboard, last 12 months, warm", base, {}, MANAGER),
        (
            "figures: province dashboard, last 12 months, warm",
            "/fr/province/figures/",
            {},
            PLATFORM_ADMIN,
        ),
        (
            "figures: cases behind 'received', 12 months",
            f"{base}cases/received/{_url(year)}",
            {},
            MANAGER,
        ),
    ]


def _get(who: str, url: str, *, cold: bool, mark: str = 'id="figures-as-of"'):
    """A request by `who`, which must answer with `mark` in its page (by default: read from
    the summaries); cold: on a new database connection (PostgreSQL's caches of the session
    empty, as for the first request a new web process answers)."""
    from ipv.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=who))

    def setup():
        if cold:
            connection.close()

    def send():
        response = client.get(url)
        if response.status_code != 200 or mark.encode() not in response.content:
            raise RuntimeError(f"{url} answered {response.status_code} without {mark}")

    return setup, send


def _report(scope_of, name: str):
    from ipv.figures import exports

    def send():
        exports.quarterly_report(
            scope=scope_of(), name=name, period=_last_quarter(), file_format="xlsx", language="fr"
        )

    return send


def work() -> list[tuple]:
    from django.utils import timezone

    from ipv.figures.scope import Scope

    base = f"/fr/a/{AGENCY}/figures/"
    year = presets(timezone.localdate())["last_12_months"]
    # The same length of time, a day earlier: a period nobody summarises.
    shifted = Period(year.start - timedelta(days=1), year.end - timedelta(days=1))
    five = Period(year.end.replace(year=year.end.year - 5) + timedelta(days=1), year.end)
    items = []
    for name, who, url in (
        ("figures: agency dashboard, last 12 months, cold", MANAGER, base),
        (
            "figures: province dashboard, last 12 months, cold",
            PLATFORM_ADMIN,
            "/fr/province/figures/",
        ),
    ):
        setup, send = _get(who, url, cold=True)
        items.append((name, send, {"setup": setup}))
    items += [
        (
            "figures: quarterly report XLSX, bench agency, last quarter",
            _report(_agency_scope, "bench"),
            {"runs": 10},
        ),
        (
            "figures: quarterly report XLSX, province, last quarter",
            _report(Scope.province, "province"),
            {"runs": 10},
        ),
        (
            "figures: worker's refresh of the bench agency's summaries",
            _refresh(_agency_scope()),
            {"runs": 2, "warm": 0},
        ),
        (
            "figures: worker's refresh of the province's summaries",
            _refresh(Scope.province()),
            {"runs": 2, "warm": 0},
        ),
    ]
    # A period nobody summarises: the page answers that the worker is counting it (no broker
    # is measured: the task it would send is dropped), the worker counts it, or the person asks
    # for it counted now.
    _setup, send = _get(MANAGER, base + _url(shifted), cold=False, mark='id="figures-counting"')
    items += [
        (
            "figures: agency dashboard, 12 months a day earlier, the page while the worker counts",
            _waiting(send),
            {"setup": _forget(shifted), "runs": 20},
        ),
        (
            "figures: worker's count of the bench agency, 12 months a day earlier",
            _count(shifted),
            {"setup": _forget(shifted), "runs": 3, "warm": 1},
        ),
    ]
    for name, period in (
        ("figures: agency dashboard, 12 months a day earlier, counted now (now=1)", shifted),
        ("figures: agency dashboard, 5 years, counted now (now=1)", five),
    ):
        _setup, send = _get(
            MANAGER, base + _url(period) + "&now=1", cold=False, mark='id="section-flow"'
        )
        items.append((name, send, {"setup": _forget(period), "runs": 3, "warm": 1}))
    return items


def _forget(period):
    """Untimed: the bench agency's summaries of `period` deleted, as if never counted."""
    from ipv.figures.models import Snapshot
    from victims.rls import confidential

    def setup():
        scope = _agency_scope()
        with confidential(scope.single_agency):
            Snapshot.objects.filter(scope=scope.key, start=period.start, end=period.end).delete()

    return setup


def _waiting(send):
    def run():
        from ipv.figures import tasks

        with mock.patch.object(tasks.count_period, "delay"):
            send()

    return run


def _count(period):
    from ipv.figures import snapshots

    def run():
        snapshots.count_period(_agency_scope(), period)

    return run


# The floors: the hand-written SQL that fetches what each page shows (ipv.pages' bench command):
# a dashboard read warm is its scope's summaries for the period (and, for the province, the
# roll-up by agency).
SNAPSHOTS = (
    "SELECT section, computed_at, results FROM figures_snapshot WHERE scope = %s AND start = %s "
    'AND "end" = %s'
)


def floors() -> dict:
    from django.utils import timezone

    from ipv.figures.scope import Scope

    year = presets(timezone.localdate())["last_12_months"]
    return {
        "figures: agency dashboard, last 12 months, warm": [
            (SNAPSHOTS, [_agency_scope().key, year.start, year.end])
        ],
        "figures: province dashboard, last 12 months, warm": [
            (SNAPSHOTS, [Scope.province().key, year.start, year.end])
        ],
    }
