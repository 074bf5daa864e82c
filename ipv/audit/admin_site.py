"""The administration site, audited like everything else.

A platform administrator can read every agency's case data and change roles, programs and
courts. Each change made there (added, changed, deleted — one at a time, by a bulk action, in a
list or in an inline) and each page of case data opened there is an event in the trail of the
agency concerned, so that its manager sees it (and in the whole trail, which the admin lists).

Every model registered on the site is audited, whoever registers it (an app's admin.py,
pghistory's, allauth's): the site mixes `AuditedModelAdmin` into each admin class it is given.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import model_format_dict
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.http import Http404
from django.utils import translation
from django.utils.text import capfirst

from ipv.audit.services import Action, audit_record
from ipv.core.admin import SafeAutocompleteAdmin

AGENCY = "directory.agency"
# Apps whose records are not case data: the trail itself.
NOT_CASE_DATA = {"audit"}


def _is_history(model) -> bool:
    """pghistory's rows copy the rows they record, case data included."""
    return model._meta.app_label == "pghistory"


def _agency_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and field.related_model._meta.label_lower == AGENCY
    ]


def _person_attname(model) -> str | None:
    """The column naming the person who signs in that a record is about, if any."""
    if model._meta.label == settings.AUTH_USER_MODEL:
        return "pk"
    try:
        field = model._meta.get_field("user")
    except FieldDoesNotExist:
        return None
    # A foreign key of its own; not a relation from the user's side (Django's groups and
    # permissions are reached from the user by a "user" of that kind).
    own_key = (field.many_to_one or field.one_to_one) and field.concrete
    if own_key and field.related_model._meta.label == settings.AUTH_USER_MODEL:
        return field.attname
    return None


def holds_case_data(model) -> bool:
    """Rows an agency owns, records about a person who signs in (their memberships, second
    factors, court liaison profile), and the row history, which copies both. Not the reference
    data (regions, courts, the agencies' own listing) nor the trail."""
    if model._meta.app_label in NOT_CASE_DATA:
        return False
    return _is_history(model) or bool(_agency_fields(model)) or _person_attname(model) is not None


@dataclass(frozen=True)
class Concern:
    """Whom a record concerns: its agencies (a transfer has two) and the person it is about."""

    agency_ids: frozenset
    subject_id: int | None


def concern(obj: models.Model) -> Concern:
    model = type(obj)
    if _is_history(model):
        data = getattr(obj, "pgh_data", None) or {}
        tracked = getattr(obj, "pgh_obj_model", "").lower()
        agencies = {data.get("agency_id")}
        subject = data.get("user_id")
        if tracked == AGENCY:
            agencies.add(obj.pgh_obj_id)
        if tracked == settings.AUTH_USER_MODEL.lower():
            subject = obj.pgh_obj_id
    else:
        agencies = {getattr(obj, field.attname) for field in _agency_fields(model)}
        if model._meta.label_lower == AGENCY:
            agencies.add(obj.pk)
        attname = _person_attname(model)
        subject = getattr(obj, attname) if attname else None
    return Concern(
        agency_ids=frozenset(int(agency) for agency in agencies if agency),
        subject_id=int(subject) if subject else None,
    )


def _label(obj: models.Model):
    """Case data is named by its kind and number, never by what it says (a person's name)."""
    if holds_case_data(type(obj)):
        opts, pk = obj._meta, obj.pk
        return lambda: f"{capfirst(opts.verbose_name)} #{pk}"
    return obj


def _agency(agency_id):
    return apps.get_model(AGENCY)(pk=agency_id) if agency_id else None


def _person(user_id):
    return apps.get_model(settings.AUTH_USER_MODEL)(pk=user_id) if user_id else None


def record(request, action: str, obj: models.Model, details: dict | None = None) -> None:
    """One event per agency the record concerns (or one without an agency), naming it."""
    about = concern(obj)
    label = _label(obj)
    for agency_id in sorted(about.agency_ids) or [None]:
        audit_record(
            action=action,
            actor=request.user,
            agency=_agency(agency_id),
            subject=_person(about.subject_id),
            target=obj,
            label=label,
            details=details,
        )


def record_list(request, model, rows) -> None:
    """A page listing case data: one event per agency whose rows it shows, with their ids."""
    if not rows or not holds_case_data(model):
        return
    shown = defaultdict(list)
    for row in rows:
        for agency_id in concern(row).agency_ids or [None]:
            shown[agency_id].append(str(row.pk))
    opts = model._meta
    for agency_id, ids in sorted(shown.items(), key=lambda item: item[0] or 0):
        audit_record(
            action=Action.ADMIN_VIEWED,
            actor=request.user,
            agency=_agency(agency_id),
            kind=model,
            label=lambda: capfirst(opts.verbose_name_plural),
            details={"rows": len(ids), "ids": ids},
        )


def _worded(objects) -> dict[str, list[str]]:
    """Related records (courts, groups) by their names, in each language of the site."""
    worded = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            worded[code] = [str(obj) for obj in objects]
    return worded


def _is_code(field) -> bool:
    """A value that is a code rather than someone's words: a choice, yes or no."""
    base = getattr(field, "base_field", field)
    return bool(base.choices) or isinstance(field, models.BooleanField)


def _codes(value):
    return list(value) if isinstance(value, list | tuple) else value


def _link_fields(form) -> list[models.Field]:
    """The many-to-many fields a form edits."""
    return [field for field in form.instance._meta.many_to_many if field.name in form.fields]


def _links(instance, fields) -> dict[str, list]:
    return {field.name: list(getattr(instance, field.name).all()) for field in fields}


def form_changes(form, links_before: dict) -> dict:
    """What a saved admin form changed. Codes (roles, programs, yes/no) and related records
    (courts, groups, region) with their values before and after; anything else — free text
    that may be case data — by the field's name only."""
    opts = form.instance._meta
    changes, fields = {}, []
    for name in form.changed_data:
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            continue  # a form-only field (a password typed twice)
        if field.many_to_many:
            before = links_before.get(name, [])
            after = list(getattr(form.instance, name).all())
            if {obj.pk for obj in before} != {obj.pk for obj in after}:
                changes[name] = {"before": _worded(before), "after": _worded(after)}
        elif field.many_to_one:
            initial = form.initial.get(name)
            before = field.related_model._default_manager.filter(pk=initial).first()
            after = getattr(form.instance, name)
            changes[name] = {
                "before": _worded([before] if before else []),
                "after": _worded([after] if after else []),
            }
        elif _is_code(field):
            changes[name] = {
                "before": _codes(form.initial.get(name)),
                "after": _codes(form.cleaned_data.get(name)),
            }
        elif field.concrete:
            fields.append(name)
    details = {}
    if changes:
        details["changes"] = changes
    if fields:
        details["fields"] = fields
    return details


def _audited(action, description):
    """A bulk action that records each selected record as changed, naming the action, before
    it runs (an action may delete what it is given)."""

    @functools.wraps(action)
    def run(model_admin, request, queryset):
        words = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                words[code] = str(description) % model_format_dict(model_admin.opts)
        for obj in queryset:
            record(request, Action.ADMIN_CHANGED, obj, {"action": words})
        return action(model_admin, request, queryset)

    return run


class AuditedModelAdmin(admin.ModelAdmin):
    """Records each change through the admin's own log hooks, and each page of case data."""

    # Changes, as Django's admin logs them; what changed is gathered while saving.

    def save_related(self, request, form, formsets, change):
        inline_forms = [inline for formset in formsets for inline in formset.forms]
        # What the links were, and which inline records go, before the save changes them.
        links_before = {
            id(each): _links(each.instance, _link_fields(each))
            for each in [form, *inline_forms]
            if each.instance.pk is not None and (each is not form or change)
        }
        for formset in formsets:
            for leaving in formset.deleted_forms:
                if leaving.instance.pk is not None:  # named now: deleting clears its number
                    record(request, Action.ADMIN_DELETED, leaving.instance)
        super().save_related(request, form, formsets, change)
        pending = getattr(request, "_admin_audit", {})
        pending[(form.instance._meta.label_lower, form.instance.pk)] = form_changes(
            form, links_before.get(id(form), {})
        )
        request._admin_audit = pending
        for formset in formsets:
            added = {id(obj) for obj in formset.new_objects}
            changed = {id(obj) for obj, _fields in formset.changed_objects}
            for inline in formset.forms:
                if id(inline.instance) in added | changed:
                    action = (
                        Action.ADMIN_ADDED if id(inline.instance) in added else Action.ADMIN_CHANGED
                    )
                    details = form_changes(inline, links_before.get(id(inline), {}))
                    record(request, action, inline.instance, details)

    def _saved(self, request, obj) -> dict:
        return getattr(request, "_admin_audit", {}).pop((obj._meta.label_lower, obj.pk), {})

    def log_addition(self, request, obj, message):
        record(request, Action.ADMIN_ADDED, obj, self._saved(request, obj))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        record(request, Action.ADMIN_CHANGED, obj, self._saved(request, obj))
        return super().log_change(request, obj, message)

    def get_actions(self, request):
        """Bulk actions, each record they are run on recorded first. Deleting is recorded
        by `log_deletions`, once confirmed."""
        return {
            name: (
                func if name == "delete_selected" else _audited(func, description),
                name,
                description,
            )
            for name, (func, name, description) in super().get_actions(request).items()
        }

    def log_deletions(self, request, queryset):
        """Called before the deletion, for one record and for the bulk action alike."""
        for obj in queryset:
            record(request, Action.ADMIN_DELETED, obj)
        return super().log_deletions(request, queryset)

    # Reading: the list, a record's page, and what a deletion would take with it.

    def changelist_view(self, request, extra_context=None):
        try:
            response = super().changelist_view(request, extra_context)
        except ObjectDoesNotExist as missing:
            # pghistory's events of one record (?obj=…) reload that record: gone, or not
            # visible here (the confidential store's rows, behind row-level security).
            raise Http404 from missing
        context = getattr(response, "context_data", None) or {}
        if "cl" in context:
            changelist = context["cl"]
            changelist.result_list = list(changelist.result_list)  # read once, shown as read
            record_list(request, self.model, changelist.result_list)
        elif "queryset" in context:  # a bulk action asking for confirmation lists its rows
            record_list(request, self.model, list(context["queryset"]))
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        self._record_shown(request, response, "original")
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        self._record_shown(request, response, "object")
        return response

    def history_view(self, request, object_id, extra_context=None):
        # The record's page of changes names it (its title) and what was done to it.
        response = super().history_view(request, object_id, extra_context)
        self._record_shown(request, response, "object")
        return response

    def _record_shown(self, request, response, name):
        obj = (getattr(response, "context_data", None) or {}).get(name)
        if obj is not None and obj.pk is not None and holds_case_data(type(obj)):
            record(request, Action.ADMIN_VIEWED, obj)


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            # Audited, and with autocomplete fields that re-render any value sent.
            admin_class = type(
                admin_class.__name__,
                (AuditedModelAdmin, SafeAutocompleteAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)
