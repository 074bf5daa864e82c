"""Transfers between agencies: ask, answer, cancel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ipv.core.forms import apply_errors, form_page, posted
from ipv.core.permissions import requires
from referrals import selectors
from referrals.forms import TransferAnswerForm, TransferRequestForm
from referrals.models import Transfer
from referrals.services import transfers
from referrals.views.agency import action_page, not_now, to_referral
from sessions_app.services import program


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def transfer_request(request, pk):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if not referral.is_open:
        return not_now(request, referral, _("A closed referral cannot be transferred."))
    form = TransferRequestForm(posted(request), referral=referral)
    if form.is_valid():
        try:
            program.transfer_request(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Transfer requested: the other agency will answer."))
            return to_referral(referral)
    intro = _(
        "The other agency reads only what it needs to decide: the program, the order's dates, "
        "the language, where the referral stands, the modules attended and your reason. Once "
        "it accepts, the referral is closed here and continues there, with its history."
    )
    return action_page(request, referral, form, title=_("Transfer to another agency"), intro=intro)


@requires("referrals.view")
@require_GET
def transfer_list(request):
    """Both ways; with ?status=pending, only those still waiting for an answer."""
    pending = request.GET.get("status") == "pending"
    sections = [
        ("incoming", _("Sent to you"), selectors.transfers_incoming(agency=request.agency), True),
        ("outgoing", _("Sent by you"), selectors.transfers_outgoing(agency=request.agency), False),
    ]
    if pending:
        sections = [
            (name, heading, queryset.filter(status=Transfer.Status.PENDING), incoming)
            for name, heading, queryset, incoming in sections
        ]
    return render(
        request, "referrals/transfer_list.html", {"sections": sections, "pending": pending}
    )


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def transfer_detail(request, pk):
    """The receiving agency reads the summary and answers, then follows the referral in its
    own queue; the sending one may cancel."""
    transfer = selectors.transfer_get(agency=request.agency, pk=pk)
    incoming = transfer.to_agency_id == request.agency.pk
    pending = transfer.status == Transfer.Status.PENDING
    form = TransferAnswerForm(posted(request) if incoming and pending else None)
    if request.method == "POST":
        if not pending:
            messages.error(request, _("This transfer was already answered or cancelled."))
            return redirect("agency:transfer_detail", agency_slug=request.agency.slug, pk=pk)
        response = _answer(request, transfer, form) if incoming else _cancel(request, transfer)
        if response is not None:
            return response
    context = {
        "transfer": transfer,
        "incoming": incoming,
        "person": _person_named(transfer, incoming=incoming),
        "form": form if incoming and pending else None,
    }
    return form_page(request, "referrals/transfer_detail.html", context, form)


def _person_named(transfer, *, incoming) -> str:
    """Whom the transfer is about, from what this agency holds: its own referral, or the
    summary it was sent."""
    if not incoming:
        return transfer.referral.participant.display_name
    if transfer.new_referral:
        return transfer.new_referral.participant.display_name
    return transfer.brief.name


def _answer(request, transfer, form):
    if not form.is_valid():
        return None
    try:
        if form.cleaned_data["accept"]:
            new = program.transfer_accept(
                transfer=transfer, by=request.user, note=form.cleaned_data["note"]
            )
        else:
            transfers.transfer_decline(
                transfer=transfer, by=request.user, note=form.cleaned_data["note"]
            )
    except ValidationError as error:
        apply_errors(form, error)
        return None
    if form.cleaned_data["accept"]:
        messages.success(request, _("Transfer accepted: the referral is now in your queue."))
        return to_referral(new)
    messages.success(request, _("Transfer declined."))
    return redirect("agency:transfer_list", agency_slug=request.agency.slug)


def _cancel(request, transfer):
    try:
        transfers.transfer_cancel(transfer=transfer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Transfer cancelled."))
    return to_referral(transfer.referral)
