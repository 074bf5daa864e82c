"""The agency of an agency page and the person's roles in it (their memberships).

AgencyMiddleware resolves the agency from the URL, /<lang>/a/<agency_slug>/…; selectors then
read through ipv.core.tenancy's `scoped()` / `get_scoped_or_404()`, so another agency's object
answers 404.
"""

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from directory.models import Agency
from ipv.accounts.models import Membership
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
    # Unordered: the memberships' own order joins the person and sorts by agency name, on every
    # request, for rows of one agency.
    rows = list(
        Membership.objects.filter(user_id=user.pk, agency__slug=agency_slug, is_active=True)
        .select_related("agency")
        .order_by()
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
