"""Certificates, court reports and notices as PDF, for the token's courts: the same documents
as the court portal's, their downloads audited the same way."""

import io

import pytest
from pypdf import PdfReader

from ipv.audit.models import AuditEvent
from sessions_app.models import Certificate
from sessions_app.selectors import court_documents
from tests.api.tokens import bearer

pytestmark = pytest.mark.django_db


def test_the_certificate_downloads_as_a_pdf_and_the_agency_sees_it_downloaded(client, world, token):
    assert not court_documents(agency=world.agency)["certificates"].get().downloaded
    response = client.get(f"/api/v1/referrals/{world.referral.pk}/certificate/", **bearer(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert world.certificate.code in text
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOCUMENT_DOWNLOADED).get()
    assert event.actor == world["liaison"]
    assert event.details["reader"] == "court"
    assert court_documents(agency=world.agency)["certificates"].get().downloaded


def test_a_report_downloads_and_a_revoked_certificate_does_not(client, world, token):
    report = client.get(
        f"/api/v1/referrals/{world.referral.pk}/reports/{world.report.pk}/", **bearer(token)
    )
    assert report.status_code == 200
    assert report.content.startswith(b"%PDF")
    Certificate.objects.filter(pk=world.certificate.pk).update(
        revoked_at=world.report.issued_at, revocation_reason="Entered in error."
    )
    gone = client.get(f"/api/v1/referrals/{world.referral.pk}/certificate/", **bearer(token))
    assert gone.status_code == 404
    row = client.get(f"/api/v1/referrals/{world.referral.pk}/", **bearer(token)).json()
    assert [document["kind"] for document in row["documents"]] == ["progress"]


def test_a_report_of_another_referral_answers_404(client, world, token):
    url = f"/api/v1/referrals/{world.other_referral.pk}/reports/{world.report.pk}/"
    assert client.get(url, **bearer(token)).status_code == 404
