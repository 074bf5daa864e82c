"""Every route × every person: sign-in redirect, 403, 404 or success as the permission table
says, the security headers on each response, and the second factor enforced everywhere.

Routes are read from the URL resolver; a route missing from ROUTES below fails the test, so a
new page cannot ship without saying who may see it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from ipv.accounts.middleware import MFA_SETUP_ROUTES
from ipv.core.permissions import Access, allows
from tests.conftest import AGENCY_ROLES

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    *AGENCY_ROLES,
    *(f"other_{role}" for role in AGENCY_ROLES),
    "liaison",
    "other_liaison",
    "admin",
    "no_mfa",
]

ADMIN = Access("admin")
PUBLIC = Access("public")
SIGNED_IN = Access("signed_in")


@dataclass
class Route:
    kwargs: Callable = lambda world: {}
    method: str = "GET"
    data: dict = field(default_factory=dict)
    # Routes of third-party apps (allauth, the admin) declare nothing: their access is here.
    access: Access | None = None
    # What a person allowed in gets (a redirect after an action, a form refused as empty…).
    allowed: frozenset = frozenset({200})
    # What anonymous people get on public routes.
    anonymous: frozenset = frozenset({200})
    # A court liaison page about one referral: 404 for an officer of another court.
    court_object: bool = False
    # What these people get, written down for them alone (it overrides the table's answer).
    people: dict = field(default_factory=dict)


def referral(world):
    return {"pk": world.referral.pk}


def agency_url(extra=None):
    def kwargs(world):
        return {"agency_slug": world.agency.slug, **(extra(world) if extra else {})}

    return kwargs


# A page the court must not know exists before the agency sends anything: 404 to officers.
NOT_THE_COURT = {"liaison": frozenset({404}), "other_liaison": frozenset({404})}

ROUTES = {
    "healthz": Route(),
    "root": Route(allowed=frozenset({302}), anonymous=frozenset({302})),
    "home": Route(),
    "directory:agency_list": Route(),
    "directory:agency_detail": Route(kwargs=lambda w: {"slug": w.agency.slug}),
    "directory:service_list": Route(),
    "accounts:landing": Route(allowed=frozenset({200, 302})),
    "accounts:invitation": Route(kwargs=lambda w: {"token": "unknown"}, anonymous=frozenset({404})),
    "accounts:sign_in_unlock": Route(
        kwargs=lambda w: {"token": "unknown"}, anonymous=frozenset({404})
    ),
    "account_email": Route(),
    "agency:home": Route(kwargs=agency_url()),
    "agency:staff": Route(kwargs=agency_url()),
    "agency:staff_invite": Route(kwargs=agency_url(), method="POST", allowed=frozenset({400})),
    "agency:staff_member": Route(kwargs=agency_url(lambda w: {"user_id": w["intake"].pk})),
    "agency:staff_deactivate": Route(
        kwargs=agency_url(lambda w: {"user_id": w["facilitator"].pk}),
        method="POST",
        allowed=frozenset({302}),
    ),
    "agency:invitation_resend": Route(
        kwargs=agency_url(lambda w: {"pk": w.invitation.pk}),
        method="POST",
        allowed=frozenset({302}),
    ),
    "agency:invitation_revoke": Route(
        kwargs=agency_url(lambda w: {"pk": w.invitation.pk}),
        method="POST",
        allowed=frozenset({302}),
    ),
    "agency:settings": Route(kwargs=agency_url()),
    "agency:audit": Route(kwargs=agency_url()),
    "agency:referral_queue": Route(kwargs=agency_url()),
    "agency:referral_new": Route(kwargs=agency_url()),
    "agency:referral_detail": Route(kwargs=agency_url(referral)),
    "agency:referral_edit": Route(kwargs=agency_url(referral)),
    # Already accepted (entered by the agency): refused with a message, back to the referral.
    "agency:referral_accept": Route(
        kwargs=agency_url(referral), method="POST", allowed=frozenset({302})
    ),
    "agency:referral_transition": Route(
        kwargs=agency_url(lambda w: {"pk": w.referral.pk, "transition": "contact"})
    ),
    "agency:intake_book": Route(kwargs=agency_url(referral)),
    # No intake booked yet: back to the referral, saying so.
    "agency:intake_missed": Route(kwargs=agency_url(referral), allowed=frozenset({302})),
    "agency:intake_record": Route(kwargs=agency_url(referral), allowed=frozenset({302})),
    "agency:referral_return": Route(kwargs=agency_url(referral), people=NOT_THE_COURT),
    "agency:transfer_request": Route(kwargs=agency_url(referral)),
    "agency:transfer_list": Route(kwargs=agency_url()),
    "agency:transfer_detail": Route(kwargs=agency_url(lambda w: {"pk": w.transfer.pk})),
    "agency:participant_detail": Route(
        kwargs=agency_url(lambda w: {"pk": w.referral.participant_id})
    ),
    "agency:participant_edit": Route(
        kwargs=agency_url(lambda w: {"pk": w.referral.participant_id})
    ),
    "agency:duplicate_resolve": Route(
        kwargs=agency_url(lambda w: {"pk": w.duplicate.pk}),
        method="POST",
        data={"same_person": "no"},
        allowed=frozenset({302}),
    ),
    "agency:group_list": Route(kwargs=agency_url()),
    "agency:group_new": Route(kwargs=agency_url()),
    "agency:group_detail": Route(kwargs=agency_url(lambda w: {"pk": w.group.pk})),
    "agency:group_edit": Route(kwargs=agency_url(lambda w: {"pk": w.group.pk})),
    "agency:session_roster": Route(kwargs=agency_url(lambda w: {"pk": w.session.pk})),
    "agency:roster_row": Route(
        kwargs=agency_url(lambda w: {"pk": w.session.pk, "referral_id": w.referral.pk}),
        method="POST",
    ),
    # Nothing typed: the roster again, the search field saying what it needs.
    "agency:session_makeup": Route(
        kwargs=agency_url(lambda w: {"pk": w.session.pk}), method="POST", allowed=frozenset({400})
    ),
    "agency:session_cancel": Route(kwargs=agency_url(lambda w: {"pk": w.session.pk})),
    "agency:session_move": Route(kwargs=agency_url(lambda w: {"pk": w.session.pk})),
    "agency:curriculum": Route(kwargs=agency_url()),
    "agency:curriculum_edit": Route(kwargs=agency_url(lambda w: {"program": "ipv"})),
    "agency:calendar_feed": Route(kwargs=agency_url()),
    # Not yet through intake: back to the referral, saying so.
    "agency:referral_enrol": Route(kwargs=agency_url(referral), allowed=frozenset({302})),
    "agency:certificate": Route(kwargs=agency_url(referral)),
    "agency:certificate_revoke": Route(kwargs=agency_url(referral)),
    # The preview of a report; nothing is issued before its confirmation.
    "agency:report_issue": Route(
        kwargs=agency_url(lambda w: {"pk": w.referral.pk, "kind": "progress"}),
        people=NOT_THE_COURT,
    ),
    "agency:report": Route(kwargs=agency_url(lambda w: {"pk": w.report.pk})),
    # Managers and intake workers only.
    "agency:court_documents": Route(
        kwargs=agency_url(), access=Access("agency", "documents.manage")
    ),
    "agency:report_replace": Route(
        kwargs=agency_url(lambda w: {"pk": w.report.pk}), people=NOT_THE_COURT
    ),
    "court:referral_certificate": Route(kwargs=referral, court_object=True),
    "court:referral_report": Route(
        kwargs=lambda w: {"pk": w.referral.pk, "report_pk": w.report.pk}, court_object=True
    ),
    "verify_form": Route(),
    "verify": Route(kwargs=lambda w: {"code": w.certificate.code}),
    "calendar_ics": Route(
        kwargs=lambda w: {"token": "not-a-token"},
        allowed=frozenset({404}),
        anonymous=frozenset({404}),
    ),
    "agency:fees": Route(kwargs=agency_url()),
    "agency:fees_export": Route(kwargs=agency_url(lambda w: {"kind": "outstanding"})),
    "agency:fees_export_xlsx": Route(kwargs=agency_url(lambda w: {"kind": "monthly"})),
    "agency:fee_schedule": Route(kwargs=agency_url()),
    "agency:fee_schedule_new": Route(kwargs=agency_url()),
    "agency:fee_decide": Route(kwargs=agency_url(lambda w: {"pk": w.reduction.pk})),
    "agency:fee_receipt": Route(kwargs=agency_url(lambda w: {"pk": w.payment.pk})),
    "agency:fee_void": Route(kwargs=agency_url(lambda w: {"pk": w.payment.pk})),
    "agency:fee_refund": Route(kwargs=agency_url(lambda w: {"pk": w.payment.pk})),
    "agency:referral_fees": Route(kwargs=agency_url(referral)),
    "agency:fee_assess": Route(kwargs=agency_url(referral)),
    "agency:fee_propose": Route(kwargs=agency_url(referral)),
    "agency:fee_instalments": Route(kwargs=agency_url(referral)),
    "agency:fee_payment": Route(kwargs=agency_url(referral)),
    "court:home": Route(),
    "court:referral_new": Route(),
    "court:referral": Route(kwargs=referral, court_object=True),
    # allauth
    "account_login": Route(access=PUBLIC, allowed=frozenset({302})),
    "account_logout": Route(access=PUBLIC, anonymous=frozenset({302})),
    "account_inactive": Route(access=PUBLIC),
    "account_signup": Route(access=PUBLIC, allowed=frozenset({302})),
    "account_reauthenticate": Route(access=SIGNED_IN),
    "account_email_verification_sent": Route(access=PUBLIC),
    "account_change_password": Route(access=SIGNED_IN),
    "account_set_password": Route(access=SIGNED_IN, allowed=frozenset({302})),
    "account_reset_password": Route(access=PUBLIC),
    "account_confirm_login_code": Route(access=PUBLIC, anonymous=frozenset({302})),
    "account_confirm_email": Route(access=PUBLIC, kwargs=lambda w: {"key": "unknown"}),
    "account_reset_password_from_key_done": Route(access=PUBLIC),
    "account_reset_password_from_key": Route(
        access=PUBLIC, kwargs=lambda w: {"uidb36": "1", "key": "unknown"}
    ),
    "account_reset_password_done": Route(access=PUBLIC),
    "mfa_index": Route(access=SIGNED_IN),
    "mfa_authenticate": Route(access=PUBLIC, anonymous=frozenset({302}), allowed=frozenset({302})),
    "mfa_reauthenticate": Route(access=SIGNED_IN),
    "mfa_activate_totp": Route(access=SIGNED_IN, allowed=frozenset({302})),
    # Sensitive second-factor changes ask for the password again first.
    "mfa_deactivate_totp": Route(access=SIGNED_IN, allowed=frozenset({302})),
    "mfa_generate_recovery_codes": Route(access=SIGNED_IN, allowed=frozenset({302})),
    # allauth answers 404 while the person has no recovery codes.
    "mfa_view_recovery_codes": Route(access=SIGNED_IN, allowed=frozenset({404})),
    "mfa_download_recovery_codes": Route(access=SIGNED_IN, allowed=frozenset({404})),
    "usersessions_list": Route(access=SIGNED_IN),
    # The admin's own sign-in page sends people to the site's (with its second factor), and
    # refuses signed-in people who are not administrators.
    "admin:login": Route(access=Access("admin_login"), allowed=frozenset({302})),
    # Signing out of the admin signs anyone out, and nothing more.
    "admin:logout": Route(
        access=PUBLIC,
        method="POST",
        allowed=frozenset({200, 302}),
        anonymous=frozenset({200, 302}),
    ),
    "admin:view_on_site": Route(
        access=ADMIN,
        kwargs=lambda w: {"content_type_id": 1, "object_id": 1},
        allowed=frozenset({404}),
    ),
}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), pattern.callback


def all_routes():
    """Route name → view. A name seen twice is the first one: the one `reverse` finds."""
    routes = {}
    for name, _path, callback in _walk(get_resolver().url_patterns):
        routes.setdefault(name, callback)
    return routes


ADMIN_OBJECT_VIEWS = ("_password_change", "_history", "_delete", "_change")


def _admin_route(name, world):
    """The admin's routes, built from the model each names, with a row that exists."""
    kwargs = {}
    suffix = next((s for s in ADMIN_OBJECT_VIEWS if name.endswith(s)), None)
    if suffix and name != "admin:password_change":
        label = name.removeprefix("admin:").removesuffix(suffix)
        model = next(
            model
            for model in apps.get_models(include_auto_created=True)
            if f"{model._meta.app_label}_{model._meta.model_name}" == label
            or (label == "auth_user" and model is get_user_model())
        )
        row = model._default_manager.first()
        key = "id" if suffix == "_password_change" else "object_id"
        kwargs = {key: row.pk if row else 0}
    elif name == "admin:app_list":
        kwargs = {"app_label": "directory"}
    return Route(kwargs=lambda w: kwargs, access=ADMIN, allowed=frozenset({200, 302, 403}))


def route_for(name, world) -> tuple[Route, Access]:
    if name.startswith("admin:") and name not in ROUTES:
        route = _admin_route(name, world)
        return route, route.access
    route = ROUTES[name]
    return route, route.access or all_routes()[name].access


def test_every_route_declares_who_may_see_it():
    missing = [
        name
        for name, callback in all_routes().items()
        if not name.startswith("admin:")
        and (
            name not in ROUTES or (ROUTES[name].access is None and not hasattr(callback, "access"))
        )
    ]
    assert missing == [], "add these routes to ROUTES (and decorate the views)"
    stale = set(ROUTES) - set(all_routes())
    assert stale == set(), "these routes no longer exist"


def _expected(name, route, access, persona, world):
    """The statuses allowed for `persona`, and where a redirect must lead (or None)."""
    login, mfa = reverse("account_login"), reverse("mfa_activate_totp")
    if persona in route.people:
        return route.people[persona], None
    if persona == "anonymous":
        if access.kind == "public":
            return route.anonymous, None
        if access.kind == "admin_login":
            return {302}, login
        if access.kind == "admin":
            return {302}, reverse("admin:login")
        return {302}, login
    # Without a second factor, only MFA setup, sign-out and the site's own public pages.
    declared_public = route.access is None and access.kind == "public"
    if persona == "no_mfa" and name not in MFA_SETUP_ROUTES and not declared_public:
        return {302}, mfa
    if access.kind == "public":
        return route.allowed | route.anonymous, None
    if access.kind == "admin_login":
        return (route.allowed, None) if persona == "admin" else ({403}, None)
    if access.kind == "admin":
        return (route.allowed, None) if persona == "admin" else ({302}, reverse("admin:login"))
    if access.kind == "signed_in":
        return route.allowed, None
    if access.kind == "liaison":
        if persona == "other_liaison":
            return ({404} if route.court_object else route.allowed), None
        return (route.allowed, None) if persona == "liaison" else ({403}, None)
    # An agency page: members of another agency, liaison officers and administrators are
    # not members, and get 404.
    roles = {AGENCY_ROLES[persona]} if persona in AGENCY_ROLES else set()
    if persona == "no_mfa":
        roles = {"intake"}
    if not roles:
        return {404}, None
    if allows(roles=frozenset(roles), agency=world.agency, capability=access.capability):
        return route.allowed, None
    return {403}, None


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _header_problems(response, persona):
    problems = [
        f"{header}={response.get(header)!r}"
        for header, value in SECURITY_HEADERS.items()
        if response.get(header) != value
    ]
    csp = response.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp:
        problems.append(f"CSP={csp!r}")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append("Permissions-Policy missing")
    if persona != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control={response.get('Cache-Control')!r}")
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_route_answers_each_person_as_the_permission_table_says(client, world, persona):
    if persona != "anonymous":
        client.force_login(world[persona])
    mismatches = []
    with translation.override("en"):
        for name in sorted(all_routes()):
            route, access = route_for(name, world)
            url = reverse(name, kwargs=route.kwargs(world))
            send = client.post if route.method == "POST" else client.get
            response = send(url, route.data)
            statuses, location = _expected(name, route, access, persona, world)
            if response.status_code not in statuses:
                mismatches.append(f"{name} {url}: {response.status_code}, expected {statuses}")
            elif location and not response["Location"].startswith(location):
                mismatches.append(f"{name}: went to {response['Location']}, not {location}")
            if problems := _header_problems(response, persona):
                mismatches.append(f"{name}: headers {problems}")
            if persona != "anonymous" and not response.wsgi_request.user.is_authenticated:
                client.force_login(world[persona])  # the route signed them out (logout)
    assert not mismatches, "\n" + "\n".join(mismatches)


def test_another_agencys_objects_answer_404_through_ones_own_agency(client, world):
    client.force_login(world["manager"])
    slug = world.agency.slug
    foreign_person = world["other_intake"].pk
    foreign_invitation = world.other_invitation.pk
    with translation.override("en"):
        urls = [
            ("GET", reverse("agency:staff_member", args=[slug, foreign_person])),
            ("POST", reverse("agency:staff_member", args=[slug, foreign_person])),
            ("POST", reverse("agency:staff_deactivate", args=[slug, foreign_person])),
            ("POST", reverse("agency:invitation_resend", args=[slug, foreign_invitation])),
            ("POST", reverse("agency:invitation_revoke", args=[slug, foreign_invitation])),
        ]
    for method, url in urls:
        response = client.post(url, {"roles": ["intake"]}) if method == "POST" else client.get(url)
        assert response.status_code == 404, url
    world.other_invitation.refresh_from_db()
    assert world.other_invitation.revoked_at is None
    assert world["other_intake"].memberships.get().is_active
