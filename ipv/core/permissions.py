"""Who may do what: one table of capabilities × roles, and the decorators views declare it with.

Every view states its access (`public`, `signed_in`, `liaison`, `platform_admin`, or
`requires(capability)` for agency pages). The permission matrix test does not read any of it:
its own hand-written table (tests/core/routes.py) says who may reach each route, and it fails
when a view lets in someone else or when a route is missing from that table.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from ipv.core.choices import Role

MANAGER, INTAKE, FACILITATOR, PARTNER_CONTACT = (
    Role.MANAGER,
    Role.INTAKE,
    Role.FACILITATOR,
    Role.PARTNER_CONTACT,
)
STAFF = frozenset(Role)

CAPABILITIES: dict[str, frozenset[Role]] = {
    # The agency's home page: every role.
    "agency.view": STAFF,
    # Staff: list, invite, change roles, deactivate, invitations.
    "staff.view": frozenset({MANAGER}),
    "staff.manage": frozenset({MANAGER}),
    # The agency's settings (separation of duties, confidential access…).
    "settings.manage": frozenset({MANAGER}),
    # The agency's audit trail.
    "audit.view": frozenset({MANAGER}),
    # The agency's outgoing messages that failed or wait too long; sending a failed one again.
    "messages.manage": frozenset({MANAGER}),
    # Referrals, participants, intake, transfers: the case workers' queue.
    "referrals.view": frozenset({MANAGER, INTAKE}),
    "referrals.manage": frozenset({MANAGER, INTAKE}),
    # A person's records request: everything the agency holds on a participant, as one PDF.
    # Decided by hand (not derived from referrals.view): the case workers who answer such a
    # request; never facilitators, partner-contact workers or the court.
    "records.request": frozenset({MANAGER, INTAKE}),
    # Groups, their sessions and attendance; facilitators see only the groups they run.
    "groups.view": frozenset({MANAGER, INTAKE, FACILITATOR}),
    "groups.manage": frozenset({MANAGER, INTAKE}),
    "attendance.take": frozenset({MANAGER, INTAKE, FACILITATOR}),
    "curriculum.view": frozenset({MANAGER, INTAKE, FACILITATOR}),
    "curriculum.manage": frozenset({MANAGER}),
    "calendar.own": frozenset({FACILITATOR}),
    # Certificates and court reports: issue, download, revoke.
    "documents.manage": frozenset({MANAGER, INTAKE}),
    # Fees: intake workers and managers only, never facilitators, partner-contact workers or
    # the court. Managers approve reductions and write the scale.
    "fees.view": frozenset({MANAGER, INTAKE}),
    "fees.record": frozenset({MANAGER, INTAKE}),
    "fees.approve": frozenset({MANAGER}),
    # A concern for someone's safety about a participant, sent to outreach without seeing
    # anything of the victims: facilitators only about the participants of their groups.
    "concerns.raise": frozenset({MANAGER, INTAKE, FACILITATOR}),
    # The agency's figures: case workers read the case half, partner-contact workers the
    # outreach half (counts only), managers both; facilitators none.
    "figures.view": frozenset({MANAGER, INTAKE, PARTNER_CONTACT}),
    "figures.outreach": frozenset({MANAGER, PARTNER_CONTACT}),
    # The quarterly statistical report: the agency's reports are its managers'.
    "figures.report": frozenset({MANAGER}),
    # The confidential store; managers only where the agency grants it (see `allows`).
    "victims.view": frozenset({PARTNER_CONTACT}),
}


@dataclass(frozen=True)
class Access:
    """How a view is reached: kind is public, signed_in, liaison, platform_admin or agency."""

    kind: str
    capability: str | None = None


def allows(*, roles: frozenset, agency, capability: str) -> bool:
    """True when someone with `roles` in `agency` has `capability` there."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if roles & CAPABILITIES[capability]:
        return True
    return capability == "victims.view" and MANAGER in roles and agency.managers_see_confidential


def _declare(view, access: Access):
    view.access = access
    return view


def public(view):
    """Anyone, signed in or not."""
    return _declare(view, Access("public"))


def signed_in(view):
    """Anyone signed in (with their second factor, see RequireMFAMiddleware)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _declare(wrapped, Access("signed_in"))


def liaison(view):
    """Court liaison officers; their court scoping is done by the selectors (404 elsewhere)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not hasattr(request.user, "liaison"):
            _deny(request, "liaison")
        return view(request, *args, **kwargs)

    return _declare(wrapped, Access("liaison"))


def is_platform_admin(user) -> bool:
    """A platform administrator: staff and superuser (the administration site's people)."""
    return user.is_authenticated and user.is_staff and user.is_superuser


def platform_admin(view):
    """The site's own pages for platform administrators (outside the administration site):
    anonymous people sign in, everyone else gets 403. Their second factor is asked for like
    everywhere (RequireMFAMiddleware)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_platform_admin(request.user):
            _deny(request, "platform_admin")
        return view(request, *args, **kwargs)

    return _declare(wrapped, Access("platform_admin"))


def requires(capability: str):
    """An agency page (`/a/<agency_slug>/…`) for the roles that have `capability`.

    AgencyMiddleware has already sent anonymous people to sign in and answered 404 to anyone
    who is not a member of the agency; here a member without the capability gets 403.
    """
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, agency_slug, **kwargs):
            if not request.membership.can(capability):
                _deny(request, capability)
            return view(request, *args, **kwargs)

        return _declare(wrapped, Access("agency", capability))

    return decorator


class AccessDenied(PermissionDenied):
    """A refusal by one of the decorators above, saying what was needed. The audit trail
    records it (ipv.audit.middleware), like every refusal of access."""

    def __init__(self, needed: str):
        super().__init__(needed)
        self.needed = needed


def _deny(request, needed: str):
    raise AccessDenied(needed)
