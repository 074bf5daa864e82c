from django.db.models import Count, Min

from ipv.notifications.models import OutboxMessage


def outbox_backlog() -> dict:
    """How many messages wait to be sent, and when the oldest of them was due (or None)."""
    return OutboxMessage.objects.unsent().aggregate(unsent=Count("pk"), oldest=Min("send_after"))
