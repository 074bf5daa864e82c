"""Tenancy: each agency's data is reached under /<lang>/a/<agency_slug>/ by its members only.

AgencyMiddleware resolves the agency from the URL and the person's roles in it; selectors then
read through `scoped()` / `get_scoped_or_404()`, so another agency's object answers 404.
"""

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from directory.models import Agency
from ipv.core.permissions import allows


@dataclass(frozen=True)
class AgencyMembership:
    """A person's active roles in one agency."""

    agency: Agency
    roles: frozenset

    def can(self, capability: str) -> bool:
        return allows(roles=self.roles, agency=self.agency, capability=capability)

    def has_role(self, role: str) -> bool:
        return role in self.roles


def membership_for(user, agency_slug: str) -> AgencyMembership | None:
    """The user's active roles in the agency of that slug, or None if they have none."""
    rows = list(
        user.memberships.filter(agency__slug=agency_slug, is_active=True).select_related("agency")
    )
    if not rows:
        return None
    return AgencyMembership(agency=rows[0].agency, roles=frozenset(row.role for row in rows))


class AgencyMiddleware:
    """Sets request.agency and request.membership on agency pages (None elsewhere)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.agency = request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("agency_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_for(request.user, slug)
        if membership is None:
            # Not "forbidden": whether the agency exists is none of this person's business.
            raise Http404
        request.agency, request.membership = membership.agency, membership
        return None


def scoped(model_or_queryset, agency: Agency, *, via: str = "agency") -> models.QuerySet:
    """Rows of `agency` only. Every agency-owned model has its own `agency` foreign key; a
    row shared by two agencies (a transfer) names the other one in `via`."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    return queryset.filter(**{via: agency})


def get_scoped_or_404(model_or_queryset, *, agency: Agency, via: str = "agency", **lookup):
    """One row of `agency`, or 404 — also when it exists in another agency."""
    return get_object_or_404(scoped(model_or_queryset, agency, via=via), **lookup)
