"""A canary: the name and phone of a victim named on a referral, once saved, appear in no page
shown to the intake worker or to the court liaison officer, in no notice to the court, in no
email, in no log line, and nowhere in the database but encrypted."""

import io
import logging
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from psycopg import sql
from pypdf import PdfReader

from referrals.models import Referral
from sessions_app.models import CourtReport
from tests.api.tokens import bearer, issue

pytestmark = pytest.mark.django_db

NOW = "2026-11-24 10:00 -05:00"
NAME = "Zéphirine Canari-Vautour"
# The phone as it could be written anywhere.
SECRETS = re.compile(r"z[ée]phirine|canari|vautour|555[-. ]?0199|6135550199", re.IGNORECASE)


def _e_referral(world):
    return {
        "person-legal_name": "Marc-André Poirier",
        "person-date_of_birth": "1991-02-03",
        "person-language": "fr",
        "person-phone": "613-555-0142",
        "order-agency": str(world.agency.pk),
        "order-program": "ipv",
        "order-stream": "early_intervention",
        "order-source_order": "release_order",
        "order-court": str(world.court.pk),
        "order-court_file_number": "4811-998-26-07777",
        "order-charges": "Assault (s. 266)",
        "order-order_date": "2026-11-20",
        "order-complete_by": "2027-03-20",
        "order-source": "court",
        "named-TOTAL_FORMS": "1",
        "named-INITIAL_FORMS": "0",
        "named-MIN_NUM_FORMS": "0",
        "named-MAX_NUM_FORMS": "10",
        "named-0-full_name": NAME,
        "named-0-relationship": "victim",
        "named-0-phone": "613-555-0199",
        "named-0-email": "zephirine.canari@example.org",
        "named-0-safe_contact_notes": "Call Zéphirine after 18 h only.",
    }


def _walk(client, urls, seen):
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        seen.append((url, response.content.decode()))


def _steps(client, slug, referral):
    """The intake worker takes the referral from received to waitlisted."""
    base = f"/en/a/{slug}/referrals/{referral.pk}"
    posts = [
        (f"{base}/accept/", {}),
        (f"{base}/status/contact/", {"reason": "Reached by phone."}),
        (
            f"{base}/intake/book/",
            {"scheduled_at": "2026-11-24T15:00", "mode": "in_person", "location": "Office"},
        ),
        (
            f"{base}/intake/record/",
            {
                "held_on": "2026-11-24",
                "eligibility": "eligible",
                "program_agreement": "2026-11-24",
            },
        ),
        (f"{base}/status/waitlist/", {"reason": "Next group is full."}),
    ]
    pages = []
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        pages.append((url, response.content.decode()))
    return pages


@time_machine.travel(NOW, tick=False)
def test_a_victims_name_and_phone_never_leave_the_confidential_store(
    client, world, caplog, capsys, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    officer, worker, manager = world["liaison"], world["intake"], world["manager"]
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/court/referrals/new/", _e_referral(world))
    assert response.status_code == 302
    referral = Referral.objects.get(court_file_number="4811-998-26-07777")
    slug, seen = world.agency.slug, []

    client.force_login(worker)
    agency_pages = [
        f"/en/a/{slug}/",
        f"/en/a/{slug}/referrals/",
        f"/en/a/{slug}/referrals/{referral.pk}/",
        f"/en/a/{slug}/referrals/{referral.pk}/edit/",
        f"/fr/a/{slug}/referrals/{referral.pk}/",
        f"/en/a/{slug}/participants/{referral.participant_id}/",
        f"/en/a/{slug}/participants/{referral.participant_id}/edit/",
        f"/en/a/{slug}/referrals/{referral.pk}/transfer/",
        f"/en/a/{slug}/transfers/",
    ]
    _walk(client, agency_pages, seen)
    with django_capture_on_commit_callbacks(execute=True):
        seen += _steps(client, slug, referral)
    _walk(client, agency_pages, seen)
    search = client.get(f"/en/a/{slug}/referrals/?q=zephirine&status=all")
    assert search.context["page"].paginator.count == 0

    client.force_login(officer)
    _walk(client, ["/en/court/", f"/en/court/referrals/{referral.pk}/"], seen)
    # Searching for the victim finds nothing (the page repeats only what was typed).
    assert client.get("/en/court/?q=canari&status=all").context["page"].paginator.count == 0

    client.force_login(manager)
    _walk(client, [f"/en/a/{slug}/audit/", f"/en/a/{slug}/referrals/{referral.pk}/"], seen)

    for url, html in seen:
        assert not SECRETS.search(html), url
    assert "The order names 1 person." in dict(seen)[f"/en/a/{slug}/referrals/{referral.pk}/"]
    for message in mail.outbox:
        assert not SECRETS.search(message.subject + message.body), message.subject
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert logs, "nothing was logged: the log check would prove nothing"
    assert not SECRETS.search(logs)


def _tables_holding(pattern):
    """Every table whose rows, as text, match `pattern` (a case-insensitive regex)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        found = []
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {} t WHERE t::text ~* %s")
            cursor.execute(query.format(sql.Identifier(table)), [pattern])
            if cursor.fetchone()[0]:
                found.append(table)
    return found


@time_machine.travel(NOW, tick=False)
def test_the_database_holds_the_victims_details_only_encrypted(client, world):
    client.force_login(world["liaison"])
    client.post("/en/court/referrals/new/", _e_referral(world))

    assert Referral.objects.filter(court_file_number="4811-998-26-07777").exists()
    assert _tables_holding("Marc-Andr") != [], "the check must find what is stored in clear"
    assert _tables_holding(SECRETS.pattern) == []


@time_machine.travel(NOW, tick=False)
def test_no_victim_detail_reaches_the_notice_of_return_to_the_court(client, world):
    client.force_login(world["liaison"])
    client.post("/en/court/referrals/new/", _e_referral(world))
    referral = Referral.objects.get(court_file_number="4811-998-26-07777")
    client.force_login(world["intake"])
    base = f"/en/a/{world.agency.slug}/referrals/{referral.pk}"
    client.post(f"{base}/accept/")
    client.post(
        f"{base}/intake/book/",
        {"scheduled_at": "2026-11-24T15:00", "mode": "in_person", "location": "Office"},
    )
    # The team writes the victim's name where it may (its notes, its own reason); the reason
    # for the court names nobody.
    recorded = client.post(
        f"{base}/intake/record/",
        {
            "held_on": "2026-11-24",
            "eligibility": "ineligible",
            "court_reason": "Denies the offence and asks for a trial.",
            "reason": f"Angry at {NAME}.",
            "notes": f"Spoke of {NAME}, 613-555-0199, with resentment.",
            "risk_flags": ["threats"],
        },
    )
    assert recorded.status_code == 302
    notice = CourtReport.objects.get(referral=referral, kind="return_notice")
    client.force_login(world["liaison"])
    download = client.get(f"/en/court/referrals/{referral.pk}/reports/{notice.pk}/")
    assert download.status_code == 200
    pdf = PdfReader(io.BytesIO(download.content))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    page = client.get(f"/en/court/referrals/{referral.pk}/").content.decode()

    # The canary is in the file, and the notice says what it should: the check can fail.
    assert SECRETS.search(Referral.objects.get(pk=referral.pk).intake.notes)
    assert "Denies the offence and asks for a trial." in text
    assert "Denies the offence and asks for a trial." in page
    # The court systems' API reads the same referral, its notice and the list of its court.
    token = issue(world["liaison"], [world.court])
    client.logout()
    api = [
        client.get(url, **bearer(token))
        for url in (
            "/api/v1/referrals/?limit=100",
            f"/api/v1/referrals/{referral.pk}/",
            f"/api/v1/referrals/{referral.pk}/reports/{notice.pk}/",
        )
    ]
    assert [response.status_code for response in api] == [200, 200, 200]
    outcome = api[1].json()["outcome"]
    assert outcome["reason_for_court"] == "Denies the offence and asks for a trial."
    notice_pdf = PdfReader(io.BytesIO(api[2].content))
    api_text = " ".join(
        [api[0].content.decode(), api[1].content.decode()]
        + [page.extract_text() for page in notice_pdf.pages]
    )
    assert "Denies the offence and asks for a trial." in api_text
    for where in (text, str(notice.details), page, api_text):
        assert not SECRETS.search(where)
        assert "Threats toward the victim" not in where
        assert "threats" not in where
        assert "resentment" not in where
