"""The frame every staff page is drawn in, timed alone: what a page costs before it shows
anything of its own, set against the SQL it reads (the session, the person, their second factor,
their roles in the agency and the agency's name).

The frame is a route of the bench's own URLconf (URLCONF: the site's routes and this one),
which `make bench` uses for these pages only: the site itself has no such page.
"""

from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directory.models import Agency
from ipv.accounts.models import User
from ipv.core.permissions import requires
from referrals.bench import AGENCY, INTAKE_WORKER

URLCONF = "ipv.bench_urls"
FRAME = f"/fr/a/{AGENCY}/bench-frame/"


@requires("agency.view")
@require_GET
def frame(request):
    """The base template and nothing in it, as a staff page draws it."""
    return render(request, "base.html")


def seed() -> dict:
    """Nothing of its own: the agency and the intake worker are the referrals bench's."""
    return {}


def pages() -> list[tuple]:
    return [("staff page frame, nothing in it", FRAME, {}, INTAKE_WORKER)]


def floors() -> dict:
    user = User.objects.get(email=INTAKE_WORKER)
    agency = Agency.objects.get(slug=AGENCY)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    return {
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
        ]
    }
