"""Reads about people, always within one agency."""

from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef
from django.http import Http404

from ipv.accounts.models import Invitation, Membership, Role, User
from ipv.core.search import by_name
from ipv.core.tenancy import scoped


@dataclass
class StaffMember:
    user: User
    roles: list = field(default_factory=list)  # active roles, in Role order
    former_roles: list = field(default_factory=list)
    since: object = None
    has_mfa: bool = False

    @property
    def is_active(self) -> bool:
        return bool(self.roles)


def staff_list(*, agency, include_former: bool = False) -> list[StaffMember]:
    """The agency's people with their roles; former staff too when asked. One query."""
    rows = (
        scoped(Membership, agency)
        .select_related("user")
        .annotate(
            has_mfa=Exists(
                Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
            )
        )
        .order_by(*by_name("user__full_name"), "user__email", "role")
    )
    order = list(Role.values)
    people: dict[int, StaffMember] = {}
    for row in rows:
        member = people.setdefault(row.user_id, StaffMember(user=row.user, has_mfa=row.has_mfa))
        (member.roles if row.is_active else member.former_roles).append(row.role)
        member.since = min(filter(None, [member.since, row.created_at]))
    for member in people.values():
        member.roles.sort(key=order.index)
    return [m for m in people.values() if include_former or m.is_active]


def staff_member_get(*, agency, user_id: int) -> StaffMember:
    """One person who is or was on the agency's staff, or 404."""
    for member in staff_list(agency=agency, include_former=True):
        if member.user.pk == user_id:
            return member
    raise Http404


def invitations_pending(*, agency):
    return scoped(Invitation, agency).pending().select_related("invited_by")


def invitation_get(*, agency, pk: int) -> Invitation:
    from ipv.core.tenancy import get_scoped_or_404

    return get_scoped_or_404(Invitation, agency=agency, pk=pk)


def agencies_of(user) -> list:
    """The agencies where the person has an active role, each with their roles."""
    from ipv.accounts.tenancy import AgencyMembership

    rows = (
        user.memberships.filter(is_active=True).select_related("agency").order_by("agency__name_en")
    )
    agencies: dict[int, AgencyMembership] = {}
    for row in rows:
        current = agencies.get(row.agency_id)
        roles = (current.roles if current else frozenset()) | {row.role}
        agencies[row.agency_id] = AgencyMembership(agency=row.agency, roles=roles)
    return list(agencies.values())
