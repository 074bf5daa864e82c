"""Reads of the outbox: the backlog for /healthz, and an agency's messages that did not leave
(the Outgoing messages page), with what that page may show of them."""

import datetime

from django.db.models import Count, F, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.core.tenancy import scoped
from ipv.notifications.models import Audience, OutboxMessage, State

# A message still waiting this long after it was due is late (the worker sends every minute).
LATE_AFTER = datetime.timedelta(minutes=15)
# What the page reads of a message: never its subject or bodies.
LISTED = ("id", "key", "kind", "audience", "channel", "to", "created_at", "send_after")
LISTED += ("attempts", "last_error", "state", "agency_id")

MASK = "•••"

UNREACHABLE = _("The provider could not be reached")
REASONS = {
    "NoTextProvider": _("No text message provider is configured"),
    "NoEmailProvider": _("No email provider is configured"),
    "SMTPRecipientsRefused": _("The address was refused"),
    "ConnectionError": UNREACHABLE,
    "ConnectionRefusedError": UNREACHABLE,
    "ConnectionResetError": UNREACHABLE,
    "ConnectionAbortedError": UNREACHABLE,
    "SMTPConnectError": UNREACHABLE,
    "SMTPServerDisconnected": UNREACHABLE,
    "TimeoutError": UNREACHABLE,
    "timeout": UNREACHABLE,
}
REFUSED = _("The provider refused the message")


def outbox_backlog() -> dict:
    """How many messages are due and not sent yet, and since when the oldest of them has been
    due (or None). A reminder written today for tomorrow is not a backlog."""
    return (
        OutboxMessage.objects.unsent()
        .filter(send_after__lte=timezone.now())
        .aggregate(unsent=Count("pk"), oldest=Min("send_after"))
    )


def failed_messages(*, agency) -> QuerySet[OutboxMessage]:
    """The agency's messages that gave up, newest first."""
    return (
        scoped(OutboxMessage, agency)
        .filter(state=State.FAILED)
        .only(*LISTED)
        .order_by("-created_at", "-id")
    )


def late_messages(*, agency, now=None) -> QuerySet[OutboxMessage]:
    """The agency's messages still waiting (or being sent) well past the time they were due,
    the longest waiting first."""
    due_before = (now or timezone.now()) - LATE_AFTER
    return (
        scoped(OutboxMessage, agency)
        .filter(state__in=(State.PENDING, State.SENDING), send_after__lte=due_before)
        .only(*LISTED)
        .order_by(F("send_after").asc(), "id")
    )


def failure_reason(last_error: str) -> str:
    """Why a message did not leave, in the reader's words, from the error's class name."""
    if not last_error:
        return ""
    if last_error in REASONS:
        return REASONS[last_error]
    if "timeout" in last_error.lower():
        return UNREACHABLE
    return REFUSED


def masked(address: str) -> str:
    """An address shown without giving it away: "j•••@example.org", "•••-0142"."""
    if not address:
        return ""
    if "@" in address:
        name, _at, domain = address.rpartition("@")
        return f"{name[:1]}{MASK}@{domain}"
    digits = "".join(character for character in address if character.isdigit())
    return f"{MASK}-{digits[-4:]}" if len(digits) >= 4 else MASK


def recipient_shown(message: OutboxMessage, *, sees_victims: bool) -> str | None:
    """What the page shows of whom a message is for: masked, and for a victim or partner
    nothing (None) unless the reader may see the confidential store."""
    if message.audience == Audience.VICTIM and not sees_victims:
        return None
    return masked(message.to)
