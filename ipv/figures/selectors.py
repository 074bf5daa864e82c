"""Reads of the figures: a dashboard's sections for a scope and a period, and the referrals
behind a figure."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ipv.figures import snapshots
from ipv.figures.catalogue import FIGURES, SECTION_OF
from ipv.figures.definitions import Figure, Result
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Referral


class Sections(list):
    """A dashboard's (section, results) pairs; `as_of` is when the oldest summary read was
    computed (None when everything was counted on the spot)."""

    as_of = None


def dashboard(*, scope: Scope, period: Period, audiences: set[str]) -> Sections:
    """The sections `audiences` may read, each with its results for `period` and the one
    before it: from the worker's summaries when fresh ones exist (snapshots), else counted on
    the spot (and, for a summarised period, the worker asked to summarise the scope)."""
    previous = period.previous()
    snapshots.note_read(scope)
    stored = snapshots.read(scope, period, previous)
    sections, missing = Sections(), False
    for section in snapshots.sections_of(scope):
        if section.audience not in audiences:
            continue
        if section.key in stored:
            computed_at, results = stored[section.key]
            sections.as_of = min(filter(None, (sections.as_of, computed_at)))
        else:
            results, missing = snapshots.compute(section, scope, period, previous), True
        if scope.beyond_agency:
            results = [result.hidden_when_small() for result in results]
        sections.append((section, results))
    if missing and period in snapshots.periods(timezone.localdate()):
        snapshots.ask_refresh(scope)
    return sections


def listed_figure(key: str, audiences: set[str]) -> Figure:
    """The figure `key` whose cases may be listed by someone reading `audiences`, or 404."""
    figure = FIGURES.get(key)
    if figure is None or not figure.lists_referrals or SECTION_OF[key].audience not in audiences:
        raise Http404
    return figure


def cases(*, scope: Scope, figure: Figure, period: Period, by: str = "") -> QuerySet:
    """The referrals counted by `figure` for `period` (and, for a breakdown, the row `by`),
    newest first."""
    referrals = scope.rows(Referral.objects.all(), court="court").filter(figure.where(period))
    if by:
        # A row's value is a code or an id: anything else names no row.
        if not figure.by or not (by.isascii() and by.replace("_", "").isalnum()):
            raise Http404
        field = Referral._meta.get_field(figure.by.split("__")[0])
        if field.is_relation and figure.by == field.name and not (by.isdigit() and len(by) < 19):
            raise Http404
        referrals = referrals.filter(**{figure.by: by})
    return referrals.order_by("-received_on", "-pk")


def result_of(results: list[Result], key: str) -> Result:
    return next(result for result in results if result.figure.key == key)
