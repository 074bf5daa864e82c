"""The milestones' consumers, run promptly after each commit that writes a milestone (woken by
name, see referrals.services.milestones) and every minute by beat, as a backstop sweep."""

from celery import shared_task

from ipv.pages import digests, retention
from referrals.services.milestones import CONSUME_TASK, consume
from sessions_app.consumers import COMPLETION_AFTER_PAYMENT, MAKE_UP_REMINDERS
from victims.consumers import OUTREACH_TASKS, TRANSFER_OUTREACH

# Every consumer of the stream, each with its own cursor. Listed here, in the layer above them
# all: the apps that write milestones do not know who reads them.
CONSUMERS = [COMPLETION_AFTER_PAYMENT, TRANSFER_OUTREACH, OUTREACH_TASKS, MAKE_UP_REMINDERS]


@shared_task(name=CONSUME_TASK)
def milestones_consume() -> dict:
    """Run every consumer to the end of the stream. Idempotent: each milestone is handled once
    per consumer, however often this runs, and two runs at once take turns (cursor row lock)."""
    return {consumer.name: consume(consumer) for consumer in CONSUMERS}


@shared_task
def prepare_staff_digests() -> int:
    """Every few minutes: the morning digests, once their time has come (one per person a day)."""
    return digests.staff_digests_prepare()


@shared_task
def prepare_court_digests() -> int:
    """Every few minutes: the court liaison officers' daily lists, once their time has come."""
    return digests.court_digests_prepare()


@shared_task
def apply_retention() -> dict:
    """Daily: the retention rules (ipv.pages.retention); counts by rule. Idempotent."""
    report = retention.retention_apply()
    if report is None:
        return {}
    return {event: report.total(event) for event in retention.Event.values if report.total(event)}
