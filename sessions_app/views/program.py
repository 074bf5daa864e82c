"""A referral's place in the program (its group) and its documents for the court, on the
agency's side and on the court liaison officer's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ipv.audit.services import Action, audit_record
from ipv.core import downloads
from ipv.core.forms import apply_errors, posted
from ipv.core.permissions import liaison, requires
from referrals import selectors as referral_selectors
from referrals.models import Status
from referrals.views.agency import action_page, not_now, to_referral
from sessions_app import selectors
from sessions_app.forms import EnrolForm, MoveGroupForm, ReportConfirmForm, RevokeForm
from sessions_app.models import REPLACEABLE
from sessions_app.services import documents, enrollment


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def referral_enrol(request, pk):
    """Place the referral in a group; once placed, move it to another."""
    referral = referral_selectors.referral_get(agency=request.agency, pk=pk)
    moving = referral.status in (Status.ENROLLED, Status.NON_COMPLIANT)
    if not moving and referral.status not in (Status.INTAKE_DONE, Status.WAITLISTED):
        return not_now(request, referral)
    groups = selectors.open_groups_for(referral=referral)
    form_class = MoveGroupForm if moving else EnrolForm
    form = form_class(posted(request), groups=groups, initial={"start_date": timezone.localdate()})
    if form.is_valid():
        try:
            if moving:
                enrollment.enrollment_move(referral=referral, by=request.user, **form.cleaned_data)
            else:
                enrollment.enroll(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Group changed.") if moving else _("Enrolled."))
            return to_referral(referral)
    title = _("Move to another group") if moving else _("Enrol in a group")
    intro = _("Groups of the referral's program in the person's language of service.")
    return action_page(request, referral, form, title=title, intro=intro)


def _pdf(request, document, filename, reader):
    """A document's PDF, its download audited."""
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=request.user,
        agency=document.agency,
        target=document,
        label=lambda: f"{document._meta.verbose_name} {document.code}",
        details={"reader": reader},
    )
    return downloads.file_response(
        documents.document_render(document),
        filename=f"{filename}-{document.code}.pdf",
        content_type=downloads.PDF,
    )


@requires("documents.manage")
@require_GET
def certificate_download(request, pk):
    referral = referral_selectors.referral_get(agency=request.agency, pk=pk)
    certificate = selectors.certificate_get(agency=request.agency, referral=referral)
    return _pdf(request, certificate, "certificate", "agency")


@requires("documents.manage")
@require_http_methods(["GET", "POST"])
def certificate_revoke(request, pk):
    referral = referral_selectors.referral_get(agency=request.agency, pk=pk)
    certificate = selectors.certificate_get(agency=request.agency, referral=referral)
    if certificate.revoked_at:
        return not_now(request, referral, _("This certificate was already revoked."))
    form = RevokeForm(posted(request))
    if form.is_valid():
        try:
            documents.certificate_revoke(
                certificate=certificate, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Certificate revoked: its verification page says so."))
            return to_referral(referral)
    intro = _("Anyone who checks its code will read that it was revoked, and when.")
    return action_page(request, referral, form, title=_("Revoke the certificate"), intro=intro)


def _preview_or_issue(request, referral, kind, replaces=None):
    """The report as it would be issued, and a button to send it; on confirmation, issued if
    it still says what the preview showed."""
    form = ReportConfirmForm(posted(request))
    if form.is_valid():
        try:
            documents.court_report_issue(
                referral=referral,
                kind=kind,
                by=request.user,
                replaces=replaces,
                previewed=form.cleaned_data["previewed"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Report issued: the court can download it."))
            return to_referral(referral)
    try:
        draft = documents.court_report_draft(referral=referral, kind=kind, replaces=replaces)
    except ValidationError as error:
        return not_now(request, referral, " ".join(error.messages))
    context = {
        "referral": referral,
        "draft": draft,
        "replaced_report": replaces,
        "form": ReportConfirmForm(initial={"previewed": documents.fingerprint(draft)}),
        "document_template": f"pdf/_report_{kind}.html",
        **documents.document_context(draft),
    }
    return render(request, "sessions_app/report_preview.html", context)


@requires("documents.manage")
@require_http_methods(["GET", "POST"])
def report_issue(request, pk, kind):
    """Preview a progress or non-compliance report, then send it to the court."""
    referral = referral_selectors.referral_get(agency=request.agency, pk=pk)
    if kind not in REPLACEABLE:
        raise Http404
    return _preview_or_issue(request, referral, kind)


@requires("documents.manage")
@require_http_methods(["GET", "POST"])
def report_replace(request, pk):
    """Preview a corrected report, then send it to the court in place of this one."""
    report = selectors.report_get(agency=request.agency, pk=pk)
    referral = referral_selectors.referral_get(agency=request.agency, pk=report.referral_id)
    if not report.is_replaceable:
        return not_now(request, referral, _("Only the latest report can be replaced."))
    return _preview_or_issue(request, referral, report.kind, replaces=report)


@requires("documents.manage")
@require_GET
def report_download(request, pk):
    report = selectors.report_get(agency=request.agency, pk=pk)
    return _pdf(request, report, "report", "agency")


# The newest documents of each kind a page shows; the page says how many there are in all.
DOCUMENTS_SHOWN = 50


@requires("documents.manage")
@require_GET
def court_documents(request):
    """The certificates and reports issued for the court; with ?waiting=1, those it has not
    downloaded yet."""
    waiting = request.GET.get("waiting") == "1"
    found = selectors.court_documents(agency=request.agency, waiting=waiting)
    sections = [
        (name, heading, queryset.count(), list(queryset[:DOCUMENTS_SHOWN]))
        for (name, queryset), heading in zip(
            found.items(), (_("Completion certificates"), _("Court reports")), strict=True
        )
    ]
    context = {"sections": sections, "waiting": waiting, "shown": DOCUMENTS_SHOWN}
    return render(request, "sessions_app/court_documents.html", context)


@liaison
@require_GET
def court_certificate(request, pk):
    referral = referral_selectors.liaison_referral_get(officer=request.user, pk=pk)
    certificate = selectors.certificate_get(agency=referral.agency, referral=referral)
    return _pdf(request, certificate, "certificate", "court")


@liaison
@require_GET
def court_report(request, pk, report_pk):
    referral = referral_selectors.liaison_referral_get(officer=request.user, pk=pk)
    report = selectors.court_report_get(referral=referral, pk=report_pk)
    return _pdf(request, report, "report", "court")
