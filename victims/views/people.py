"""A person's record and the forms that change it: who they are, their safe-contact rules,
consent, contacts, what they say of their safety, closing and reopening outreach."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.models import Program
from ipv.audit.services import audit_read
from ipv.core.forms import apply_errors, form_page, posted, submission_key, submission_key_shown
from ipv.core.permissions import requires
from victims import selectors
from victims.forms import (
    CloseForm,
    ConsentForm,
    ContactForm,
    PersonForm,
    RulesForm,
    SafetyViewForm,
)
from victims.models.safety import Moment
from victims.rls import confidential
from victims.services import outreach, safety
from victims.services.outreach import PERSON_FIELDS, RULE_FIELDS
from victims.views import rules_shown, to_person, with_service_labels


@requires("victims.view")
@require_GET
def outreach_person(request, pk):
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        audit_read(reader=request.user, agency=request.agency, record=victim)
        record = selectors.person_record(victim=victim)
        with_service_labels(record["contacts"])
        context = {
            "victim": victim,
            "referral": victim.referral,
            "program": selectors.program_status(referral=victim.referral),
            "readers": selectors.record_readers(victim=victim),
            "workers": list(selectors.outreach_workers(agency=request.agency)),
            "today": timezone.localdate(),
            "rules": rules_shown(victim),
            **record,
        }
        return render(request, "victims/person.html", context)


def _person_form(request, pk, form_class, service, *, title, initial, **options):
    """A page with one form about a person: bind, call the service, back to the record."""
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        form = form_class(posted(request), initial=initial(victim), **options)
        if form.is_valid():
            try:
                service(victim=victim, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return to_person(request, victim)
        context = {"victim": victim, "referral": victim.referral, "form": form, "title": title}
        # Shown again with its errors too: every page that shows the record is a read.
        audit_read(reader=request.user, agency=request.agency, record=victim)
        return form_page(request, "victims/person_form.html", context, form)


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_person_edit(request, pk):
    def initial(victim):
        return {field: getattr(victim, field) for field in PERSON_FIELDS}

    return _person_form(
        request, pk, PersonForm, outreach.person_update, title=_("Who they are"), initial=initial
    )


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_rules(request, pk):
    def initial(victim):
        return {field: getattr(victim, field) for field in RULE_FIELDS}

    return _person_form(
        request, pk, RulesForm, outreach.rules_set, title=_("Safe-contact rules"), initial=initial
    )


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_consent(request, pk):
    def initial(victim):
        return {"on": timezone.localdate()}

    return _person_form(
        request,
        pk,
        ConsentForm,
        outreach.consent_record,
        title=_("Record consent"),
        initial=initial,
    )


# The page's title for each moment.
SAFETY_VIEW_TITLES = {
    Moment.FIRST_CONTACT: gettext_lazy("Their view of their safety at first contact"),
    Moment.EXIT: gettext_lazy("Their view of their safety at the participant's exit"),
}


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_safety_view(request, pk, moment):
    if moment not in Moment.values:
        raise Http404

    def initial(victim):
        view = selectors.safety_view(victim=victim, moment=moment)
        if view is None:
            return {"on": timezone.localdate()}
        return {"feels_safe": view.feels_safe, "abuse": view.abuse, "on": view.on}

    return _person_form(
        request,
        pk,
        SafetyViewForm,
        partial(safety.safety_view_record, moment=moment),
        title=SAFETY_VIEW_TITLES[moment],
        initial=initial,
    )


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_close(request, pk):
    return _person_form(
        request,
        pk,
        CloseForm,
        outreach.outreach_close,
        title=_("Close outreach"),
        initial=lambda victim: {},
    )


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_contact(request, pk):
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        form = ContactForm(
            posted(request),
            initial={"at": timezone.localtime().replace(second=0, microsecond=0)},
            support_services=selectors.support_services(agency=request.agency),
            tasks=selectors.open_tasks(victim=victim),
            indigenous=victim.referral.program == Program.IPIV,
        )
        if form.is_valid():
            try:
                outreach.contact_log(
                    victim=victim,
                    by=request.user,
                    submission_key=submission_key(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Contact logged."))
                return to_person(request, victim)
        context = {
            "victim": victim,
            "referral": victim.referral,
            "form": form,
            "rules": rules_shown(victim),
        }
        # Shown again with its errors too: every page that shows the record is a read.
        audit_read(reader=request.user, agency=request.agency, record=victim)
        context["submission"] = submission_key_shown(request)
        return form_page(request, "victims/contact_form.html", context, form)


@requires("victims.view")
@require_POST
def outreach_reopen(request, pk):
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        outreach.outreach_reopen(victim=victim, by=request.user)
        messages.success(request, _("Outreach is open again."))
        return to_person(request, victim)
