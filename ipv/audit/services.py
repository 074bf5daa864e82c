"""Writing the audit trail. Events are never changed afterwards (the database refuses)."""

from django.db import models

from ipv.audit.context import Origin, current_origin
from ipv.audit.models import AuditEvent

Action = AuditEvent.Action


def audit_record(
    *,
    action: str,
    actor=None,
    agency=None,
    subject=None,
    target: models.Model | None = None,
    label: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Record one event, with the origin of the current request."""
    origin = current_origin.get() or Origin()
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency=agency,
        subject=subject,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(label or (str(target) if target is not None else ""))[:200],
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
        label=f"{record._meta.verbose_name} #{record.pk}",
        details={"rows": exported} if exported else None,
    )
