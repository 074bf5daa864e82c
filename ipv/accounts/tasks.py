from celery import shared_task

from ipv.accounts import throttle


@shared_task
def sweep_sign_in_throttles():
    """Delete forgotten sign-in buckets and expired unlock links. Idempotent."""
    return throttle.sweep()
