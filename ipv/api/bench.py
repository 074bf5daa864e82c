"""Benchmark of the court API, on the referrals bench's data (its liaison officer's court has the
bench agency's 100,000 referrals): the list of referrals (first page, a page far along by its
cursor, the changes of the last week), one referral, its certificate's PDF, and sending a
referral. Each call has a token of its own (the API counts calls per token and minute); every
run sends a new referral (a new Idempotency-Key), so the data set grows by a few dozen
referrals a run."""

import itertools
import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from directory.models import Agency, Court
from ipv.accounts.models import User
from ipv.api import selectors
from ipv.api.models import ApiToken
from ipv.api.tokens import token_issue
from referrals.bench import AGENCY, LIAISON_OFFICER
from referrals.models import Referral, Status
from sessions_app.models import Certificate

URL = "/api/v1/referrals/"
CERTIFICATE_CODE = "BNCH-APIC-ERT1"
# The referral far along the list: its cursor gives the page after it.
CURSOR_AT = 50_000
# The columns a referral of the API shows (ipv.api.serializers.ReferralSerializer), for the
# floors: the referral, its participant, court and agency.
COLUMNS = """
    r.id, r.updated_at, r.court_file_number, r.program, r.stream, r.source_order, r.status,
    r.status_changed_at, r.received_on, r.accepted_at, r.order_date, r.return_court_date,
    r.complete_by, r.discharge_reason, p.legal_name, p.preferred_name, p.date_of_birth,
    p.language, c.id, c.name_fr, c.name_en, a.id, a.name_fr, a.name_en
"""
FROM = """
    FROM referrals_referral r
    JOIN referrals_participant p ON p.id = r.participant_id
    JOIN directory_court c ON c.id = r.court_id
    JOIN directory_agency a ON a.id = r.agency_id
"""
# The court's view of a page of referrals: modules attended, certificates, current reports.
VIEW = [
    """
    SELECT a.referral_id, count(DISTINCT s.module_id) FROM sessions_app_attendance a
    JOIN sessions_app_session s ON s.id = a.session_id
    WHERE a.referral_id = ANY(%s) AND a.status IN ('present', 'late') GROUP BY a.referral_id
    """,
    """
    SELECT referral_id, code, issued_at FROM sessions_app_certificate
    WHERE referral_id = ANY(%s) AND revoked_at IS NULL
    """,
    """
    SELECT referral_id, id, kind, code, issued_at FROM sessions_app_courtreport c
    WHERE referral_id = ANY(%s)
      AND NOT EXISTS (SELECT 1 FROM sessions_app_courtreport n WHERE n.replaces_id = c.id)
    ORDER BY issued_at, id
    """,
]


def _court():
    return Court.objects.get(slug="ottawa")


def _certified():
    """A completed referral of the court, with a certificate (made once)."""
    certificate = Certificate.objects.filter(code=CERTIFICATE_CODE).first()
    if certificate is not None:
        return certificate.referral
    agency = Agency.objects.get(slug=AGENCY)
    referral = (
        Referral.objects.filter(agency=agency, court=_court(), status=Status.COMPLETED)
        .order_by("pk")
        .first()
    )
    Certificate.objects.create(
        agency=agency,
        referral=referral,
        code=CERTIFICATE_CODE,
        language="fr",
        issued_by=User.objects.get(email=LIAISON_OFFICER),
        details={
            "name": "Éloïse Côté-Bérubé",
            "initials": "É. C.-B.",
            "program": "ipv",
            "agency": {"fr": agency.name_fr, "en": agency.name_en},
            "court": {"fr": referral.court.name_fr, "en": referral.court.name_en},
            "court_file_number": referral.court_file_number,
            "started_on": "2026-09-01",
            "completed_on": "2026-11-17",
            "modules": [
                {"number": n, "title": f"Module {n}", "date": "2026-10-01"} for n in range(1, 13)
            ],
        },
    )
    return referral


def seed() -> dict:
    _certified()
    return {"api_certificates": Certificate.objects.filter(code=CERTIFICATE_CODE).count()}


def pages() -> list[tuple]:
    """The calls are timed as work(): each needs its token in a header."""
    return []


def _token() -> str:
    """A new token of the liaison officer for the court, with every scope."""
    token = ApiToken(
        kind="liaison",
        name="Bench token",
        officer=User.objects.get(email=LIAISON_OFFICER),
        scopes=["referrals:read", "documents:read", "referrals:send"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    return token_issue(token=token, by=None, courts=[_court()])


def get_timed(url):
    client, headers = Client(), {"Authorization": f"Bearer {_token()}"}

    def send():
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    return send


def _post():
    """Send a new referral each time (a new Idempotency-Key and court file number)."""
    client, token = Client(), _token()
    agency = Agency.objects.get(slug=AGENCY)
    today = timezone.localdate()
    numbers = itertools.count()
    stamp = timezone.now().strftime("%H%M%S")

    def send():
        n = next(numbers)
        body = {
            "participant": {
                "legal_name": "Marc-André Poirier",
                "date_of_birth": "1991-02-03",
                "language": "fr",
                "phone": "613-555-0142",
                "consent_sms": False,
            },
            "order": {
                "agency": agency.pk,
                "court": _court().pk,
                "program": "ipv",
                "stream": "early_intervention",
                "source_order": "release_order",
                "court_file_number": f"4811-997-{stamp}-{n:04d}",
                "charges": "Assault (s. 266)",
                "order_date": (today - timedelta(days=3)).isoformat(),
                "complete_by": (today + timedelta(days=120)).isoformat(),
                "source": "court",
            },
        }
        response = client.post(
            URL,
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{stamp}-{n}"},
        )
        if response.status_code != 201:
            raise RuntimeError(f"sending a referral answered {response.status_code}")

    return send


def _since():
    return timezone.now() - timedelta(days=7)


def _far():
    """The referral CURSOR_AT rows along the court's list, and its cursor."""
    found = selectors.token_referrals(court_ids=[_court().pk])
    referral = found[CURSOR_AT]
    return referral, selectors.cursor_encode(referral)


def work() -> list[tuple]:
    referral = _certified()
    _far_referral, cursor = _far()
    since = _since()
    return [
        ("API: referrals, first page (50)", get_timed(URL)),
        ("API: referrals, a page by cursor", get_timed(f"{URL}?cursor={cursor}")),
        (
            "API: referrals changed in the last week",
            get_timed(f"{URL}?changed_since={since.isoformat().replace('+', '%2B')}"),
        ),
        ("API: one referral", get_timed(f"{URL}{referral.pk}/")),
        ("API: certificate PDF", get_timed(f"{URL}{referral.pk}/certificate/")),
        ("API: send a referral (POST)", _post()),
    ]


def _page(where: str, params: list, ids: list[int]) -> list[tuple]:
    """What settled, a page of 51 referrals of the court (to know if there is a next), and the
    court's view of its 50 (`ids`)."""
    statement = f"""
        SELECT {COLUMNS} {FROM}
        WHERE r.court_id = %s AND r.updated_at <= %s {where} ORDER BY r.updated_at, r.id LIMIT 51
    """
    until = selectors.settled().until
    return [(selectors.OPEN_WRITERS, []), (statement, [_court().pk, until, *params])] + [
        (view, [ids]) for view in VIEW
    ]


def _ids(found) -> list[int]:
    return list(found.values_list("pk", flat=True)[:50])


def token_floor() -> list[tuple]:
    """The SQL of a call's token: the token by its prefix, then its courts."""
    _token()  # the floor reads a token as each call does
    latest = ApiToken.objects.latest("pk")
    return [
        (
            "SELECT id, officer_id, scopes, expires_at, revoked_at, secret_hash "
            "FROM api_apitoken WHERE prefix = %s",
            [latest.prefix],
        ),
        ("SELECT court_id FROM api_apitoken_courts WHERE apitoken_id = %s", [latest.pk]),
    ]


def floors() -> dict:
    """The SQL each call needs: the token (by its hash), its courts, then the data."""
    referral = _certified()
    far, cursor = _far()
    since = _since()
    token = token_floor()
    found = selectors.token_referrals(court_ids=[_court().pk])
    one = [
        (f"SELECT {COLUMNS} {FROM} WHERE r.court_id = %s AND r.id = %s", [_court().pk, referral.pk])
    ]
    one += [(view, [[referral.pk]]) for view in VIEW]
    pdf = [
        (f"SELECT r.id {FROM} WHERE r.court_id = %s AND r.id = %s", [_court().pk, referral.pk]),
        (
            "SELECT id, code, pdf FROM sessions_app_certificate "
            "WHERE referral_id = %s AND revoked_at IS NULL",
            [referral.pk],
        ),
    ]
    cursor_where = "AND (r.updated_at > %s OR (r.updated_at = %s AND r.id > %s))"
    return {
        "API: referrals, first page (50)": token + _page("", [], _ids(found)),
        "API: referrals, a page by cursor": token
        + _page(
            cursor_where,
            [far.updated_at, far.updated_at, far.pk],
            _ids(selectors.after_cursor(found, cursor)),
        ),
        "API: referrals changed in the last week": token
        + _page("AND r.updated_at >= %s", [since], _ids(found.filter(updated_at__gte=since))),
        "API: one referral": token + one,
        "API: certificate PDF": token + pdf,
    }
