from django.db.models import Q, QuerySet

from ipv.accounts.models import Membership
from ipv.audit.models import AuditEvent


def agency_trail(*, agency) -> QuerySet[AuditEvent]:
    """What happened in the agency, and the sign-ins of the people who work there."""
    staff = Membership.objects.filter(agency=agency).values("user_id")
    return AuditEvent.objects.filter(
        Q(agency=agency) | Q(agency__isnull=True, subject_id__in=staff)
    ).order_by("-at", "-id")
