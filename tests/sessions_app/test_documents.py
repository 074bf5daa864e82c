"""Documents for the court: the certificate in the participant's language and the reports in the
court's, read back from their PDF; what never goes into one; the public verify page; who may
download them, each download audited."""

import io
import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.conf import settings
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone, translation
from pypdf import PdfReader

from ipv.audit.models import AuditEvent
from referrals.models import Referral
from referrals.services.intake import intake_book
from sessions_app import defaults
from sessions_app.models import Attendance, Certificate, CourtReport
from sessions_app.services.documents import (
    court_report_draft,
    court_report_issue,
    document_render,
    fingerprint,
)
from sessions_app.services.program import intake_record, referral_transition, transfer_accept
from tests.conftest import CERTIFICATE_DETAILS, at_once, make_referral
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
    # Each module's day written out as in a sentence, not as digits.
    assert "— 24 novembre 2026" in text and "— 9 février 2027" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert f"Code de vérification : {certificate.code}" in text.replace("\xa0", " ")
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
    referral_transition(
        referral=paul,
        name="discharge",
        by=world["intake"],
        reason="No reply.",
        discharge_reason="absences",
    )
    discharge = court_report_issue(referral=paul, kind="non_compliance", by=world["intake"])
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
            referral=paul,
            name="discharge",
            by=world["intake"],
            reason="No reply since.",
            discharge_reason="absences",
        )
        report = court_report_issue(referral=paul, kind="non_compliance", by=world["intake"])
    assert report.language == "en"
    text = pdf_text(report)
    assert "2 unexcused absences: the agency's limit is 2." in text
    assert "No reply since." in text
    assert "non motivées" not in text


# Sending to the court is deliberate: a preview, a confirmation, one report; a correction
# replaces a report without erasing it.


def report_page(world, kind="progress", referral=None):
    referral = referral or world.referral
    return f"/en/a/{world.agency.slug}/referrals/{referral.pk}/reports/new/{kind}/"


def words(response) -> str:
    """The page's text, without its tags, blanks made one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def previewed(response) -> str:
    return response.context["form"].initial["previewed"]


def test_a_report_is_previewed_and_reaches_the_court_only_once_confirmed(clock, client, world):
    take(clock, world, world.session, world.referral, "present")
    client.force_login(world["intake"])
    before = set(CourtReport.objects.values_list("pk", flat=True))

    preview = client.get(report_page(world))
    assert preview.status_code == 200
    html = " ".join(preview.content.decode().split())
    # The preview is the document: the PDF's own words, from the very template it renders.
    assert "Attendance progress report" in html
    assert "Jean-Marc Tremblay" in html
    assert "Modules attended: 1 of 12" in html
    assert "Confirm and send to the court" in html
    assert set(CourtReport.objects.values_list("pk", flat=True)) == before
    client.force_login(world["liaison"])
    court_page = client.get(f"/en/court/referrals/{world.referral.pk}/").content.decode()
    assert court_page.count("Attendance progress report") == 1  # world.report alone

    client.force_login(world["intake"])
    sent = client.post(report_page(world), {"previewed": previewed(preview)})
    assert sent.status_code == 302
    (issued,) = CourtReport.objects.exclude(pk__in=before)
    assert (issued.kind, issued.issued_by, issued.replaces) == ("progress", world["intake"], None)
    assert fingerprint(issued) == previewed(preview)
    text = pdf_text(issued)
    assert "Modules attended: 1 of 12" in text
    assert "1. Understanding partner violence" in text


def test_a_preview_gone_stale_issues_nothing_and_shows_the_report_again(clock, client, world):
    client.force_login(world["intake"])
    preview = client.get(report_page(world))
    count = CourtReport.objects.count()
    take(clock, world, world.session, world.referral, "present")  # attendance taken meanwhile
    client.force_login(world["intake"])  # the evening: signed in again

    stale = client.post(report_page(world), {"previewed": previewed(preview)}, follow=True)
    assert stale.status_code == 200
    assert "The report has changed since the preview" in stale.content.decode()
    assert "Modules attended: 1 of 12" in " ".join(stale.content.decode().split())
    assert CourtReport.objects.count() == count
    # Confirmed again, from the new preview: issued.
    client.post(report_page(world), {"previewed": previewed(stale)})
    assert CourtReport.objects.count() == count + 1


def issuing(world, referral_pk, kind, previewed, replaces=None):
    def call():
        referral = Referral.objects.get(pk=referral_pk)
        old = CourtReport.objects.get(pk=replaces) if replaces else None
        report = court_report_issue(
            referral=referral, kind=kind, by=world["intake"], replaces=old, previewed=previewed
        )
        return report.pk

    return call


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_sent_twice_at_once_issues_one_report(clock, world):
    take(clock, world, world.session, world.referral, "present")  # world.report said 0 of 12
    draft = court_report_draft(referral=world.referral, kind="progress")
    count = CourtReport.objects.count()
    twice = issuing(world, world.referral.pk, "progress", fingerprint(draft))
    first, second = at_once(twice, twice)
    assert isinstance(first, int), first
    assert first == second
    assert CourtReport.objects.count() == count + 1
    # A replacement confirmed twice at once replaces once.
    draft = court_report_draft(referral=world.referral, kind="progress", replaces=world.report)
    twice = issuing(world, world.referral.pk, "progress", fingerprint(draft), world.report.pk)
    first, second = at_once(twice, twice)
    assert first == second
    assert CourtReport.objects.get(pk=first).replaces_id == world.report.pk
    assert CourtReport.objects.count() == count + 2


def test_a_replaced_report_stays_with_the_agency_and_the_court_sees_the_new_one(
    clock, client, world
):
    old = world.report
    take(clock, world, world.session, world.referral, "present")
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/reports/{old.pk}/replace/"
    preview = client.get(url)
    assert "The court will see this one instead of the report of 24 Nov 2026" in (
        " ".join(preview.content.decode().split())
    )
    sent = client.post(url, {"previewed": previewed(preview)})
    assert sent.status_code == 302
    new = CourtReport.objects.get(replaces=old)
    assert f"This report replaces the report of 24 Nov 2026 (reference {old.code})" in (
        pdf_text(new)
    )
    # The agency keeps both, the old one marked; it cannot be replaced twice.
    page = words(client.get(f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/"))
    assert old.code in page and new.code in page
    assert "Replaced by the report of" in page
    assert client.get(f"/en/a/{world.agency.slug}/reports/{old.pk}/").status_code == 200
    again = client.get(url, follow=True)
    assert "Only the latest report can be replaced." in again.content.decode()
    with pytest.raises(ProgrammingError, match="pgtrigger"):
        _raw("UPDATE sessions_app_courtreport SET replaces_id = NULL WHERE id = %s", new.pk)

    client.force_login(world["liaison"])
    court = f"/en/court/referrals/{world.referral.pk}"
    page = words(client.get(f"{court}/"))
    assert new.code in page and old.code not in page
    assert "Replaces the report of" in page
    assert client.get(f"{court}/reports/{old.pk}/").status_code == 404
    assert client.get(f"{court}/reports/{new.pk}/").status_code == 200


def test_a_discharge_waits_for_the_workers_preview_of_the_non_compliance_report(
    clock, client, world
):
    paul = placed(world, name="Paul Girard")
    client.force_login(world["intake"])
    refused = client.get(report_page(world, "non_compliance", paul), follow=True)
    assert "A non-compliance report follows a discharge from the program." in (
        refused.content.decode()
    )
    for session in sessions(world.group)[:2]:
        take(clock, world, session, paul, "unexcused")
    referral_transition(
        referral=paul,
        name="discharge",
        by=world["intake"],
        reason="No reply.",
        discharge_reason="absences",
    )
    assert not CourtReport.objects.filter(referral=paul).exists()
    client.force_login(world["intake"])  # a week later: signed in again
    page = client.get(f"/en/a/{world.agency.slug}/referrals/{paul.pk}/").content.decode()
    assert "The court has not received the non-compliance report yet." in page

    preview = client.get(report_page(world, "non_compliance", paul))
    assert "No reply." in preview.content.decode()
    client.post(report_page(world, "non_compliance", paul), {"previewed": previewed(preview)})
    assert CourtReport.objects.get(referral=paul).kind == "non_compliance"
    page = client.get(f"/en/a/{world.agency.slug}/referrals/{paul.pk}/").content.decode()
    assert "The court has not received the non-compliance report yet." not in page


def test_discharging_from_the_page_leads_straight_to_the_report_preview(clock, client, world):
    paul = placed(world, name="Paul Girard")
    for session in sessions(world.group)[:2]:
        take(clock, world, session, paul, "unexcused")
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/referrals/{paul.pk}/status/discharge/"
    response = client.post(
        url, {"reason": "No reply.", "discharge_reason": "absences"}, follow=True
    )
    assert response.redirect_chain[-1][0] == report_page(world, "non_compliance", paul)
    assert "Check the non-compliance report, then send it to the court." in words(response)
    assert "No reply." in words(response)
    # Nothing reaches the court before the worker confirms.
    assert not CourtReport.objects.filter(referral=paul).exists()
    paul.refresh_from_db()
    assert paul.status == "discharged"


def test_a_notice_of_return_is_not_a_report_one_previews_or_replaces(client, world):
    client.force_login(world["intake"])
    assert client.get(report_page(world, "return_notice")).status_code == 404
    assert client.get(report_page(world, "nonsense")).status_code == 404


# The notice of return to the court.


def returned(world, *, language="fr", eligibility="ineligible"):
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Marc-André Poirier", "language": language},
        court_file_number="4811-998-26-00077",
        return_court_date=date(2027, 1, 15),
    )
    intake_book(
        referral=referral,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(hours=1),
        mode="in_person",
    )
    intake_record(
        referral=referral,
        by=world["intake"],
        held_on=timezone.localdate(),
        eligibility=eligibility,
        court_reason="Il nie l'infraction et demande un procès.",
        reason="INTERNAL-CANARY",
        notes="NOTES-CANARY",
        risk_flags=["weapons"],
    )
    return CourtReport.objects.get(referral=referral, kind="return_notice")


def test_the_notice_of_return_is_in_the_persons_language_on_letter_paper(world):
    world.court.report_language = "en"
    world.court.save(update_fields=["report_language"])
    notice = returned(world, language="fr")
    assert notice.language == "fr"
    reader = PdfReader(io.BytesIO(document_render(notice)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # 8½ × 11 in
    text = pdf_text(notice)
    assert "Avis de retour au tribunal" in text
    assert "Marc-André Poirier" in text
    assert "Il nie l'infraction et demande un procès." in text
    assert "15 janvier 2027" in text
    assert f"Référence : {notice.code}" in text.replace("\xa0", " ")
    for secret in ("INTERNAL-CANARY", "NOTES-CANARY", "arme", "weapon", "$", "frais"):
        assert secret not in text, secret
        assert secret not in str(notice.details), secret


def test_the_notice_is_in_english_for_an_english_speaking_person(world):
    text = pdf_text(returned(world, language="en"))
    assert "Notice of return to the court" in text
    assert "found the person not eligible for the program" in text


def test_a_transferred_referral_leaves_the_reports_to_the_agency_that_took_it(client, world):
    old = world.transfer.referral
    transfer_accept(transfer=world.transfer, by=world["other_intake"])
    client.force_login(world["intake"])
    page = client.get(f"/en/a/{world.agency.slug}/referrals/{old.pk}/").content.decode()
    assert "Preview a progress report" not in page
    refused = client.get(report_page(world, "progress", old), follow=True)
    assert "the agency that took it reports to the court now" in words(refused)
    assert not CourtReport.objects.filter(referral=old).exists()
    # The control: a referral still here offers it.
    page = client.get(f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/").content.decode()
    assert "Preview a progress report" in page
