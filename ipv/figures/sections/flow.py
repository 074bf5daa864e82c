"""Flow: the referrals that arrive, and what becomes of them before the program starts."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directory.models import Court, Program
from ipv.core.choices import Language
from ipv.core.i18n import read_later
from ipv.figures.definitions import (
    Figure,
    Result,
    Section,
    referral_breakdown,
    referral_counts,
)
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Referral, ReferralSource, Status, Stream


def received_in(period: Period) -> Q:
    return Q(received_on__range=(period.start, period.end))


def closed_as(status: str):
    """Referrals that closed with `status` in the period (a closed status is final)."""

    def where(period: Period) -> Q:
        return Q(status=status, status_changed_at__gte=period.starts_at) & Q(
            status_changed_at__lt=period.ends_before
        )

    return where


def _received(by: str = ""):
    def where(period: Period) -> Q:
        return received_in(period) & ~Q(via=Referral.Via.TRANSFER)

    return where


RECEIVED_DEFINITION = _(
    "Referrals that arrived in the period (their date received), entered by the agency or sent "
    "by a court. Referrals received by transfer from another agency are counted apart."
)
RECEIVED = Figure("received", _("Referrals received"), RECEIVED_DEFINITION, where=_received())
RECEIVED_BY_SOURCE = Figure(
    "received_by_source",
    _("Referrals received, by who referred"),
    RECEIVED_DEFINITION,
    where=_received(),
    by="source",
)
RECEIVED_BY_STREAM = Figure(
    "received_by_stream",
    _("Referrals received, by court stream"),
    RECEIVED_DEFINITION,
    where=_received(),
    by="stream",
)
RECEIVED_BY_PROGRAM = Figure(
    "received_by_program",
    _("Referrals received, by program"),
    RECEIVED_DEFINITION,
    where=_received(),
    by="program",
)
RECEIVED_BY_COURT = Figure(
    "received_by_court",
    _("Referrals received, by court"),
    RECEIVED_DEFINITION,
    where=_received(),
    by="court",
)
RECEIVED_BY_LANGUAGE = Figure(
    "received_by_language",
    _("Referrals received, by the person's language"),
    RECEIVED_DEFINITION,
    where=_received(),
    by="participant__language",
)
TRANSFERRED_IN = Figure(
    "transferred_in",
    _("Received by transfer"),
    _(
        "Referrals another agency transferred here that arrived in the period: the person "
        "moved, and the modules they attended come with them."
    ),
    where=lambda period: received_in(period) & Q(via=Referral.Via.TRANSFER),
)
ACCEPTED = Figure(
    "accepted",
    _("Referrals accepted"),
    _(
        "Referrals the agency took on in the period: e-referrals on the day they were "
        "accepted, referrals the agency entered on the day they were entered. Transfers are "
        "not counted."
    ),
    where=lambda period: (
        Q(accepted_at__gte=period.starts_at, accepted_at__lt=period.ends_before)
        & ~Q(via=Referral.Via.TRANSFER)
    ),
)
RETURNED = Figure(
    "returned",
    _("Returned to court"),
    _(
        "Referrals returned to the court in the period because the person was not eligible "
        "or could not start."
    ),
    where=closed_as(Status.RETURNED_TO_COURT),
)
WITHDRAWN = Figure(
    "withdrawn",
    _("Withdrawn"),
    _("Referrals withdrawn in the period, at any step before completion."),
    where=closed_as(Status.WITHDRAWN),
)
TRANSFERRED_OUT = Figure(
    "transferred_out",
    _("Transferred to another agency"),
    _("Referrals that moved to another agency in the period (the transfer was accepted)."),
    where=closed_as(Status.TRANSFERRED),
)
WAITLIST = Figure(
    "waitlist",
    _("On the waitlist today"),
    _(
        "People found eligible at intake who wait for a place in a group today, whatever the "
        "period chosen."
    ),
    where=lambda period: Q(status=Status.WAITLISTED),
)

COUNTS = (RECEIVED, TRANSFERRED_IN, ACCEPTED, RETURNED, WITHDRAWN, TRANSFERRED_OUT)
BREAKDOWNS = (
    RECEIVED_BY_SOURCE,
    RECEIVED_BY_STREAM,
    RECEIVED_BY_PROGRAM,
    RECEIVED_BY_COURT,
    RECEIVED_BY_LANGUAGE,
)


def _labels(scope: Scope, base) -> dict[str, dict]:
    courts = Court.objects.filter(pk__in=base.values("court").distinct())
    return {
        "source": dict(ReferralSource.choices),
        "stream": dict(Stream.choices),
        "program": dict(Program.choices),
        "court": {court.pk: read_later(court, "name") for court in courts},
        "participant__language": dict(Language.choices),
    }


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    base = scope.rows(Referral.objects.all(), court="court")
    counts = referral_counts(base, COUNTS, current, previous)
    results = [Result(figure, *counts[figure.key]) for figure in COUNTS]
    waiting = base.filter(WAITLIST.where(current)).count()
    results.append(Result(WAITLIST, waiting, None))
    window = base.filter(received_in(current) | received_in(previous))
    labels = _labels(scope, window)
    for figure in BREAKDOWNS:
        rows = referral_breakdown(window, figure, current, previous, labels[figure.by])
        results.append(
            Result(figure, sum(r.current for r in rows), sum(r.previous for r in rows), rows)
        )
    return results


SECTION = Section(
    "flow",
    _("Referrals"),
    "cases",
    (
        RECEIVED,
        *BREAKDOWNS,
        TRANSFERRED_IN,
        ACCEPTED,
        RETURNED,
        WITHDRAWN,
        TRANSFERRED_OUT,
        WAITLIST,
    ),
    compute,
)
