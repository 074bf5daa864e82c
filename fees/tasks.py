from celery import shared_task

from fees.reminders import fee_reminders_prepare


@shared_task(name="fees.tasks.prepare_fee_reminders")
def prepare_fee_reminders():
    """Remind the instalments due in three days. Idempotent: one reminder per instalment."""
    return fee_reminders_prepare()
