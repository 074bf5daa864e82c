from celery import shared_task

from ipv.notifications.sending import send_due


@shared_task
def send_due_messages():
    """Send what the outbox holds and is due. Safe with many workers: each message is leased
    to one of them, and goes out once unless a worker dies after the provider accepted it."""
    outcome = send_due()
    return vars(outcome)
