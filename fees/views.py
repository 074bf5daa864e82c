"""Fee pages: the manager's overview and scale, and a referral's fee (assessment, proposals,
instalments, ledger, receipts). Intake workers and managers only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fees import forms, selectors, services
from fees.models import HOUSEHOLD_SIZES
from ipv.audit.services import Action, audit_record
from ipv.core import downloads, spreadsheets
from ipv.core.forms import apply_errors, form_page, posted
from ipv.core.i18n import format_money
from ipv.core.pdf import render_pdf
from ipv.core.permissions import requires
from referrals import selectors as referral_selectors
from referrals.views.agency import action_page

PAGE_SIZE = 25


# The reductions to approve shown at once; the screen says how many more wait.
APPROVALS_SHOWN = 20


def to_fees(referral):
    return redirect("agency:referral_fees", agency_slug=referral.agency.slug, pk=referral.pk)


@requires("fees.approve")
@require_GET
def overview(request):
    outstanding = selectors.outstanding(agency=request.agency)
    approvals = selectors.approvals_waiting(agency=request.agency)
    context = {
        "page": Paginator(outstanding, PAGE_SIZE).get_page(request.GET.get("page")),
        "approvals": approvals[:APPROVALS_SHOWN],
        "approvals_count": approvals.count(),
        "months": selectors.monthly(agency=request.agency),
        "today": timezone.localdate(),
    }
    return render(request, "fees/overview.html", context)


@requires("fees.approve")
@require_GET
def export(request, kind, file_format="csv"):
    """The outstanding balances or the monthly figures, as CSV or XLSX for a spreadsheet."""
    if kind not in ("outstanding", "monthly"):
        raise Http404
    title, header, rows, formats = _export_table(request.agency, kind)
    filename = f"fees-{kind}.{file_format}"
    if file_format == "xlsx":
        response = spreadsheets.xlsx_response(filename, header, rows, title=title, formats=formats)
    else:
        response = spreadsheets.csv_response(filename, header, rows, formats=formats)
    audit_record(
        action=Action.RECORD_EXPORTED, actor=request.user, agency=request.agency, label=filename
    )
    return response


def _export_table(agency, kind):
    """An export's title, header, rows (amounts as Decimal) and column formats."""
    if kind == "outstanding":
        header = [_("Referral"), _("Participant"), _("Agreed"), _("Paid"), _("Balance")]
        rows = (
            [
                account.referral.number,
                account.referral.participant.legal_name,
                account.agreed,
                account.paid - account.refunded,
                account.balance,
            ]
            for account in selectors.outstanding(agency=agency).iterator(chunk_size=2000)
        )
        return _("Outstanding balances"), header, rows, {}
    header = [_("Month"), _("Revenue"), _("Waived")]
    rows = (
        [row["month"], row["revenue"], row["waived"]] for row in selectors.monthly(agency=agency)
    )
    return _("By month"), header, rows, {0: spreadsheets.MONTH}


@requires("fees.view")
@require_GET
def schedule(request):
    context = {"schedules": selectors.schedules(agency=request.agency), "sizes": HOUSEHOLD_SIZES}
    return render(request, "fees/schedule.html", context)


@requires("fees.approve")
@require_http_methods(["GET", "POST"])
def schedule_new(request):
    current = services.schedule_in_effect(agency=request.agency)
    form = forms.ScheduleForm(posted(request), initial=_schedule_initial(current))
    bands = forms.BandFormSet(posted(request), prefix="band", initial=_bands_initial(current))
    if request.method == "POST" and form.is_valid() and bands.is_valid():
        rows = [band.row() for band in bands.forms if band.has_changed() or band.cleaned_data]
        try:
            services.schedule_create(
                agency=request.agency, by=request.user, rows=rows, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("New fee schedule saved."))
            return redirect("agency:fee_schedule", agency_slug=request.agency.slug)
    context = {"form": form, "bands": bands, "sizes": HOUSEHOLD_SIZES}
    return form_page(request, "fees/schedule_form.html", context, form, bands)


def _schedule_initial(current):
    fields = ["minimum_fee", "individual_session_fee", "free_of_charge"]
    initial = {field: getattr(current, field) for field in fields} if current else {}
    return {**initial, "effective_from": timezone.localdate()}


def _bands_initial(current):
    if current is None:
        return [{"income_min": 0}]
    rows = {}
    for band in current.bands.all():
        row = rows.setdefault(band.income_min, {"income_min": band.income_min})
        row["income_max"] = band.income_max
        row[f"fee_{band.household_size}"] = band.fee
    return [rows[key] for key in sorted(rows)]


@requires("fees.view")
@require_GET
def referral_fees(request, pk):
    referral = referral_selectors.referral_get(agency=request.agency, pk=pk)
    context = {"referral": referral, **selectors.referral_fees(referral=referral)}
    return render(request, "fees/referral_fees.html", context)


def _fee_form(request, pk, form_class, service, *, title, intro="", **form_options):
    """A page with one fee form for a referral: bind, call the service, back to its fees."""
    referral = referral_selectors.referral_get(agency=request.agency, pk=pk)
    form = form_class(posted(request), **form_options)
    if form.is_valid():
        try:
            service(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return to_fees(referral)
    return action_page(request, referral, form, title=title, intro=intro)


@requires("fees.record")
@require_http_methods(["GET", "POST"])
def assess(request, pk):
    intro = _("The scale in effect today gives the fee from the household's income and size.")
    if services.schedule_in_effect(agency=request.agency) is None:
        # Said before the form is filled, not after.
        intro = _("The agency has no fee schedule yet: a manager writes one first.")
    return _fee_form(
        request,
        pk,
        forms.AssessmentForm,
        services.assessment_create,
        title=_("Assess the fee"),
        intro=intro,
    )


@requires("fees.record")
@require_http_methods(["GET", "POST"])
def propose(request, pk):
    intro = _("The fee on the scale is agreed. Below or above it, a manager approves it first.")
    return _fee_form(
        request,
        pk,
        forms.ProposalForm,
        services.proposal_create,
        title=_("Propose a fee"),
        intro=intro,
    )


@requires("fees.record")
@require_http_methods(["GET", "POST"])
def payment(request, pk):
    return _fee_form(
        request,
        pk,
        forms.PaymentForm,
        services.payment_record,
        title=_("Take a payment"),
        initial={"received_on": timezone.localdate()},
        waiver=request.membership.can("fees.approve"),
    )


@requires("fees.record")
@require_http_methods(["GET", "POST"])
def instalments(request, pk):
    referral = referral_selectors.referral_get(agency=request.agency, pk=pk)
    formset = forms.InstalmentFormSet(posted(request), prefix="plan")
    if request.method == "POST" and formset.is_valid():
        plan = [
            (f.cleaned_data["due_on"], f.cleaned_data["amount"]) for f in formset if f.cleaned_data
        ]
        try:
            services.instalments_set(referral=referral, by=request.user, instalments=plan)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("Instalments saved."))
            return to_fees(referral)
    account = selectors.account_of(referral=referral)
    context = {"referral": referral, "formset": formset, "account": account}
    return form_page(request, "fees/instalments.html", context, formset)


@requires("fees.approve")
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    proposal = selectors.proposal_get(agency=request.agency, pk=pk)
    form = forms.DecisionForm(posted(request))
    if form.is_valid():
        try:
            services.proposal_decide(proposal=proposal, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("agency:fees", agency_slug=request.agency.slug)
    context = {"proposal": proposal, "referral": proposal.referral, "form": form}
    return form_page(request, "fees/decide.html", context, form)


def _correction(request, pk, form_class, service, title):
    entry = selectors.entry_get(agency=request.agency, pk=pk)
    form = form_class(posted(request))
    if form.is_valid():
        try:
            service(entry=entry, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved: a new receipt records it."))
            return to_fees(entry.referral)
    intro = _("Receipt %(number)s, %(amount)s.") % {
        "number": entry.receipt_number,
        "amount": format_money(entry.amount),
    }
    return action_page(request, entry.referral, form, title=title, intro=intro)


@requires("fees.record")
@require_http_methods(["GET", "POST"])
def void(request, pk):
    return _correction(request, pk, forms.VoidForm, services.payment_void, _("Void a payment"))


@requires("fees.record")
@require_http_methods(["GET", "POST"])
def refund(request, pk):
    return _correction(request, pk, forms.RefundForm, services.refund_record, _("Refund"))


@requires("fees.view")
@require_GET
def receipt(request, pk):
    """A ledger entry's numbered receipt, in the participant's language."""
    entry = selectors.entry_get(agency=request.agency, pk=pk)
    language = entry.referral.participant.language
    context = {
        "entry": entry,
        "agency": request.agency,
        "referral": entry.referral,
        "balance": entry.balance_after,
        "title": pgettext_lazy("document", "Receipt"),
        "details": {"name": entry.referral.participant.legal_name},
    }
    pdf = render_pdf("receipt.html", context, language=language)
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=request.user,
        agency=request.agency,
        target=entry,
        label=lambda: f"{pgettext_lazy('document', 'Receipt')} {entry.receipt_number}",
    )
    return downloads.file_response(
        pdf, filename=f"receipt-{entry.receipt_number}.pdf", content_type=downloads.PDF
    )
