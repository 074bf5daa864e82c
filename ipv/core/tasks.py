from celery import shared_task
from django.core import management


@shared_task
def clear_expired_sessions():
    """Delete expired sessions from the database (idempotent)."""
    management.call_command("clearsessions")
