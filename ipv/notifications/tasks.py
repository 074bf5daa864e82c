from celery import shared_task

from ipv.notifications.services import send_due


@shared_task
def send_due_messages():
    """Send what the outbox holds and is due. Idempotent: each message goes out once."""
    return send_due()
