"""One referral as outreach sees it: its people, the participant's program status, who
carries its outreach, and the risk alert to the case team."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipv.audit.services import audit_read
from ipv.core.forms import apply_errors, form_page, posted, submission_key, submission_key_shown
from ipv.core.permissions import requires
from referrals import selectors as referral_selectors
from victims import selectors
from victims.forms import AssignForm, PersonForm
from victims.rls import confidential
from victims.services import alerts, outreach
from victims.views import to_person, to_referral


def _referral_page(request, referral, assign_form, status=200):
    people = selectors.referral_people(agency=request.agency, referral=referral)
    # The page names each person: a read of each record.
    for person in people:
        audit_read(reader=request.user, agency=request.agency, record=person)
    context = {
        "referral": referral,
        "people": people,
        "program": selectors.program_status(referral=referral),
        "assignment": selectors.referral_assignment(agency=request.agency, referral=referral),
        "concerns": selectors.referral_concerns(agency=request.agency, referral=referral),
        "assign_form": assign_form,
    }
    return render(request, "victims/referral.html", context, status=status)


@requires("victims.view")
@require_GET
def outreach_referral(request, referral):
    referral = referral_selectors.referral_get(agency=request.agency, pk=referral)
    workers = selectors.outreach_workers(agency=request.agency)
    with confidential(request.agency):
        assignment = selectors.referral_assignment(agency=request.agency, referral=referral)
        initial = {"worker": assignment.worker_id if assignment else request.user.pk}
        return _referral_page(request, referral, AssignForm(workers=workers, initial=initial))


@requires("victims.view")
@require_POST
def outreach_assign(request, referral):
    referral = referral_selectors.referral_get(agency=request.agency, pk=referral)
    form = AssignForm(request.POST, workers=selectors.outreach_workers(agency=request.agency))
    with confidential(request.agency):
        if form.is_valid():
            try:
                outreach.assignment_set(
                    referral=referral, by=request.user, worker=form.cleaned_data["worker"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Outreach assigned."))
                return to_referral(request, referral)
        return _referral_page(request, referral, form, status=400)


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_person_new(request, referral):
    referral = referral_selectors.referral_get(agency=request.agency, pk=referral)
    form = PersonForm(posted(request), initial={"language": referral.participant.language})
    with confidential(request.agency):
        if form.is_valid():
            try:
                victim = outreach.person_add(
                    agency=request.agency, referral=referral, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Person added."))
                return to_person(request, victim)
        context = {"referral": referral, "form": form, "title": _("Add a person")}
        return form_page(request, "victims/person_form.html", context, form)


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_alert(request, referral):
    """Confirm, then send the case team a risk alert that names nobody."""
    referral = referral_selectors.referral_get(agency=request.agency, pk=referral)
    refused = ""
    if request.method == "POST":
        try:
            alerts.risk_alert_send(
                referral=referral, by=request.user, submission_key=submission_key(request)
            )
        except ValidationError as error:
            refused = " ".join(error.messages)
        else:
            messages.success(request, _("The risk alert was sent to the case team."))
            return to_referral(request, referral)
    context = {"referral": referral, "refused": refused}
    context["submission"] = submission_key_shown(request)
    return render(request, "victims/alert_confirm.html", context, status=400 if refused else 200)
