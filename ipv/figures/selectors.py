"""Reads of the figures: a dashboard's sections for a scope and a period, and the referrals
behind a figure."""

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone

from ipv.figures import snapshots
from ipv.figures.catalogue import FIGURES, SECTION_OF
from ipv.figures.definitions import Figure, Result, hidden_together
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from referrals.models import Referral


class Sections(list):
    """A dashboard's (section, results) pairs; `as_of` is when the oldest summary read was
    computed (None when everything was counted on the spot); `counting` when the worker is
    counting them and the page is to wait (no pairs then)."""

    as_of = None
    counting = False
    # (column, count) of the referral counts whose total is hidden (definitions.hidden_together):
    # the roll-up hides a total of the same count too.
    hidden = frozenset()


def dashboard(*, scope: Scope, period: Period, audiences: set[str], now=False) -> Sections:
    """The sections `audiences` may read, each with its results for `period` and the one
    before it: from the worker's summaries when fresh ones exist (snapshots), else counted on
    the spot (and, for a summarised period, the worker asked to summarise the scope). A scope
    too large to count while the person waits is counted by the worker, the page waiting for
    it (Sections.counting), unless they ask for it `now`."""
    previous = period.previous()
    snapshots.note_read(scope)
    stored = snapshots.read(scope, period, previous)
    readable = [s for s in snapshots.sections_of(scope) if s.audience in audiences]
    summarised = period in snapshots.periods(timezone.localdate())
    sections, missing = Sections(), False
    if (
        not now
        and any(section.key not in stored for section in readable)
        and snapshots.too_long_to_count(scope)
    ):
        snapshots.ask_count(scope, period)
        if summarised:
            snapshots.ask_refresh(scope)
        sections.counting = True
        return sections
    for section in readable:
        if stored.get(section.key, (None, None))[1] is not None:
            computed_at, results = stored[section.key]
            sections.as_of = min(filter(None, (sections.as_of, computed_at)))
        else:
            results, missing = snapshots.compute(section, scope, period, previous), True
        sections.append((section, results))
    if scope.beyond_agency:
        # Read together: a total hidden in one section is hidden in the others.
        every = [result for _section, results in sections for result in results]
        shown, sections.hidden = hidden_together(every)
        shown = iter(shown)
        sections[:] = [(section, [next(shown) for _ in results]) for section, results in sections]
    if missing and summarised:
        snapshots.ask_refresh(scope)
    return sections


def counted_now(request) -> bool:
    """Whether the person asked for the page's figures counted on the spot (`now=1`)."""
    return request.GET.get("now") == "1"


def waiting_answer(request, sections: Sections) -> HttpResponse | None:
    """The answer to a page's question while it waits for its figures (htmx, from the element
    #figures-counting): nothing yet (204), or reload to show them. None for any other request."""
    if not (request.htmx and request.htmx.trigger == "figures-counting"):
        return None
    if getattr(sections, "counting", False):
        return HttpResponse(status=204)
    return HttpResponse(headers={"HX-Refresh": "true"})


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
