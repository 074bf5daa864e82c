"""A person's records request: one PDF of everything the agency holds on a participant, in
their language or the one the worker chooses; each one produced is in the audit trail, with
how many rows of each kind it held and nothing of what they say."""

from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ipv.audit.services import Action, audit_record
from ipv.core import downloads
from ipv.core.choices import Language
from ipv.core.pdf import render_pdf
from ipv.core.permissions import requires
from referrals import selectors as referral_selectors
from sessions_app.records import records_of


@requires("records.request")
@require_GET
def participant_records(request, pk):
    participant = referral_selectors.participant_get(agency=request.agency, pk=pk)
    if participant.merged_into_id:
        return redirect(
            "agency:participant_records",
            agency_slug=request.agency.slug,
            pk=participant.merged_into_id,
        )
    language = request.GET.get("language")
    if language not in Language.values:
        language = participant.language
    records = records_of(agency=request.agency, participant=participant)
    context = {
        "records": records,
        "details": {"name": participant.legal_name},
        "participant": participant,
        "agency": request.agency,
        "today": timezone.localdate(),
        "requested_by": request.user.get_full_name(),
    }
    with translation.override(language):
        context["title"] = _("Records request")
        filename = _("Records of %(name)s") % {"name": participant.legal_name}
    pdf = render_pdf("records.html", context, language=language)
    audit_record(
        action=Action.RECORDS_REQUESTED,
        actor=request.user,
        agency=request.agency,
        target=participant,
        label=lambda: _("Records of participant #%(number)s") % {"number": participant.pk},
        details={"language": language, **records.counts},
    )
    return downloads.file_response(pdf, filename=f"{filename}.pdf", content_type=downloads.PDF)
