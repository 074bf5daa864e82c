"""Documents for the court: the certificate in the participant's language and the reports in the
court's, read back from their PDF; what never goes into one; the public verify page; who may
download them, each download audited."""

import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone, translation
from pypdf import PdfReader

from ipv.audit.models import AuditEvent
from referrals.models import Referral
from referrals.services.referrals import referral_transition
from sessions_app import defaults
from sessions_app.models import Attendance, Certificate, CourtReport
from sessions_app.services.documents import court_report_issue, document_render
from tests.conftest import CERTIFICATE_DETAILS
from tests.sessions_app.conftest import a_group, placed, sessions, take
from victims.models import Victim

pytestmark = pytest.mark.django_db


def pdf_text(document) -> str:
    """The words of the document's PDF, with line breaks and runs of blanks made one space."""
    reader = PdfReader(io.BytesIO(document_render(document)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def completed(clock, world, *, name, language, group, note="", **order):
    """A referral placed today that attends the group's next twelve sessions: its certificate."""
    referral = placed(world, name=name, group=group, language=language, **order)
    to_come = [session for session in sessions(group) if session.date >= timezone.localdate()]
    for session in to_come[:12]:
        assert take(clock, world, session, referral, note=note) == {}
    return Certificate.objects.get(referral=referral)


def test_a_french_participant_gets_a_french_certificate_with_her_accented_name(clock, world):
    certificate = completed(
        clock, world, name="Éloïse Côté-Bérubé", language="fr", group=world.group
    )
    assert certificate.language == "fr"
    text = pdf_text(certificate)
    assert "Certificat d'achèvement" in text
    assert "Éloïse Côté-Bérubé" in text
    assert "du 24 novembre 2026 au 9 février 2027" in text
    for title_fr, _title_en, _fr, _en in defaults.IPV:
        assert title_fr in text
    assert f"Code de vérification: {certificate.code}" in text
    assert f"{settings.IPV_BASE_URL}/fr/verify/{certificate.code}/" in text


def test_an_english_participant_gets_an_english_certificate(clock, world):
    thursday = a_group(world, name="Thursday evening", language="en")
    certificate = completed(clock, world, name="Paul Girard", language="en", group=thursday)
    assert certificate.language == "en"
    text = pdf_text(certificate)
    assert "Certificate of completion" in text
    assert "Paul Girard" in text
    for _fr, title_en, _fr_text, _en_text in defaults.IPV:
        assert title_en in text
    assert "Comprendre la violence" not in text
    assert f"{settings.IPV_BASE_URL}/en/verify/{certificate.code}/" in text


def test_a_report_is_in_the_language_of_the_court_not_the_persons(clock, world):
    thursday = a_group(world, name="Thursday evening", language="en")
    paul = placed(world, name="Paul Girard", group=thursday, language="en")
    for session in sessions(thursday)[:2]:
        take(clock, world, session, paul)
    assert "Attendance progress report" in pdf_text(world.report)

    world.court.report_language = "fr"
    world.court.save(update_fields=["report_language"])
    report = court_report_issue(referral=paul, kind="progress", by=world["intake"])
    assert report.language == "fr"
    text = pdf_text(report)
    assert "Rapport d'étape sur les présences" in text
    assert "Modules suivis : 2 sur 12" in text
    assert "1. Comprendre la violence et les mauvais traitements entre partenaires" in text
    assert "Understanding partner violence" not in text


# A victim named on the order, and notes that may speak of them or of money.
VICTIM = {
    "relationship": "victim",
    "full_name": "Zéphirine Canari-Vautour",
    "phone": "+16135550199",
    "email": "zephirine.canari@example.org",
    "safe_contact_notes": "Appeler après 18 h seulement.",
}
INTAKE_NOTES = "Parle de Zéphirine avec rancune. Frais réduits à 35 $ par séance."
ATTENDANCE_NOTE = "A payé 120,00 $ de frais; parle de sa conjointe."
CANARY = re.compile(
    r"z[ée]phirine|canari|vautour|555[-. ]?0199|18 h|rancune|conjointe|frais|\bfees?\b|\$|120,00",
    re.IGNORECASE,
)


def test_nothing_confidential_nor_any_fee_reaches_a_document(clock, world):
    thursday = a_group(world, name="Jeudi soir")
    paul = placed(
        world, name="Paul Girard", group=thursday, named_people=[VICTIM], notes=INTAKE_NOTES
    )
    for session in sessions(thursday)[:2]:
        take(clock, world, session, paul, "unexcused", note=ATTENDANCE_NOTE)
    referral_transition(referral=paul, name="discharge", by=world["intake"], reason="No reply.")
    discharge = CourtReport.objects.get(referral=paul, kind="non_compliance")
    certificate = completed(
        clock,
        world,
        name="Éloïse Côté-Bérubé",
        language="fr",
        group=world.group,
        note=ATTENDANCE_NOTE,
        named_people=[VICTIM],
        notes=INTAKE_NOTES,
    )
    progress = court_report_issue(
        referral=certificate.referral, kind="progress", by=world["intake"]
    )

    # The canaries are in the file, where they belong.
    assert Victim.objects.get(referral=paul).full_name == VICTIM["full_name"]
    assert Referral.objects.get(pk=paul.pk).intake.notes == INTAKE_NOTES
    assert Attendance.objects.filter(note=ATTENDANCE_NOTE).count() == 14
    for document in (certificate, progress, discharge):
        assert CANARY.findall(pdf_text(document)) == [], document
        assert CANARY.findall(str(document.details)) == [], document


def _raw(sql, pk):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [pk])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE sessions_app_certificate SET details = '{}' WHERE id = %s",
        "UPDATE sessions_app_certificate SET code = 'AAAA-BBBB-CCCC' WHERE id = %s",
        "DELETE FROM sessions_app_certificate WHERE id = %s",
    ],
)
def test_a_certificate_cannot_be_changed_nor_deleted_even_in_sql(world, sql):
    with pytest.raises(ProgrammingError, match="pgtrigger"):
        _raw(sql, world.certificate.pk)
    saved = Certificate.objects.get(pk=world.certificate.pk)
    assert (saved.code, saved.details) == ("7KQF-3XWM-PA9C", CERTIFICATE_DETAILS)


def test_a_revoked_certificate_says_so_on_its_verify_page(clock, client, world, english):
    client.force_login(world["intake"])
    response = client.post(
        f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/certificate/revoke/",
        {"reason": "Issued in error: two modules were recorded for the wrong person."},
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(pk=world.certificate.pk)
    assert (certificate.revoked_at, certificate.revoked_by) == (timezone.now(), world["intake"])
    with pytest.raises(ProgrammingError, match="pgtrigger"):
        _raw("UPDATE sessions_app_certificate SET revoked_at = NULL WHERE id = %s", certificate.pk)

    client.logout()
    page = client.get("/en/verify/7KQF-3XWM-PA9C/").content.decode()
    assert "This certificate was revoked." in page
    assert "was revoked by the agency on 24 Nov 2026" in page
    assert "This certificate is genuine." not in page


def test_the_verify_page_shows_initials_program_agency_and_date_and_nothing_more(client, world):
    response = client.get("/en/verify/7kqf3xwmpa9c/")
    assert response.status_code == 200
    page = response.content.decode()
    labels = [unescape(label) for label in re.findall(r"<dt[^>]*>(.*?)</dt>", page)]
    values = [" ".join(value.split()) for value in re.findall(r"<dd[^>]*>(.*?)</dd>", page, re.S)]
    assert labels == ["Code", "Holder's initials", "Program", "Agency", "Completed on"]
    assert values == [
        "7KQF-3XWM-PA9C",
        "J.-M. T.",
        "IPV — Partner Assault Response",
        "River Services",
        "17 Nov 2026",
    ]
    for secret in ("Jean-Marc", "Tremblay", "4811-998-26-00001", "Ottawa Courthouse"):
        assert secret not in page


def test_an_unknown_code_answers_404_with_a_clear_message(client, world):
    response = client.get("/en/verify/7KQF-3XWM-PA9D/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No certificate has this code." in page
    assert "Check the code “7KQF-3XWM-PA9D” against the paper" in page


def _downloads():
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.DOCUMENT_DOWNLOADED)
        .order_by("pk")
        .values_list("actor__email", "target_id", "details")
    )


def test_each_download_by_the_agency_or_the_court_is_audited(client, world):
    referral, certificate, report = world.referral, world.certificate, world.report
    urls = [
        (world["intake"], f"/en/a/{world.agency.slug}/referrals/{referral.pk}/certificate/"),
        (world["intake"], f"/en/a/{world.agency.slug}/reports/{report.pk}/"),
        (world["liaison"], f"/en/court/referrals/{referral.pk}/certificate/"),
        (world["liaison"], f"/en/court/referrals/{referral.pk}/reports/{report.pk}/"),
    ]
    for person, url in urls:
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    assert _downloads() == [
        ("intake@riviere.test", str(certificate.pk), {"reader": "agency"}),
        ("intake@riviere.test", str(report.pk), {"reader": "agency"}),
        ("liaison@court.test", str(certificate.pk), {"reader": "court"}),
        ("liaison@court.test", str(report.pk), {"reader": "court"}),
    ]
    assert client.get(urls[2][1])["Content-Disposition"] == (
        'attachment; filename="certificate-7KQF-3XWM-PA9C.pdf"'
    )


def test_a_liaison_officer_of_another_court_gets_404(client, world):
    client.force_login(world["other_liaison"])
    referral = world.referral
    assert client.get(f"/en/court/referrals/{referral.pk}/certificate/").status_code == 404
    url = f"/en/court/referrals/{referral.pk}/reports/{world.report.pk}/"
    assert client.get(url).status_code == 404
    assert _downloads() == []


ODD_CODES = [
    "a/b",
    "//evil.example",
    "..%2F",
    "../../etc/passwd",
    "7KQF/3XWM/PA9C",
    "７ＫＱＦ３ＸＷＭＰＡ９Ｃ",  # full-width: upper-cases and counts twelve, but is no code
    "ＡＢＣＤ-ＥＦＧＨ-ＪＫＬＭ",
    "7KQF\u202e3XWM-PA9C",
    "x" * 19,
]


@pytest.mark.parametrize("typed", ODD_CODES)
def test_an_odd_code_typed_in_the_form_is_simply_not_found(client, world, typed):
    response = client.get("/en/verify/", {"code": typed})
    assert response.status_code == 404
    assert "No certificate has this code." in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en/verify/..%2F/",
        "/en/verify/%2F%2Fevil.example/",
        "/en/verify/%00/",
        "/en/verify/%E2%80%AE7KQF-3XWM-PA9C/",
        "/en/verify/%C3%A9t%C3%A9%C3%A9t%C3%A9%C3%A9t%C3%A9%C3%A9t%C3%A9/",
        f"/en/verify/{'7KQF' * 2500}/",
    ],
)
def test_an_odd_code_in_the_address_is_simply_not_found(client, world, path):
    response = client.get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "not found" in page.lower() or "No certificate has this code." in page
    assert "\x00" not in page and "\u202e" not in page


@pytest.mark.parametrize("typed", ["", "\x00", "x" * 21])
def test_what_is_not_a_code_at_all_is_refused_by_the_form(client, world, typed):
    assert client.get("/en/verify/", {"code": typed}).status_code == 400


@pytest.mark.parametrize("typed", ["7kqf3xwmpa9c", " 7KQF 3XWM PA9C ", "7kqf-3xwm-pa9c"])
def test_a_real_code_typed_in_the_form_leads_to_its_page(client, world, typed):
    response = client.get("/en/verify/", {"code": typed})
    assert (response.status_code, response["Location"]) == (302, "/en/verify/7KQF-3XWM-PA9C/")
    assert client.get(response["Location"]).status_code == 200


def test_the_reason_the_software_gave_is_printed_in_the_reports_language(clock, world):
    """The absences were counted while a French-speaking worker took the attendance; the
    court reads English."""
    thursday = a_group(world, name="Thursday evening", language="en")
    paul = placed(world, name="Paul Girard", group=thursday, language="en")
    with translation.override("fr"):
        for session in sessions(thursday)[:2]:
            take(clock, world, session, paul, "unexcused")
        referral_transition(
            referral=paul, name="discharge", by=world["intake"], reason="No reply since."
        )
    report = CourtReport.objects.get(referral=paul, kind="non_compliance")
    assert report.language == "en"
    text = pdf_text(report)
    assert "2 unexcused absences: the agency's limit is 2." in text
    assert "No reply since." in text
    assert "non motivées" not in text
