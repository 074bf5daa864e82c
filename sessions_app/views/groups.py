"""Groups, their schedule, the curriculum, and a facilitator's calendar feed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from directory.models import Program
from ipv.core.forms import ReasonForm, apply_errors, form_page, posted
from ipv.core.permissions import requires
from sessions_app import selectors
from sessions_app.forms import GroupEditForm, GroupForm, ModuleForm, ModuleFormSet, SessionMoveForm
from sessions_app.services import calendar, groups

PAGE_SIZE = 50


def _group(request, pk):
    return selectors.group_get(
        agency=request.agency, user=request.user, membership=request.membership, pk=pk
    )


def _session(request, pk):
    return selectors.session_get(
        agency=request.agency, user=request.user, membership=request.membership, pk=pk
    )


def to_group(request, group):
    return redirect("agency:group_detail", agency_slug=request.agency.slug, pk=group.pk)


@requires("groups.view")
@require_GET
def group_list(request):
    """Running groups by default, closed ones on their own tab; a page at a time."""
    closed = request.GET.get("show") == "closed"
    groups = selectors.groups_list(
        agency=request.agency, user=request.user, membership=request.membership, running=not closed
    )
    context = {
        "closed": closed,
        "page": Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "sessions_app/group_list.html", context)


@requires("groups.manage")
@require_http_methods(["GET", "POST"])
def group_new(request):
    form = GroupForm(posted(request), agency=request.agency)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        facilitators = fields.pop("facilitators")
        try:
            group = groups.group_create(
                agency=request.agency, by=request.user, facilitators=facilitators, **fields
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Group opened, and its sessions scheduled."))
            return to_group(request, group)
    return form_page(request, "sessions_app/group_form.html", {"form": form}, form)


@requires("groups.view")
@require_GET
def group_detail(request, pk):
    group = _group(request, pk)
    context = {
        "group": group,
        "schedule": selectors.group_schedule(group=group),
        "members": selectors.group_members(group=group),
    }
    return render(request, "sessions_app/group_detail.html", context)


@requires("groups.manage")
@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    group = _group(request, pk)
    form = GroupEditForm(posted(request), instance=group, agency=request.agency)
    if form.is_valid():
        form.save()
        messages.success(request, _("Group saved."))
        return to_group(request, group)
    return form_page(request, "sessions_app/group_form.html", {"form": form, "group": group}, form)


@requires("groups.manage")
@require_http_methods(["GET", "POST"])
def session_cancel(request, pk):
    session = _session(request, pk)
    form = ReasonForm(posted(request))
    if form.is_valid():
        try:
            groups.session_cancel(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Session cancelled."))
            return to_group(request, session.group)
    context = {"session": session, "form": form, "title": _("Cancel the session")}
    return form_page(request, "sessions_app/session_form.html", context, form)


@requires("groups.manage")
@require_http_methods(["GET", "POST"])
def session_move(request, pk):
    session = _session(request, pk)
    form = SessionMoveForm(
        posted(request), initial={"date": session.date, "start_time": session.start_time}
    )
    if form.is_valid():
        try:
            groups.session_move(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Session moved."))
            return to_group(request, session.group)
    context = {"session": session, "form": form, "title": _("Move the session")}
    return form_page(request, "sessions_app/session_form.html", context, form)


@requires("curriculum.view")
@require_GET
def curriculum(request):
    for program in request.agency.programs:
        groups.curriculum_current(agency=request.agency, program=program)
    context = {"curricula": selectors.curricula_current(agency=request.agency)}
    return render(request, "sessions_app/curriculum.html", context)


@requires("curriculum.manage")
@require_http_methods(["GET", "POST"])
def curriculum_edit(request, program):
    if program not in request.agency.programs:
        raise Http404
    current = groups.curriculum_current(agency=request.agency, program=program)
    formset = ModuleFormSet(posted(request), queryset=current.modules.all())
    if request.method == "POST" and formset.is_valid():
        # The module's words alone: each form also carries the module it was read from (its
        # id), which the new version does not reuse.
        modules = [
            {name: form.cleaned_data[name] for name in ModuleForm.Meta.fields}
            for form in formset.forms
        ]
        groups.curriculum_revise(
            agency=request.agency, program=program, by=request.user, modules=modules
        )
        messages.success(request, _("New version saved: sessions to come teach it."))
        return redirect("agency:curriculum", agency_slug=request.agency.slug)
    context = {"formset": formset, "curriculum": current, "program": Program(program)}
    return form_page(request, "sessions_app/curriculum_edit.html", context, formset)


@requires("calendar.own")
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """The facilitator's private calendar address: made (again) or turned off."""
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar.feed_revoke(user=request.user, agency=request.agency)
            messages.success(request, _("The calendar address no longer works."))
        else:
            token = calendar.feed_create(user=request.user, agency=request.agency)
    has_feed = request.user.calendar_feeds.filter(
        agency=request.agency, revoked_at__isnull=True
    ).exists()
    context = {"token": token, "has_feed": has_feed}
    return render(request, "sessions_app/calendar_feed.html", context)
