"""How an audit event reads: worded when it is read, in the reader's language, from the codes
and values the event stores — never a sentence frozen in the language of whoever acted.

Events written before labels were kept in each language still read: their label as written,
and for reads and downloads, the kind of record worded again from its type.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from ipv.audit.models import AuditEvent
from ipv.core.i18n import format_money

Action = AuditEvent.Action

# What a download hands out, where the record's own name says less (a ledger entry's receipt).
DOCUMENT_NAMES = {"fees.ledgerentry": pgettext_lazy("document", "Receipt")}
# Events whose label named the kind of record in the actor's language (before labels were kept
# in each language): the kind is worded again from the type, the rest kept.
NAMED_BY_TYPE = {Action.RECORD_READ, Action.RECORD_EXPORTED, Action.DOCUMENT_DOWNLOADED}


@dataclass
class Reading:
    about: str = ""
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _model(label: str):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_name(model, name: str) -> str:
    model_field = _field(model, name)
    return capfirst(str(model_field.verbose_name)) if model_field is not None else name


def _value(model_field, value) -> str:
    """A stored value as the reader reads it: a choice by its label, yes or no, a list."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_value(model_field, item) for item in value)
    if not isinstance(value, str | int | float):
        return str(value)
    base = getattr(model_field, "base_field", model_field)  # an array of choices
    choices = dict(base.flatchoices) if base is not None and base.choices else {}
    return str(choices.get(value, value))


def _change(label, model_field, before, after) -> str:
    return _("%(field)s: %(before)s → %(after)s") % {
        "field": capfirst(str(label)),
        "before": _value(model_field, before),
        "after": _value(model_field, after),
    }


def _kind_names(model, target_type: str) -> list[str]:
    """The kind of record in each language, the most specific first."""
    names = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in (DOCUMENT_NAMES.get(target_type), model._meta.verbose_name):
                if name is not None:
                    names.append(str(name))
    return sorted(set(names), key=len, reverse=True)


def _about(event: AuditEvent, model) -> str:
    if event.target_type == "accounts.user" and event.target_id == str(event.subject_id or ""):
        return ""  # the person concerned, already named
    worded = event.target_labels.get(translation.get_language() or settings.LANGUAGE_CODE)
    if worded:
        return capfirst(worded) if event.action in NAMED_BY_TYPE else worded
    label = event.target_label
    if event.action not in NAMED_BY_TYPE or model is None:
        return label
    for name in _kind_names(model, event.target_type):
        if label.casefold().startswith(name.casefold()):
            label = label[len(name) :].strip()
            break
    kind = DOCUMENT_NAMES.get(event.target_type) or model._meta.verbose_name
    return f"{capfirst(str(kind))} {label}".strip()


def _in_language(value):
    """A value kept worded in each language (related records' names), in the reader's."""
    if not isinstance(value, dict):
        return value
    language = translation.get_language() or settings.LANGUAGE_CODE
    return value.get(language, value.get(settings.LANGUAGE_CODE))


def _changes(event: AuditEvent, model) -> list[str]:
    details = event.details
    if isinstance(details.get("changes"), dict):
        return [
            _change(
                _field_name(model, name),
                _field(model, name),
                _in_language(change.get("before")),
                _in_language(change.get("after")),
            )
            for name, change in details["changes"].items()
            if isinstance(change, dict)
        ]
    if event.action == Action.SETTINGS_CHANGED:
        changes = []
        for name, change in details.items():
            if isinstance(change, dict):
                setting = _field(model, name)
                label = _field_name(model, name)
                changes.append(_change(label, setting, change.get("before"), change.get("after")))
        return changes
    if "before" not in details and "after" not in details:
        return []
    if event.action == Action.ROLES_CHANGED:
        role = _field(_model("accounts.membership"), "role")
        return [_change(_("Roles"), role, details.get("before"), details.get("after"))]
    status = _field(model, "status")
    label = status.verbose_name if status is not None else _("Status")
    return [_change(label, status, details.get("before"), details.get("after"))]


def _notes(event: AuditEvent, model) -> list[str]:
    details, notes = event.details, []
    if code := details.get("event"):
        known = code in AuditEvent.Event.values
        notes.append(str(AuditEvent.Event(code).label) if known else code)
    if amount := details.get("amount"):
        notes.append(_("Amount: %(amount)s") % {"amount": format_money(Decimal(amount))})
    if reason := details.get("reason"):
        notes.append(_("Reason: %(reason)s") % {"reason": reason})
    if action := _in_language(details.get("action")):
        notes.append(_("Bulk action: %(action)s") % {"action": action})
    if fields := details.get("fields"):
        names = [_field_name(model, name) for name in fields]
        notes.append(_("Fields changed: %(fields)s") % {"fields": ", ".join(names)})
    if "roles" in details:
        role = _field(_model("accounts.membership"), "role")
        notes.append(_("Roles: %(roles)s") % {"roles": _value(role, details["roles"])})
    if via := details.get("via"):
        notes.append(_value(_field(model, "via"), via))
    if kind := details.get("type"):
        from allauth.mfa.models import Authenticator

        notes.append(_value(Authenticator._meta.get_field("type"), kind))
    if reader := details.get("reader"):
        notes.append(_("By the court") if reader == "court" else _("By the agency"))
    if rows := details.get("rows"):
        notes.append(ngettext("%(count)s row", "%(count)s rows", rows) % {"count": rows})
    if event.action == Action.RETENTION_APPLIED and "count" in details:
        notes.append(_("Number: %(count)s") % {"count": details["count"]})
    if failures := details.get("failures"):
        notes.append(
            ngettext("%(count)s failed attempt", "%(count)s failed attempts", failures)
            % {"count": failures}
        )
    if ended := details.get("sessions_ended"):
        notes.append(
            ngettext("%(count)s session ended", "%(count)s sessions ended", ended)
            % {"count": ended}
        )
    if details.get("account_closed"):
        notes.append(_("Account closed"))
    if details.get("awaiting_approval"):
        notes.append(_("Awaits a manager's approval"))
    if effective_from := details.get("effective_from"):
        day = date_format(date.fromisoformat(effective_from), "DATE_FORMAT")
        notes.append(_("In effect from %(date)s") % {"date": day})
    return notes


def describe(event: AuditEvent) -> Reading:
    """The event's label, its before → after changes and its other details, worded now."""
    model = _model(event.target_type)
    return Reading(
        about=_about(event, model),
        changes=_changes(event, model),
        notes=_notes(event, model),
    )
