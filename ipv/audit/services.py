"""Writing the audit trail. Events are never changed afterwards (the database refuses)."""

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils import translation

from ipv.audit.context import Origin, current_origin
from ipv.audit.models import AuditEvent

Action = AuditEvent.Action
Event = AuditEvent.Event

LABEL_LENGTH = 200


def _worded(label: models.Model | Callable[[], str]) -> tuple[str, dict[str, str]]:
    """A record's name (or what `label()` says) in the active language, and in each language
    of the site when they differ: the trail shows it in its reader's language."""
    render = label if callable(label) and not isinstance(label, models.Model) else label.__str__
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(render())[:LABEL_LENGTH]
    text = str(render())[:LABEL_LENGTH]
    return text, labels if len(set(labels.values())) > 1 else {}


def audit_record(
    *,
    action: str,
    actor=None,
    agency=None,
    subject=None,
    target: models.Model | None = None,
    kind: type[models.Model] | None = None,
    label: str | models.Model | Callable[[], str] = "",
    details: dict | None = None,
) -> AuditEvent:
    """Record one event, with the origin of the current request.

    `label` says what the event is about: plain text (an address, a path), a record, or a
    function that words it; the last two are kept in every language. Without one, the target.
    An event about several records of one kind names the `kind` instead of a target.
    """
    origin = current_origin.get() or Origin()
    if not label and target is not None:
        label = target
    text, labels = (label[:LABEL_LENGTH], {}) if isinstance(label, str) else _worded(label)
    about = target if target is not None else kind
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency=agency,
        subject=subject,
        target_type=about._meta.label_lower if about is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=text,
        target_labels=labels,
        details=details or {},
        ip=origin.ip,
        path=origin.path,
        request_id=origin.request_id,
    )


def audit_read(*, reader, agency, record: models.Model, exported: int = 0) -> AuditEvent:
    """Record that `reader` opened (or exported `exported` rows of) a confidential record.

    One event per detail view or export; the event names the record, it never copies it.
    """
    return audit_record(
        action=Action.RECORD_EXPORTED if exported else Action.RECORD_READ,
        actor=reader,
        agency=agency,
        target=record,
        label=lambda: f"{record._meta.verbose_name} #{record.pk}",
        details={"rows": exported} if exported else None,
    )
