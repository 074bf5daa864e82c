from django.db.models import Count, Min

from ipv.notifications.models import OutboxMessage


def outbox_backlog() -> dict:
    """How many messages wait to be sent, and when the oldest of them was written (or None)."""
    return OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(
        unsent=Count("pk"), oldest=Min("created_at")
    )
