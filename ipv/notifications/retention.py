"""Retention of the outbox: a message that will not be sent any more (sent, failed or
cancelled) keeps its text and address for a set time, for the managers' Outgoing messages
page, then only its key, channel, state and dates."""

from datetime import datetime

from django.db.models import Q

from ipv.notifications.models import OutboxMessage, State

BODY_BLANK = {"to": "", "subject": "", "body_text": "", "body_html": ""}
DONE = (State.SENT, State.FAILED, State.CANCELLED)
_ANYTHING_LEFT = ~Q(to="") | ~Q(subject="") | ~Q(body_text="") | ~Q(body_html="")


def messages_empty(*, agency, written_before: datetime, dry_run: bool = False) -> int:
    """Remove the address and text of the agency's messages (those of no agency with `agency`
    None) written before `written_before` and done with; returns how many."""
    due = OutboxMessage.objects.filter(
        agency=agency, state__in=DONE, created_at__lt=written_before
    ).filter(_ANYTHING_LEFT)
    if dry_run:
        return due.count()
    return due.update(**BODY_BLANK)
