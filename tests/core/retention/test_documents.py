"""Retention and the documents issued for the court: they keep their code, kind, dates and
modules, no longer say whom they were about, and are printed again from what is left."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ipv.pages.retention import retention_apply
from referrals.services.referrals import referral_transition

pytestmark = pytest.mark.django_db


def test_the_documents_of_a_de_identified_referral_no_longer_say_whom_they_were_about(world):
    """Documents are frozen once issued: retention alone blanks the person in them and drops
    the PDFs that printed them; asked for again, they print what is left."""
    from sessions_app.models import Certificate, CourtReport
    from sessions_app.services.documents import document_pdf, document_render

    referral = world.referral
    document_render(world.report)
    Certificate.objects.filter(pk=world.certificate.pk).update(pdf=b"%PDF-1.7 Jean-Marc")
    from sessions_app.services.documents import court_report_issue

    still_open = court_report_issue(
        referral=world.reduction.referral, kind=CourtReport.Kind.PROGRESS, by=world["intake"]
    )
    document_render(still_open)
    referral_transition(referral=referral, name="withdraw", by=world["intake"], reason="Moved")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7 * 366), tick=False):
        retention_apply()
    certificate = Certificate.objects.get(pk=world.certificate.pk)
    report = CourtReport.objects.get(pk=world.report.pk)
    for document in (certificate, report):
        assert not document.is_rendered
        text = json.dumps(document.details)
        for kept in ("Tremblay", "J.-M. T.", "4811-998-26-00001"):
            assert kept not in text
        assert document.code and document.details["modules"] == (
            world.certificate.details["modules"]
            if document is certificate
            else report.details["modules"]
        )
    assert report.details["date_of_birth"].endswith("-01-01")
    # Printed again from what is left: a PDF that names no one.
    assert document_pdf(certificate).startswith(b"%PDF")
    assert document_render(report).startswith(b"%PDF")
    # The control: the documents of a referral still open are as issued.
    kept = CourtReport.objects.get(pk=still_open.pk)
    assert kept.details == still_open.details and kept.details["name"]
    assert kept.is_rendered


def test_a_document_being_printed_as_retention_blanks_it_is_stored_blank(world):
    """A download or the worker loaded a report not yet printed; retention then blanks it; the
    print under way must not store, or serve, the name it was given before."""
    from sessions_app.models import CourtReport
    from sessions_app.services.documents import document_render

    loaded = CourtReport.objects.get(pk=world.report.pk)  # the request's copy
    assert not loaded.is_rendered and loaded.details["name"] == "Jean-Marc Tremblay"
    referral_transition(referral=world.referral, name="withdraw", by=world["intake"], reason="-")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7 * 366), tick=False):
        retention_apply()
    served = _pdf_text(document_render(loaded))  # the print that was under way
    stored = CourtReport.objects.get(pk=loaded.pk)
    assert stored.is_rendered
    for text in (served, _pdf_text(document_render(stored))):
        assert "Tremblay" not in text
        assert "4811-998-26-00001" not in text
        assert "Rapport" in text or "report" in text.lower()  # the control: a real document


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())
