"""The figures' exports: the quarterly statistical report (an agency's, the province's), the
list of cases behind a figure, and the exports the worker prepares.

Every export is audited — who, what, which period, which format, how many rows, never the
data — and a prepared one is seen and downloaded by the person who asked for it only.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from ipv.audit.services import Action, audit_record
from ipv.core import downloads, files
from ipv.core.permissions import platform_admin, requires
from ipv.core.replica import reads_from_replica
from ipv.figures import exports, selectors, tasks
from ipv.figures.models import Export
from ipv.figures.periods import period_from
from ipv.figures.scope import Scope
from ipv.figures.views import audiences

logger = logging.getLogger(__name__)

FILE_FORMATS = ("csv", "xlsx")


def _download(filename: str, content: bytes, content_type: str) -> HttpResponse:
    return downloads.file_response(content, filename=filename, content_type=content_type)


def _audit(request, *, agency, what: str, details: dict, export: Export | None = None):
    """One event per export or download: what was asked, never what it held."""
    audit_record(
        action=Action.EXPORT_DOWNLOADED if what == "download" else Action.FIGURES_EXPORTED,
        actor=request.user,
        agency=agency,
        target=export,
        label=details.get("filename", ""),
        details=details,
    )


def _report(request, *, scope, name, agency):
    """The report the query asks for, audited; or None and the form with its errors."""
    form = exports.ReportForm(request.GET)
    if not form.is_valid():
        return None, form
    period, file_format = form.cleaned_data["quarter"], form.cleaned_data["format"]
    report = exports.quarterly_report(
        scope=scope,
        name=name,
        period=period,
        file_format=file_format,
        language=form.cleaned_data["language"],
    )
    _audit(
        request,
        agency=agency,
        what="report",
        details={
            "export": Export.Kind.REPORT,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "format": file_format,
            "language": form.cleaned_data["language"],
            "rows": report.rows,
            "filename": report.filename,
        },
    )
    return _download(report.filename, report.content, report.content_type), form


@requires("figures.report")
@require_GET
@reads_from_replica
def agency_report(request):
    """The agency's quarterly report; a refused quarter shows the dashboard with the error
    (and no quarter at all, the dashboard with the report's form)."""
    if "quarter" in request.GET:
        response, form = _report(
            request,
            scope=Scope.agency(request.agency),
            name=request.agency.slug,
            agency=request.agency,
        )
        if response is not None:
            return response
        status = 400
    else:
        form, status = exports.ReportForm(), 200
    period_form, period = period_from({})
    sections = selectors.dashboard(
        scope=Scope.agency(request.agency),
        period=period,
        audiences=audiences(request.membership),
        now=selectors.counted_now(request),
    )
    if waiting := selectors.waiting_answer(request, sections):
        return waiting
    context = {
        "form": period_form,
        "period": period,
        "previous": period.previous(),
        "sections": sections,
        "lists": request.membership.can("referrals.view"),
        "report_form": form,
    }
    return render(request, "figures/agency_dashboard.html", context, status=status)


@platform_admin
@require_GET
@reads_from_replica
def province_report(request):
    """The province's quarterly report (small counts shown as "< 5")."""
    if "quarter" in request.GET:
        response, form = _report(request, scope=Scope.province(), name="province", agency=None)
        if response is not None:
            return response
        status = 400
    else:
        form, status = exports.ReportForm(), 200
    return render(request, "figures/report_province.html", {"report_form": form}, status=status)


@requires("referrals.view")
@require_GET
@reads_from_replica
def cases_download(request, key):
    """The list of cases behind a figure: built now when short, else by the worker."""
    figure = selectors.listed_figure(key, audiences(request.membership))
    _form, period = period_from(request.GET)
    file_format = request.GET.get("format", "csv")
    if period is None or file_format not in FILE_FORMATS:
        raise Http404
    params = {
        "figure": figure.key,
        "by": request.GET.get("by", "")[:40],
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    queryset = exports.cases_queryset(scope=Scope.agency(request.agency), params=params)
    total = queryset.count()
    filename = exports.cases_filename(request.agency.slug, figure.key, file_format)
    details = {"export": Export.Kind.CASES, **params, "format": file_format, "rows": total}
    if total > settings.FIGURES_EXPORT_IN_REQUEST:
        return _queue(request, params, file_format, total, filename, details)
    content = exports.cases_file(queryset, title=str(figure.label), file_format=file_format)
    _audit(request, agency=request.agency, what="cases", details={**details, "filename": filename})
    return _download(filename, content, exports.content_type(file_format))


def _queue(request, params, file_format, total, filename, details):
    export = Export.objects.create(
        agency=request.agency,
        requested_by=request.user,
        kind=Export.Kind.CASES,
        params=params,
        format=file_format,
        language=translation.get_language(),
        rows_total=total,
        filename=filename,
    )
    _audit(
        request,
        agency=request.agency,
        what="queued",
        details={**details, "filename": filename, "queued": True},
        export=export,
    )

    def queue():
        try:
            tasks.build_export.delay(export.pk)
        except Exception:  # the broker is unreachable: resume_stalled_exports takes it up
            logger.warning("figures: could not reach the broker; the periodic job exports")

    transaction.on_commit(queue)
    return redirect("agency:export", agency_slug=request.agency.slug, pk=export.pk)


def _own_exports(request):
    """The person's exports at this agency that are still kept: nobody else's, ever. Read on
    the primary, where the worker writes its progress: a replica behind it would show an
    export still running, or none at all, just after it was queued."""
    return Export.objects.filter(
        agency=request.agency, requested_by=request.user, expires_at__gt=timezone.now()
    ).defer("content")


@requires("referrals.view")
@require_GET
def export_list(request):
    exports_kept = _own_exports(request).order_by("-created_at")[:50]
    return render(request, "figures/exports.html", {"exports": exports_kept})


@requires("referrals.view")
@require_GET
def export_detail(request, pk):
    """Its progress (refreshed by htmx every two seconds while it runs), then its link."""
    export = get_object_or_404(_own_exports(request), pk=pk)
    context = {"export": export, "figure": exports.FIGURES.get(export.params.get("figure"))}
    if request.htmx:
        return render(request, "figures/export_progress.html", context)
    return render(request, "figures/export_detail.html", context)


@requires("referrals.view")
@require_GET
def export_download(request, pk):
    export = get_object_or_404(
        Export.objects.filter(
            agency=request.agency,
            requested_by=request.user,
            expires_at__gt=timezone.now(),
            state=Export.State.DONE,
        ),
        pk=pk,
    )
    details = {
        "export": export.kind,
        **{k: export.params.get(k, "") for k in ("figure", "by", "start", "end")},
        "format": export.format,
        "rows": export.rows_total,
        "filename": export.filename,
    }
    _audit(request, agency=request.agency, what="download", details=details, export=export)
    content = files.file_read(export.content_file) if export.content_file else bytes(export.content)
    return _download(export.filename, content, exports.content_type(export.format))
