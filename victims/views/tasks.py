"""A person's tasks: add a follow-up, mark one done, give one to a worker."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ipv.audit.services import audit_read
from ipv.core.forms import apply_errors, form_page, posted
from ipv.core.permissions import requires
from victims import selectors
from victims.forms import AssignForm, TaskForm
from victims.rls import confidential
from victims.services import outreach
from victims.views import to_person


@requires("victims.view")
@require_http_methods(["GET", "POST"])
def outreach_task_add(request, pk):
    workers = selectors.outreach_workers(agency=request.agency)
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        if request.method == "GET":
            audit_read(reader=request.user, agency=request.agency, record=victim)
        mine = workers.filter(pk=request.user.pk).exists()
        form = TaskForm(
            posted(request), workers=workers, initial={"assignee": request.user if mine else None}
        )
        if form.is_valid():
            try:
                outreach.task_add(victim=victim, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Task added."))
                return to_person(request, victim)
        context = {
            "victim": victim,
            "referral": victim.referral,
            "form": form,
            "title": _("Add a task"),
        }
        return form_page(request, "victims/person_form.html", context, form)


@requires("victims.view")
@require_POST
def outreach_task_done(request, pk):
    with confidential(request.agency):
        task = selectors.task_get(agency=request.agency, pk=pk)
        outreach.task_close(task=task, by=request.user)
        messages.success(request, _("Task done."))
        return to_person(request, task.victim)


@requires("victims.view")
@require_POST
def outreach_task_assign(request, pk):
    workers = selectors.outreach_workers(agency=request.agency)
    with confidential(request.agency):
        task = selectors.task_get(agency=request.agency, pk=pk)
        form = AssignForm(request.POST, workers=workers, required=False)
        if not form.is_valid():
            messages.error(request, _("Choose a partner-contact worker of the agency."))
            return to_person(request, task.victim)
        try:
            outreach.task_assign(task=task, by=request.user, assignee=form.cleaned_data["worker"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Task assigned."))
        return to_person(request, task.victim)
