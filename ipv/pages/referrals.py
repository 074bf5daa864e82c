"""A referral's pages that compose several apps: the intake queue and the referral's page
(with the modules attended, the place in a group, the court documents, the fee, how many
people the order names), recording a referral with the people its order names, and the
changes that reach into the program (a status that frees a place in a group, the intake's
outcome and a return to the court, which issue the court's notice)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fees import selectors as fee_selectors
from ipv.core.forms import (
    ReasonForm,
    apply_errors,
    form_page,
    posted,
    shown_without_errors,
    submission_key,
    submission_key_shown,
)
from ipv.core.permissions import requires
from referrals import selectors
from referrals.filters import QueueFilter
from referrals.forms import (
    DischargeForm,
    IntakeRecordForm,
    OrderForm,
    ParticipantForm,
    ReturnToCourtForm,
)
from referrals.models import COURT_REPORTED, EventKind, Status
from referrals.services.referrals import REASON_TRANSITIONS, AlreadySent, transition_of
from referrals.views.agency import PAGE_SIZE, action_links, action_page, not_now, to_referral
from sessions_app import completion
from sessions_app import selectors as session_selectors
from sessions_app.services import program
from victims.forms import NamedPeopleFormSet, named_people
from victims.selectors import risk_alerts, victims_named_count
from victims.services import referral_create_naming


def progress_of(referral):
    referral.progress = completion.progress(referral=referral)
    return referral.progress


def with_progress(page):
    """Each referral of a page with its modules attended, those before a transfer included (one
    query for the page, and one per transfer in the longest chain)."""
    progress = completion.progress_for(referrals=page.object_list)
    for referral in page.object_list:
        referral.progress = progress[referral.pk]
    return page


@requires("referrals.view")
@require_GET
def referral_queue(request):
    filterset = QueueFilter(
        request.GET, queryset=selectors.referral_queue(agency=request.agency), agency=request.agency
    )
    page = with_progress(Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page")))
    template = "referrals/queue.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, {"filter": filterset, "page": page})


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def referral_new(request):
    data = posted(request)
    person = ParticipantForm(data, prefix="person")
    order = OrderForm(data, prefix="order", programs=request.agency.programs)
    people = NamedPeopleFormSet(data, prefix="named")
    forms = (person, order, people)
    if data is not None and all(form.is_valid() for form in forms):
        try:
            referral = referral_create_naming(
                agency=request.agency,
                by=request.user,
                participant=person.cleaned_data,
                order=order.cleaned_data,
                named_people=named_people(people),
                submission_key=submission_key(request),
            )
        except AlreadySent as sent:
            return to_referral(sent.referral)
        except ValidationError as error:
            apply_errors(order if "program" in getattr(error, "error_dict", {}) else person, error)
        else:
            messages.success(request, _("Referral recorded."))
            return to_referral(referral)
    if people.rearranged:
        shown_without_errors(person, order, people)
    context = {"person_form": person, "order_form": order, "people_formset": people}
    context["submission"] = submission_key_shown(request)
    return form_page(request, "referrals/referral_new.html", context, person, order, people)


@requires("referrals.view")
@require_GET
def referral_detail(request, pk):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    context = {
        "referral": referral,
        "timeline": selectors.referral_timeline(referral=referral),
        "actions": action_links(referral),
        "transfers": selectors.referral_transfers(referral=referral),
        "duplicates": selectors.duplicates_pending(participant=referral.participant),
        "people_named": victims_named_count(agency=request.agency, referral=referral),
        "risk_alerts": risk_alerts(agency=request.agency, referral=referral),
        "consents": referral.consents.order_by("kind"),
        "progress": progress_of(referral),
        "enrollment": session_selectors.current_enrollment(referral=referral),
        **session_selectors.referral_documents(referral=referral),
    }
    if request.membership.can("fees.view"):
        context["fee_account"] = fee_selectors.account_of(referral=referral)
    return render(request, "referrals/referral_detail.html", context)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def referral_transition(request, pk, transition):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if transition not in REASON_TRANSITIONS:
        raise Http404
    step = transition_of(referral, transition)
    if step is None:
        return not_now(request, referral)
    # A discharge also asks why, as a reason that can be counted.
    form_class = DischargeForm if transition == EventKind.DISCHARGE else ReasonForm
    form = form_class(posted(request))
    if transition in COURT_REPORTED:
        form.fields["reason"].help_text = _(
            "Printed on the report to the court. Write nothing a victim or a partner said."
        )
    if form.is_valid():
        try:
            program.referral_transition(
                referral=referral, name=transition, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if transition == EventKind.DISCHARGE and request.membership.can("documents.manage"):
                # The court learns of a discharge by the report, sent deliberately after a look.
                messages.success(
                    request,
                    _("Discharged. Check the non-compliance report, then send it to the court."),
                )
                return redirect(
                    "agency:report_issue",
                    agency_slug=referral.agency.slug,
                    pk=referral.pk,
                    kind="non_compliance",
                )
            messages.success(request, _("Status changed."))
            return to_referral(referral)
    intro = _("The status becomes “%(status)s”.") % {"status": Status(step.target).label}
    return action_page(request, referral, form, title=step.custom["label"], intro=intro)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def intake_record(request, pk):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if referral.status != Status.INTAKE_BOOKED:
        return not_now(request, referral, _("Book the intake before recording it."))
    form = IntakeRecordForm(posted(request))
    if form.is_valid():
        try:
            program.intake_record(referral=referral, by=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Intake recorded."))
            return to_referral(referral)
    intro = _(
        "Eligible: the intake is done, and the person can be placed in a group or waitlisted. "
        "Not eligible: the referral returns to the court, which receives a notice with the "
        "reason for the court."
    )
    title = _("Record the intake")
    return action_page(request, referral, form, title=title, intro=intro)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def referral_return(request, pk):
    """Return the referral to the court before the person starts: the court gets a notice."""
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if transition_of(referral, "return_to_court") is None:
        return not_now(request, referral)
    form = ReturnToCourtForm(posted(request))
    if form.is_valid():
        try:
            program.referral_return(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Returned to the court: its notice is ready to download."))
            return to_referral(referral)
    intro = _(
        "The court receives a notice with the outcome and the reason for the court; the "
        "internal note stays in the agency."
    )
    return action_page(request, referral, form, title=_("Return to the court"), intro=intro)
