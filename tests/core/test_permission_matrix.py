"""Every route × every person: sign-in redirect, 403, 404 or success as the hand-written route
table (tests/core/routes.py) says, the security headers on each response, and the second factor
enforced everywhere. Every route that takes an object id also answers 404, and changes
nothing, when a member of another agency asks for it under their own agency's address.

Routes are read from the URL resolver, named or not; one missing from the table, or one the
table names that no longer exists, fails the test.
"""

from typing import NamedTuple

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from ipv.audit.models import AuditEvent
from tests.api.tokens import bearer, issue
from tests.core.matrix import changed, database_state, matrix_world, resolver_routes, url_of
from tests.core.routes import (
    ADMIN,
    ADMIN_SIGN_IN,
    GET_POST,
    LIAISON,
    MANAGER,
    PLATFORM,
    PUBLIC,
    ROUTES,
    SIGNED_IN,
    TOKEN,
)

pytestmark = pytest.mark.django_db

# The first agency's members, each with one role (no_mfa: an intake worker without a second
# factor yet); a manager of the other agency; the court liaison officers of the first court
# and of the other; the platform administrator, with and without a second factor.
MEMBERS = {
    "manager": "manager",
    "intake": "intake",
    "facilitator": "facilitator",
    "partner_contact": "partner_contact",
    "no_mfa": "intake",
}
ADMINISTRATORS = {"admin", "admin_no_mfa"}
# Where the API counts each address's refusals (ipv.api.tokens.refusal_count).
REFUSALS = "core_security_store"
WITHOUT_MFA = {"no_mfa", "admin_no_mfa"}
PERSONAS = [
    "anonymous",
    "manager",
    "intake",
    "facilitator",
    "partner_contact",
    "other_manager",
    "liaison",
    "other_liaison",
    "admin",
    "no_mfa",
    "admin_no_mfa",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The World, built once for the module and rolled back after it; each test runs in its
    own savepoint inside, so what one test posts is gone for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield matrix_world()
        transaction.set_rollback(True)


def test_the_table_names_every_route_and_only_routes_that_exist():
    routes = resolver_routes()
    missing = sorted(set(routes) - set(ROUTES))
    assert missing == [], "say who may reach these routes in tests/core/routes.py"
    stale = sorted(set(ROUTES) - set(routes))
    assert stale == [], "these routes no longer exist"


class Answer(NamedTuple):
    statuses: frozenset
    location: str | None = None  # where a redirect must lead
    let_in: bool = False


def _expected(route, persona):
    """What `persona` must get from `route`."""
    let_in = Answer(route.allowed, let_in=True)
    access = route.access
    if access == TOKEN:
        return Answer({401})  # a session is no token, whoever holds it
    if persona == "anonymous":
        if access == PUBLIC:
            return Answer(route.anonymous, let_in=True)
        return Answer({302}, reverse("admin:login" if access == ADMIN else "account_login"))
    if persona in WITHOUT_MFA and route.needs_mfa:
        return Answer({302}, reverse("mfa_activate_totp"))
    if access == PUBLIC:
        return Answer(route.allowed | route.anonymous, let_in=True)
    if access == SIGNED_IN:
        return let_in
    if access == ADMIN_SIGN_IN:
        return let_in if persona in ADMINISTRATORS else Answer({403})
    if access == ADMIN:
        return let_in if persona in ADMINISTRATORS else Answer({302}, reverse("admin:login"))
    if access == PLATFORM:
        return let_in if persona in ADMINISTRATORS else Answer({403})
    if access == LIAISON:
        if persona == "liaison" or (persona == "other_liaison" and not route.court_object):
            return let_in
        return Answer({404} if persona == "other_liaison" else {403})
    # An agency page: members of another agency, liaison officers and administrators are not
    # members of this one, and get 404; a member without one of the roles, 403.
    if persona not in MEMBERS:
        return Answer({404})
    return let_in if MEMBERS[persona] in access else Answer({403})


# One payload for every form these routes post: enough for most of them to act (see the
# positive controls below), so that "nothing changed" is not merely a form refused as empty.
WRITE = {
    "reason": "Entered in error.",
    "note": "Entered in error.",
    "same_person": "no",
    "roles": ["intake"],
    "amount": "10.00",
    "method": "cash",
}
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


def _mismatches(key, url, response, answer, persona):
    sign_in = (reverse("account_login"), reverse("admin:login"))
    where = response.get("Location", "")
    if response.status_code not in answer.statuses:
        return [f"{key} {url}: {response.status_code}, expected {answer.statuses}"]
    if answer.location and not where.startswith(answer.location):
        return [f"{key}: went to {where}, not {answer.location}"]
    if not answer.location and persona != "anonymous" and where.startswith(sign_in):
        return [f"{key}: sent to sign in ({where})"]
    return []


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_route_answers_each_person_as_the_route_table_says(client, world, persona):
    if persona != "anonymous":
        client.force_login(world[persona])
    mismatches = []
    with translation.override("en"):
        for key in sorted(resolver_routes()):
            route = ROUTES[key]
            url = url_of(key, route.kwargs(world))
            send = client.get if route.method == "GET" else client.post
            response = send(url)
            mismatches += _mismatches(key, url, response, _expected(route, persona), persona)
            if problems := _header_problems(response, persona):
                mismatches.append(f"{key}: headers {problems}")
            if persona != "anonymous" and not response.wsgi_request.user.is_authenticated:
                client.force_login(world[persona])  # the route signed them out (logout)
    assert not mismatches, "\n" + "\n".join(mismatches)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_post_from_someone_refused_is_refused_the_same_and_changes_nothing(
    client, world, persona
):
    """The pages that take a form refuse its POST as they refuse their GET; only the refusal is
    recorded (in the audit trail, and the API's in the count of its caller's refusals)."""
    if persona != "anonymous":
        client.force_login(world[persona])
    mismatches, before = [], database_state()
    with translation.override("en"):
        for key in sorted(resolver_routes()):
            route = ROUTES[key]
            answer = _expected(route, persona)
            if route.methods != GET_POST or answer.let_in:
                continue
            url = url_of(key, route.kwargs(world))
            response = client.post(url, WRITE)
            mismatches += _mismatches(key, url, response, answer, persona)
    assert not mismatches, "\n" + "\n".join(mismatches)
    assert set(changed(before, database_state())) <= {AuditEvent._meta.db_table, REFUSALS}


def _object_routes():
    """The agency and court routes that take an object id."""
    return sorted(
        key
        for key, path in resolver_routes().items()
        if "<int:" in path
        and key in ROUTES
        and (isinstance(ROUTES[key].access, frozenset) or ROUTES[key].access == LIAISON)
    )


def _outsider(route):
    """Someone of the other agency (or court) who may use the route at their own."""
    if route.access == LIAISON:
        return "other_liaison"
    return f"other_{MANAGER if MANAGER in route.access else sorted(route.access)[0]}"


def _foreign_kwargs(route, world):
    if route.foreign:
        return route.foreign(world)
    kwargs = route.kwargs(world)
    if "agency_slug" in kwargs:
        kwargs["agency_slug"] = world.other_agency.slug
    return kwargs


def test_the_object_routes_of_every_app_are_tried():
    """So the parametrised test below cannot pass by finding nothing to try: staff,
    referrals, participants, intake, transfers, duplicates, groups, sessions, enrolment,
    documents, fees, outreach and the court portal."""
    keys = set(_object_routes())
    for expected in (
        "agency:staff_member",
        "agency:referral_detail",
        "agency:participant_detail",
        "agency:intake_record",
        "agency:transfer_detail",
        "agency:duplicate_resolve",
        "agency:group_detail",
        "agency:session_roster",
        "agency:referral_enrol",
        "agency:report",
        "agency:fee_receipt",
        "agency:outreach_person",
        "agency:outreach_task_done",
        "agency:outreach_plan_pdf",
        "court:referral",
    ):
        assert expected in keys


@pytest.mark.parametrize("key", _object_routes())
def test_another_agencys_object_answers_404_under_ones_own_agency(client, world, key):
    route = ROUTES[key]
    outsider = _outsider(route)
    client.force_login(world[outsider])
    with translation.override("en"):
        url = url_of(key, _foreign_kwargs(route, world))
    for method in ("GET", "POST"):
        before = database_state()
        response = client.get(url) if method == "GET" else client.post(url, WRITE)
        expected = 404 if method in route.methods else 405
        assert response.status_code == expected, f"{outsider} {method} {url}"
        assert changed(before, database_state()) == [], f"{outsider} {method} {url}"


# Posted by a member of the agency to its own object, the same payload acts: the fingerprint
# sees the change, so the 404 test above would see one too.
ACTING = {
    "agency:staff_deactivate": "manager",
    "agency:invitation_revoke": "manager",
    "agency:duplicate_resolve": "intake",
    "agency:referral_transition": "intake",
    "agency:certificate_revoke": "intake",
    "agency:fee_void": "intake",
    "agency:fee_refund": "intake",
    "agency:concern_raise": "facilitator",
    "agency:risk_alert_seen": "intake",
    "agency:message_retry": "manager",
}


@pytest.mark.parametrize("key", sorted(ACTING))
def test_the_same_post_to_ones_own_object_changes_the_database(client, world, key):
    route = ROUTES[key]
    client.force_login(world[ACTING[key]])
    with translation.override("en"):
        url = url_of(key, route.kwargs(world))
    before = database_state()
    response = client.post(url, WRITE)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert changed(before, database_state()) != []


def _api_routes():
    return sorted(key for key in resolver_routes() if ROUTES[key].access == TOKEN)


def test_the_api_routes_are_tried():
    assert _api_routes() == [
        "api:referral",
        "api:referral_certificate",
        "api:referral_report",
        "api:referrals",
    ]


# Each kind of token, and what it must get from an API route: the answers written by hand.
# "right": the route's scope, for the first court; "other court": every scope, for the other.
TOKENS = ["none", "unknown", "expired", "revoked", "wrong scope", "other court", "right"]


def _token_expected(route, method, kind):
    if kind in ("none", "unknown", "expired", "revoked"):
        return 401
    if kind == "wrong scope":
        return 403
    if kind == "other court" and route.court_object:
        return 404
    # Let in: a list or a referral (200), a PDF (200), a send without its key (400).
    return 400 if method == "POST" else 200


def _token_of(world, route, method, kind):
    scope = route.scopes[method]
    if kind == "none":
        return None
    if kind == "unknown":
        return "ipv_00000000_" + "x" * 43
    if kind == "other court":
        return issue(world["other_liaison"], [world.other_court])
    others = [s for s in ("referrals:read", "documents:read", "referrals:send") if s != scope]
    scopes = others if kind == "wrong scope" else [scope]
    return issue(
        world["liaison"],
        [world.court],
        scopes=scopes,
        expired=kind == "expired",
        revoked=kind == "revoked",
    )


@pytest.mark.parametrize("kind", TOKENS)
def test_each_api_route_answers_each_token_as_the_route_table_says(client, world, kind):
    """With a token: the scope the table names lets in, any other is 403; another court's
    referral is 404; no token, an unknown, expired or revoked one, 401. Each call is in the
    audit trail, refusals included."""
    mismatches = []
    for key in _api_routes():
        route = ROUTES[key]
        url = url_of(key, route.kwargs(world))
        for method in sorted(route.methods):
            raw = _token_of(world, route, method, kind)
            headers = bearer(raw) if raw else {}
            calls = AuditEvent.objects.filter(action__startswith="api_").count()
            send = client.get if method == "GET" else client.post
            response = send(url, **headers)
            expected = _token_expected(route, method, kind)
            if response.status_code != expected:
                mismatches.append(f"{kind} {method} {url}: {response.status_code}, not {expected}")
            event = AuditEvent.objects.filter(action__startswith="api_").order_by("-pk").first()
            audited = AuditEvent.objects.filter(action__startswith="api_").count() == calls + 1
            if not audited or event.details["status"] != expected:
                mismatches.append(f"{kind} {method} {url}: not audited")
            elif expected >= 400 and event.action != AuditEvent.Action.API_REFUSED:
                mismatches.append(f"{kind} {method} {url}: refusal not audited as one")
    assert not mismatches, "\n" + "\n".join(mismatches)
