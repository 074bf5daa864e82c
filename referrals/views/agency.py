"""The agency's referral pages that need nothing but referrals: correcting the order,
accepting an e-referral, participants and possible duplicates; and the helpers every referral
action page shares. The pages that compose several apps (the queue, the referral's page, the
changes that reach into the program) are in ipv.pages. Every page is under
/<lang>/a/<agency_slug>/ (see AgencyMiddleware)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipv.core.forms import apply_errors, form_page, posted
from ipv.core.permissions import requires
from referrals import selectors
from referrals.forms import ParticipantForm, ReferralEditForm
from referrals.models import Participant, Referral, Status
from referrals.services import duplicates, referrals
from referrals.services.referrals import actions_available

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


def action_links(referral) -> list[tuple[str, str]]:
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


def not_now(request, referral, message=None):
    """Back to the referral, saying why what was asked cannot be done in its status."""
    messages.error(
        request,
        message
        or _("Not possible while the referral is “%(status)s”.")
        % {"status": referral.get_status_display()},
    )
    return to_referral(referral)


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
