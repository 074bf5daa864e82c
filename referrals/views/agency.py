"""The agency's referral pages: the intake queue, a referral and what can be done with it now,
participants, transfers. Every page is under /<lang>/a/<agency_slug>/ (see AgencyMiddleware)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fees.models import FeeAccount
from ipv.core.forms import apply_errors, posted, shown_without_errors
from ipv.core.permissions import requires
from referrals import selectors
from referrals.filters import QueueFilter
from referrals.forms import OrderForm, ParticipantForm, ReasonForm, ReferralEditForm
from referrals.models import COURT_REPORTED, EventKind, Participant, Referral, Status
from referrals.services import duplicates, referrals
from referrals.services.referrals import REASON_TRANSITIONS, actions_available, transition_of
from sessions_app import completion
from sessions_app import selectors as session_selectors
from victims.forms import NamedPeopleFormSet, named_people
from victims.selectors import victims_named_count

PAGE_SIZE = 25
# The page on which each kind of transition is asked for (enrolment: a group's page).
ACTION_PAGES = {
    "reason": "agency:referral_transition",
    "intake_book": "agency:intake_book",
    "intake_missed": "agency:intake_missed",
    "intake_record": "agency:intake_record",
    "return": "agency:referral_return",
    "enrolment": "agency:referral_enrol",
}


def to_referral(referral):
    return redirect("agency:referral_detail", agency_slug=referral.agency.slug, pk=referral.pk)


def _action_links(referral) -> list[tuple[str, str]]:
    """(label, URL) of what can be done with the referral now."""
    links = []
    for transition in actions_available(referral) if referral.is_open else []:
        form = transition.custom["form"]
        if form not in ACTION_PAGES:
            continue
        args = [referral.agency.slug, referral.pk] + ([transition.name] if form == "reason" else [])
        links.append((transition.custom["label"], reverse(ACTION_PAGES[form], args=args)))
    args = [referral.agency.slug, referral.pk]
    if referral.status == Status.INTAKE_BOOKED:
        links.insert(1, (_("Move the intake"), reverse("agency:intake_book", args=args)))
    if referral.status in (Status.ENROLLED, Status.NON_COMPLIANT):
        links.append((_("Move to another group"), reverse("agency:referral_enrol", args=args)))
    return links


def progress_of(referral):
    referral.progress = completion.progress(referral=referral)
    return referral.progress


def with_progress(page):
    """Each referral of a page with its modules attended (one query for the page)."""
    progress = completion.progress_for(referrals=page.object_list)
    for referral in page.object_list:
        referral.progress = progress[referral.pk]
    return page


def not_now(request, referral, message=None):
    """Back to the referral, saying why what was asked cannot be done in its status."""
    messages.error(
        request,
        message
        or _("Not possible while the referral is “%(status)s”.")
        % {"status": referral.get_status_display()},
    )
    return to_referral(referral)


def form_page(request, template, context, *forms):
    """Render a form page: 400 when a submitted form was refused, so tests and tools see it."""
    refused = any(_refused(form) for form in forms if form is not None)
    return render(request, template, context, status=400 if refused else 200)


def _refused(form) -> bool:
    if hasattr(form, "total_error_count"):  # a formset
        return form.is_bound and form.total_error_count() > 0
    return bool(form.errors)


def action_page(request, referral, form, *, title, submit=None, intro=""):
    """The page of one thing to do with a referral: a title, a form, a button."""
    context = {
        "referral": referral,
        "form": form,
        "title": title,
        "submit": submit or title,
        "intro": intro,
    }
    return form_page(request, "referrals/action.html", context, form)


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
            referral = referrals.referral_create(
                agency=request.agency,
                by=request.user,
                participant=person.cleaned_data,
                order=order.cleaned_data,
                named_people=named_people(people),
            )
        except ValidationError as error:
            apply_errors(order if "program" in getattr(error, "error_dict", {}) else person, error)
        else:
            messages.success(request, _("Referral recorded."))
            return to_referral(referral)
    if people.rearranged:
        shown_without_errors(person, order, people)
    context = {"person_form": person, "order_form": order, "people_formset": people}
    return form_page(request, "referrals/referral_new.html", context, person, order, people)


@requires("referrals.view")
@require_GET
def referral_detail(request, pk):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    context = {
        "referral": referral,
        "timeline": selectors.referral_timeline(referral=referral),
        "actions": _action_links(referral),
        "transfers": selectors.referral_transfers(referral=referral),
        "duplicates": selectors.duplicates_pending(participant=referral.participant),
        "people_named": victims_named_count(agency=request.agency, referral=referral),
        "consents": referral.consents.order_by("kind"),
        "progress": progress_of(referral),
        "enrollment": session_selectors.current_enrollment(referral=referral),
        **session_selectors.referral_documents(referral=referral),
    }
    if request.membership.can("fees.view"):
        context["fee_account"] = FeeAccount.objects.filter(referral=referral).first()
    return render(request, "referrals/referral_detail.html", context)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def referral_edit(request, pk):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if not referral.is_open:
        return not_now(request, referral, _("A closed referral cannot be changed."))
    # The form edits a copy: the page keeps showing the referral as saved, the service
    # compares the saved referral with what was typed.
    copy = Referral.objects.get(pk=referral.pk)
    form = ReferralEditForm(posted(request), instance=copy, programs=request.agency.programs)
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            referrals.referral_update(referral=referral, by=request.user, **changes)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Referral saved."))
            return to_referral(referral)
    return action_page(
        request,
        referral,
        form,
        title=_("Correct the order"),
        submit=_("Save"),
        intro=_("Corrections are kept in the referral's history, with who made them."),
    )


@requires("referrals.manage")
@require_POST
def referral_accept(request, pk):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    try:
        referrals.e_referral_accept(referral=referral, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Referral accepted: the court sees it."))
    return to_referral(referral)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def referral_transition(request, pk, transition):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if transition not in REASON_TRANSITIONS:
        raise Http404
    step = transition_of(referral, transition)
    if step is None:
        return not_now(request, referral)
    form = ReasonForm(posted(request))
    if transition in COURT_REPORTED:
        form.fields["reason"].help_text = _(
            "Printed on the report to the court. Write nothing a victim or a partner said."
        )
    if form.is_valid():
        try:
            referrals.referral_transition(
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


@requires("referrals.view")
@require_GET
def participant_detail(request, pk):
    participant = selectors.participant_get(agency=request.agency, pk=pk)
    if participant.merged_into_id:
        return redirect(
            "agency:participant_detail",
            agency_slug=request.agency.slug,
            pk=participant.merged_into_id,
        )
    context = {
        "participant": participant,
        "referrals": selectors.participant_referrals(participant=participant),
        "consents": selectors.participant_consents(participant=participant),
        "duplicates": selectors.duplicates_pending(participant=participant),
    }
    return render(request, "referrals/participant_detail.html", context)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def participant_edit(request, pk):
    participant = selectors.participant_get(agency=request.agency, pk=pk)
    if participant.merged_into_id:
        raise Http404
    form = ParticipantForm(posted(request), instance=Participant.objects.get(pk=participant.pk))
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            referrals.participant_update(participant=participant, by=request.user, **changes)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Participant saved."))
            return redirect(
                "agency:participant_detail", agency_slug=request.agency.slug, pk=participant.pk
            )
    context = {"participant": participant, "form": form}
    return form_page(request, "referrals/participant_edit.html", context, form)


@requires("referrals.manage")
@require_POST
def duplicate_resolve(request, pk):
    duplicate = selectors.duplicate_get(agency=request.agency, pk=pk)
    same_person = request.POST.get("same_person") == "yes"
    try:
        kept = duplicates.duplicate_resolve(
            duplicate=duplicate, by=request.user, same_person=same_person
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        kept = duplicate.participant
    else:
        messages.success(
            request,
            _("Records merged.") if same_person else _("Kept as two different people."),
        )
    return redirect("agency:participant_detail", agency_slug=request.agency.slug, pk=kept.pk)
