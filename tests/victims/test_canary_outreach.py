"""The canary of the outreach workspace: a word found nowhere else in every confidential field
of the store (names, contact details, the interpreter's language, the code word, safe-contact
notes, a contact's note, two safety plan versions, a concern's note), milestone tasks, a
concern raised by the facilitator and a risk alert sent; then every page every other person
reaches (the facilitator's roster and groups, the intake worker's referral page and queue, the
manager without confidential access, the court liaison officer's portal, the public pages),
every PDF, every export, the outbox, every log line and the admin show none of them."""

import io
import logging

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from pypdf import PdfReader

from ipv.notifications.models import OutboxMessage
from referrals.models import Referral, Status
from sessions_app.models import CourtReport
from sessions_app.services import calendar
from sessions_app.services.documents import court_report_issue
from sessions_app.services.program import referral_transition
from tests.api.tokens import bearer, issue
from tests.conftest import make_person
from tests.core.routes import (
    ADMIN,
    ADMIN_MODELS,
    LIAISON,
    PLATFORM,
    PUBLIC,
    ROUTES,
    SIGNED_IN,
)
from tests.victims import seeding
from victims import rls
from victims.models import Concern, Contact, OutreachTask, SafetyPlanVersion, Victim

pytestmark = pytest.mark.django_db

NOW = "2026-11-24 10:00 -05:00"
# Every person but the partner-contact worker, each with the pages the matrix lets them reach.
AGENCY_PERSONAS = ["manager", "intake", "facilitator"]


def _text(response) -> str:
    """What a response says, whatever its form: a page, a PDF, a spreadsheet, a calendar."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        pdf = PdfReader(io.BytesIO(body))
        return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return body.decode("utf-8", errors="replace")


def _get(client, url, seen, persona):
    response = client.get(url)
    assert response.status_code < 500, (persona, url)
    seen.append((persona, url, response.get("Content-Type", ""), _text(response)))
    return response


def _routes_for(persona):
    """(name, route) of every page the matrix lets `persona` read (GET)."""
    for name, route in ROUTES.items():
        if "GET" not in route.methods:
            continue
        access = route.access
        if persona == "anonymous":
            let_in = access == PUBLIC
        elif persona == "liaison":
            let_in = access in (LIAISON, SIGNED_IN, PUBLIC)
        elif persona in ("admin", "staff"):
            let_in = access in (ADMIN, PLATFORM, SIGNED_IN)
        else:
            let_in = access == SIGNED_IN or (isinstance(access, frozenset) and persona in access)
        if let_in:
            yield name, route


def _url(name, route, world):
    """The route's address; None for a route without a name (the admin's catch-all, a bare
    object address): its named neighbours show the same rows."""
    try:
        with translation.override("en"):
            return reverse(name, kwargs=route.kwargs(world))
    except NoReverseMatch:
        return None


@time_machine.travel(NOW, tick=False)
def test_no_confidential_field_reaches_anyone_else_by_any_channel(
    client, world, caplog, capsys, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    assert not world.agency.managers_see_confidential
    with django_capture_on_commit_callbacks(execute=True):
        named, added = seeding.seed(
            agency=world.agency,
            referral=world.referral,
            worker=world["partner_contact"],
            raiser=world["facilitator"],
        )
    feed = calendar.feed_create(user=world["facilitator"], agency=world.agency)
    staff = make_person("staff@platform.test", "Sam Staff", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))

    seen = []
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        for persona in [*AGENCY_PERSONAS, "liaison", "admin", "staff", "anonymous"]:
            client.logout()
            if persona != "anonymous":
                client.force_login(staff if persona == "staff" else world[persona])
            for name, route in _routes_for(persona):
                url = _url(name, route, world)
                if url is not None:
                    _get(client, url, seen, persona)
            if persona == "facilitator":
                _get(client, reverse("calendar_ics", kwargs={"token": feed}), seen, persona)
            if persona in ("admin", "staff"):
                for label in ADMIN_MODELS:
                    base = f"/en/admin/{label}/"
                    _get(client, base, seen, persona)
                with rls.every_agency():
                    people = [named.pk, added.pk]
                for pk in people:
                    for page in ("change/", "history/"):
                        _get(client, f"/en/admin/victims/victim/{pk}/{page}", seen, persona)
        # The French pages the people of the case read most.
        for persona, url in (
            ("intake", f"/fr/a/{world.agency.slug}/referrals/{world.referral.pk}/"),
            ("facilitator", f"/fr/a/{world.agency.slug}/sessions/{world.session.pk}/"),
        ):
            client.force_login(world[persona])
            _get(client, url, seen, persona)

    slug = world.agency.slug
    # A discharge: a mandatory notice task for outreach, a non-compliance report for the court.
    Referral.objects.filter(pk=world.referral.pk).update(status=Status.NON_COMPLIANT)
    with django_capture_on_commit_callbacks(execute=True):
        referral_transition(
            referral=Referral.objects.get(pk=world.referral.pk),
            name="discharge",
            by=world["intake"],
            reason="Absent three times.",
            discharge_reason="absences",
        )
        report = court_report_issue(
            referral=world.referral, kind=CourtReport.Kind.NON_COMPLIANCE, by=world["intake"]
        )
    with rls.confidential(world.agency):
        assert OutreachTask.objects.filter(victim=named, kind="discharged", mandatory=True)
    with translation.override("en"):
        for persona, name, kwargs in (
            ("intake", "agency:report", {"agency_slug": world.agency.slug, "pk": report.pk}),
            (
                "intake",
                "agency:referral_detail",
                {"agency_slug": world.agency.slug, "pk": world.referral.pk},
            ),
            ("manager", "agency:court_documents", {"agency_slug": world.agency.slug}),
            ("liaison", "court:referral_report", {"pk": world.referral.pk, "report_pk": report.pk}),
            ("liaison", "court:referral", {"pk": world.referral.pk}),
        ):
            client.force_login(world[persona])
            _get(client, reverse(name, kwargs=kwargs), seen, persona)

    # The court systems' API, as a court's system reads it with a token of every scope: the
    # court's referrals, the referral, its certificate and its reports.
    token = issue(world["liaison"], [world.court])
    client.logout()
    api_urls = [
        "/api/v1/referrals/?limit=100",
        f"/api/v1/referrals/{world.referral.pk}/",
        f"/api/v1/referrals/{world.referral.pk}/certificate/",
        f"/api/v1/referrals/{world.referral.pk}/reports/{report.pk}/",
        f"/api/v1/referrals/{world.referral.pk}/reports/{world.report.pk}/",
    ]
    for url in api_urls:
        response = client.get(url, **bearer(token))
        assert response.status_code == 200, url
        seen.append(("api", url, response.get("Content-Type", ""), _text(response)))

    # The figures and their exports, as each reader downloads them: the quarterly report (the
    # outreach counts in it), the list behind a figure, the court's and the province's figures.
    for persona, url in (
        ("manager", f"/en/a/{slug}/figures/report/?quarter=2026-4&format=xlsx&language=en"),
        ("manager", f"/en/a/{slug}/figures/report/?quarter=2026-4&format=csv&language=fr"),
        ("intake", f"/en/a/{slug}/figures/cases/received/download/?format=csv"),
        ("intake", f"/en/a/{slug}/figures/cases/received/download/?format=xlsx"),
        ("liaison", "/en/court/figures/"),
        ("admin", "/en/province/figures/"),
        ("admin", "/en/province/report/?quarter=2026-4&format=xlsx&language=en"),
    ):
        client.force_login(world[persona])
        assert _get(client, url, seen, persona).status_code == 200, url

    # Searching for a person of the store finds nothing (the pages repeat only what was typed).
    client.force_login(world["intake"])
    for word in ("ardoisiere", "Pimprenelle", "613-555-0177"):
        queue = client.get(f"/en/a/{slug}/referrals/", {"q": word, "status": "all"})
        assert queue.context["page"].paginator.count == 0, word
    assert (
        client.get(f"/en/a/{slug}/referrals/", {"q": "tremblay", "status": "all"})
        .context["page"]
        .paginator.count
    )
    client.force_login(world["liaison"])
    assert (
        client.get("/en/court/", {"q": "ardoisiere", "status": "all"})
        .context["page"]
        .paginator.count
        == 0
    )

    # The walk reached what it must: the roster, the groups, the referral page and queue, the
    # court portal, the documents and exports, the admin's list of victims.
    urls = {url for _persona, url, _kind, _text in seen}
    slug = world.agency.slug
    for expected in (
        f"/en/a/{slug}/sessions/{world.session.pk}/",
        f"/en/a/{slug}/groups/{world.group.pk}/",
        f"/en/a/{slug}/referrals/{world.referral.pk}/",
        f"/en/a/{slug}/referrals/",
        f"/en/court/referrals/{world.referral.pk}/",
        "/en/admin/victims/victim/",
        f"/en/a/{slug}/figures/",
        "/en/court/figures/",
        "/en/province/figures/",
        f"/api/v1/referrals/{world.referral.pk}/",
    ):
        assert expected in urls, expected
    kinds = {kind.split(";")[0] for _persona, _url, kind, _text in seen}
    assert {"application/pdf", "text/csv", "text/calendar"} <= kinds, kinds
    assert any("spreadsheetml" in kind for kind in kinds), kinds
    texts = {(persona, url): text for persona, url, _kind, text in seen}
    # Positive controls: the pages and documents say what they should (the checks can fail).
    referral_page = texts[("intake", f"/en/a/{slug}/referrals/{world.referral.pk}/")]
    # The person the order names, not the one outreach found (the case team counts only its
    # own).
    assert "The order names 1 person." in referral_page
    assert (
        "Jean-Marc Tremblay" in texts[("facilitator", f"/en/a/{slug}/sessions/{world.session.pk}/")]
    )
    assert "Jean-Marc Tremblay" in texts[("api", f"/api/v1/referrals/{world.referral.pk}/")]
    pdfs = " ".join(text for _p, _u, kind, text in seen if kind.startswith("application/pdf"))
    assert "Tremblay" in pdfs
    admin_list = texts[("admin", "/en/admin/victims/victim/")]
    assert f"Person #{named.pk} named in a referral" in admin_list

    leaks = [
        (persona, url, sorted({m.group(0) for m in seeding.SECRETS.finditer(text)}))
        for persona, url, _kind, text in seen
        if seeding.SECRETS.search(text)
    ]
    assert leaks == []

    for message in mail.outbox:
        whole = " ".join(
            [message.subject, message.body, *[str(a[0]) for a in message.alternatives]]
        )
        assert not seeding.SECRETS.search(whole), message.subject
    for message in OutboxMessage.objects.all():
        whole = " ".join([message.to, message.subject, message.body_text, message.body_html])
        assert not seeding.SECRETS.search(whole), message.subject
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert "milestones.consume" in logs, "nothing was logged: the check would prove nothing"
    assert not seeding.SECRETS.search(logs), sorted(
        {m.group(0) for m in seeding.SECRETS.finditer(logs)}
    )

    # The strings are where they belong: in the store, read back through the application.
    with rls.confidential(world.agency):
        stored = " ".join(
            [
                *(
                    " ".join(
                        str(getattr(v, f))
                        for f in (
                            "full_name",
                            "phone",
                            "email",
                            "address",
                            "interpreter",
                            "code_word",
                            "safe_contact_notes",
                        )
                    )
                    for v in Victim.objects.filter(referral=world.referral)
                ),
                *(c.note for c in Contact.objects.filter(referral=world.referral)),
                *(
                    " ".join(text for _heading, text in plan.sections())
                    for plan in SafetyPlanVersion.objects.filter(victim=named)
                ),
                *(c.note for c in Concern.objects.filter(referral=world.referral)),
            ]
        )
    # The named person's first notes were replaced by the rules' update: the history names
    # the field that changed, and keeps no value of it.
    replaced = "Salsepareille"
    assert replaced in seeding.NAMED["safe_contact_notes"]
    for word in seeding.WORDS:
        assert (word in stored) is (word != replaced), word
