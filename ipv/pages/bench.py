"""The frames pages are drawn in, timed alone: what a page costs before it shows anything of
its own. A staff page's, set against the SQL it reads (the session, the person, their second
factor, their roles in the agency and the agency's name); a public page's (no SQL); an API
call's (its token and courts read, its call counted and audited).

The frames are routes of the bench's own URLconf (URLCONF: the site's routes and this one),
which `make bench` uses for these pages only: the site itself has none of them.
"""

from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.response import Response

from directory.models import Agency
from ipv.accounts.models import User
from ipv.api import bench as api_bench
from ipv.api.models import Scope
from ipv.api.views import ApiView
from ipv.core.permissions import public, requires
from referrals.bench import AGENCY, INTAKE_WORKER

URLCONF = "ipv.bench_urls"
FRAME = f"/fr/a/{AGENCY}/bench-frame/"
PUBLIC_FRAME = "/fr/bench-frame/"
API_FRAME = "/api/v1/bench-frame/"


@requires("agency.view")
@require_GET
def frame(request):
    """The base template and nothing in it, as a staff page draws it."""
    return render(request, "base.html")


@public
@require_GET
def public_frame(request):
    """The base template and nothing in it, as the public's pages draw it."""
    return render(request, "base.html")


class ApiFrame(ApiView):
    """An API call that answers nothing: its token, scope, count and audit event only."""

    scopes = {"GET": Scope.READ_REFERRALS}

    def get(self, request):
        return Response({})


def seed() -> dict:
    """Nothing of its own: the agency and the intake worker are the referrals bench's."""
    return {}


def pages() -> list[tuple]:
    return [
        ("staff page frame, nothing in it", FRAME, {}, INTAKE_WORKER),
        ("public page frame, nothing in it", PUBLIC_FRAME, {}, None),
    ]


def work() -> list[tuple]:
    return [("API: call frame, nothing in it", api_bench.get_timed(API_FRAME))]


def floors() -> dict:
    user = User.objects.get(email=INTAKE_WORKER)
    agency = Agency.objects.get(slug=AGENCY)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    return {
        "API: call frame, nothing in it": api_bench.token_floor(),
        "staff page frame, nothing in it": [
            (
                "SELECT session_data FROM django_session "
                "WHERE session_key = %s AND expire_date > now()",
                [session.session_key],
            ),
            # The person (their name and language in the frame), whether they have a second
            # factor, their roles in the agency and the agency's name.
            (
                """
                SELECT u.id, u.email, u.full_name, u.preferred_language, u.is_active,
                       EXISTS (SELECT 1 FROM mfa_authenticator m WHERE m.user_id = u.id),
                       array(SELECT ms.role FROM accounts_membership ms
                             WHERE ms.user_id = u.id AND ms.agency_id = a.id AND ms.is_active),
                       a.id, a.slug, a.name_fr, a.name_en
                FROM accounts_user u, directory_agency a
                WHERE u.id = %s AND a.slug = %s
                """,
                [user.pk, agency.slug],
            ),
        ],
    }
