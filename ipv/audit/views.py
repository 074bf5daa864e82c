from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ipv.audit.filters import TrailFilter
from ipv.audit.selectors import agency_trail
from ipv.core.permissions import requires

PAGE_SIZE = 50


@requires("audit.view")
@require_GET
def trail(request):
    filterset = TrailFilter(
        request.GET, queryset=agency_trail(agency=request.agency), agency=request.agency
    )
    events = filterset.qs.select_related("actor", "subject")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"filter": filterset, "page": page})
