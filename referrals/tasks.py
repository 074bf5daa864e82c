from celery import shared_task

from referrals.services.intake import intake_reminders_send


@shared_task
def send_intake_reminders():
    """Remind tomorrow's intakes. Idempotent: each intake is reminded once."""
    return intake_reminders_send()
