from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directory import selectors
from directory.filters import AgencyFilter, SupportServiceFilter
from ipv.core.permissions import public

PAGE_SIZE = 20


def _search_page(request, filterset, template):
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, {"filter": filterset, "page": page})


@public
@require_GET
def agency_list(request):
    filterset = AgencyFilter(request.GET, queryset=selectors.agencies_published())
    return _search_page(request, filterset, "directory/agency_list.html")


@public
@require_GET
def agency_detail(request, slug):
    agency = selectors.agency_get_published(slug=slug)
    return render(request, "directory/agency_detail.html", {"agency": agency})


@public
@require_GET
def service_list(request):
    filterset = SupportServiceFilter(request.GET, queryset=selectors.services_published())
    return _search_page(request, filterset, "directory/service_list.html")
