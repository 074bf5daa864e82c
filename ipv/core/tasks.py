from celery import shared_task
from django.core import management
from django.utils import timezone

from ipv.core.models import SecurityStoreEntry


@shared_task
def clear_expired_sessions():
    """Delete expired sessions from the database (idempotent)."""
    management.call_command("clearsessions")


@shared_task
def sweep_security_store():
    """Delete the security store's expired rows (they already count as absent). Idempotent."""
    deleted, _by_model = SecurityStoreEntry.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
