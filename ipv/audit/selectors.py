from django.db.models import Exists, OuterRef, Q, QuerySet

from ipv.accounts.models import Membership
from ipv.audit.models import AuditEvent


def agency_trail(*, agency) -> QuerySet[AuditEvent]:
    """What happened in the agency, and the sign-ins of the people who work there while they
    work there: nothing of what someone does before joining or after leaving."""
    working_then = Membership.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("at")),
        agency=agency,
        user_id=OuterRef("subject_id"),
        created_at__lte=OuterRef("at"),
    )
    return AuditEvent.objects.filter(
        Q(agency=agency) | Q(agency__isnull=True, subject__isnull=False) & Exists(working_then)
    ).order_by("-at", "-id")
