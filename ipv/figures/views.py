"""The agency's dashboard and the lists of cases behind its figures."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ipv.core.permissions import requires
from ipv.core.replica import reads_from_replica
from ipv.figures import selectors
from ipv.figures.periods import period_from
from ipv.figures.scope import Scope

PAGE_SIZE = 50


def audiences(membership) -> set[str]:
    """Which sections of the agency's dashboard a member reads: the case half for case
    workers, the fees with them where fees may be seen, the outreach half (counts only) for
    partner-contact workers and managers."""
    readable = set()
    if membership.can("referrals.view"):
        readable.add("cases")
    if membership.can("fees.view"):
        readable.add("fees")
    if membership.can("figures.outreach"):
        readable.add("outreach")
    return readable


@requires("figures.view")
@require_GET
@reads_from_replica
def agency_dashboard(request):
    form, period = period_from(request.GET)
    readable = audiences(request.membership)
    sections = []
    if period is not None:
        sections = selectors.dashboard(
            scope=Scope.agency(request.agency),
            period=period,
            audiences=readable,
            now=selectors.counted_now(request),
        )
    if waiting := selectors.waiting_answer(request, sections):
        return waiting
    context = {
        "form": form,
        "period": period,
        "previous": period.previous() if period else None,
        "sections": sections,
        "lists": "cases" in readable,
    }
    return render(request, "figures/agency_dashboard.html", context)


@requires("referrals.view")
@require_GET
@reads_from_replica
def agency_cases(request, key):
    figure = selectors.listed_figure(key, audiences(request.membership))
    form, period = period_from(request.GET)
    referrals = []
    if period is not None:
        referrals = selectors.cases(
            scope=Scope.agency(request.agency),
            figure=figure,
            period=period,
            by=request.GET.get("by", "")[:40],
        ).select_related("participant", "court")
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"figure": figure, "form": form, "period": period, "page": page}
    return render(request, "figures/agency_cases.html", context)
