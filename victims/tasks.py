from celery import shared_task

from victims.services.messages import undelivered_sweep


@shared_task
def tasks_for_undelivered_messages():
    """A task for each message to a victim or partner that failed, expired or was held back
    without one. Idempotent: one task per message."""
    return undelivered_sweep()
