"""What goes to the court, in the browser, in French and in English: a report's preview and its
replacement, a referral returned to the court with the reason written for it, the court's page
that shows it, and the notice itself (its HTML, as WeasyPrint reads it) — all passing axe-core."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from playwright.sync_api import expect

from sessions_app.models import CourtReport
from sessions_app.services.documents import document_context
from tests.e2e.test_referrals import _visit_all, either
from tests.e2e.test_signed_in_pages import sign_in


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pages_and_the_notice_for_the_court_pass_axe(
    new_page, live_server, world, assert_accessible, language
):
    base, agency = live_server.url, f"/{language}/a/{world.agency.slug}"
    referral = world.referral.pk
    worker = new_page()
    sign_in(worker, base, "intake@riviere.test", language)
    _visit_all(
        worker,
        base,
        [
            f"{agency}/referrals/{referral}/reports/new/progress/",
            f"{agency}/reports/{world.report.pk}/replace/",
            f"{agency}/referrals/{referral}/return/",
        ],
        assert_accessible,
    )
    # Sent without the reason for the court, the form says so next to the field.
    worker.locator("main form button[type=submit]").click()
    expect(worker.locator("#id_court_reason")).to_have_attribute("aria-invalid", "true")
    expect(worker.locator("#id_court_reason_error")).to_be_visible()
    assert_accessible(worker)
    worker.get_by_label(either("Motif pour le tribunal", "Reason for the court")).fill(
        "Il demande un procès."
    )
    worker.locator("main form button[type=submit]").click()
    expect(worker.locator(".messages .alert-success")).to_be_visible()
    assert_accessible(worker)

    officer = new_page()
    sign_in(officer, base, "liaison@court.test", language)
    _visit_all(officer, base, [f"/{language}/court/referrals/{referral}/"], assert_accessible)
    expect(officer.locator("#outcome-heading")).to_be_visible()
    expect(officer.locator("main")).to_contain_text("Il demande un procès.")

    notice = CourtReport.objects.get(referral=world.referral, kind="return_notice")
    context = {**document_context(notice), "LANGUAGE_CODE": notice.language}
    with translation.override(notice.language):
        html = render_to_string("pdf/report_return_notice.html", context)
    document = new_page()
    document.set_content(html)
    expect(document.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(document)
