"""A person's safety plan: the edit page (each save a new version) and each version, read
only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ipv.audit.services import audit_read
from ipv.core.forms import apply_errors, form_page, posted
from ipv.core.permissions import requires
from victims import selectors
from victims.forms import PlanForm
from victims.models.outreach import PLAN_SECTIONS
from victims.rls import confidential
from victims.services import outreach
from victims.views import to_person


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_plan(request, pk):
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        latest = selectors.plan_latest(victim=victim)
        initial = {name: getattr(latest, name) for name in PLAN_SECTIONS} if latest else {}
        form = PlanForm(posted(request), initial=initial)
        if form.is_valid():
            try:
                outreach.plan_save(victim=victim, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Safety plan saved as a new version."))
                return to_person(request, victim)
        context = {"victim": victim, "referral": victim.referral, "form": form, "latest": latest}
        # Shown again with its errors too: every page that shows the record is a read.
        audit_read(reader=request.user, agency=request.agency, record=victim)
        return form_page(request, "victims/plan_form.html", context, form)


@requires("victims.view")
@require_GET
def outreach_plan_version(request, pk, number):
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        plan = selectors.plan_version(victim=victim, number=number)
        audit_read(reader=request.user, agency=request.agency, record=victim)
        context = {"victim": victim, "referral": victim.referral, "plan": plan}
        return render(request, "victims/plan_version.html", context)
