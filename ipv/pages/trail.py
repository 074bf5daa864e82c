"""The agency's audit trail: what happened in the agency, and the sign-ins of the people who
work there while they work there. It reads the audit events (ipv.audit) through the agency's
memberships (ipv.accounts), so it lives above both."""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ipv.accounts.models import Membership
from ipv.audit.models import AuditEvent
from ipv.core.permissions import requires
from ipv.pages.trail_filters import TrailFilter

PAGE_SIZE = 50


def agency_trail(*, agency) -> QuerySet[AuditEvent]:
    """What happened in the agency, and the sign-ins of the people who work there while they
    work there: nothing of what someone does before joining or after leaving."""
    working_then = Membership.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("at")),
        agency=agency,
        user_id=OuterRef("subject_id"),
        created_at__lte=OuterRef("at"),
    )
    return AuditEvent.objects.filter(
        Q(agency=agency) | Q(agency__isnull=True, subject__isnull=False) & Exists(working_then)
    ).order_by("-at", "-id")


@requires("audit.view")
@require_GET
def trail(request):
    filterset = TrailFilter(
        request.GET, queryset=agency_trail(agency=request.agency), agency=request.agency
    )
    events = filterset.qs.select_related("actor", "subject")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"filter": filterset, "page": page})
