"""Sending the outbox: claim a batch, talk to the providers with no lock held, record each
result. Safe with any number of workers: a claim is a lease, taken with SKIP LOCKED, and a
worker that dies leaves its claimed messages to be taken again when the lease ends.

Delivery is at least once. A worker that dies after the provider accepted a message and before
the database recorded it leaves the message claimed; when the lease ends another worker sends it
again. Email carries a Message-ID made from the message's key, so that a second copy is the same
message to the mail systems that remove duplicates; text providers that take an idempotency key
receive the same key (see the README, "Messages")."""

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

import sms
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ipv.notifications.models import Audience, Channel, OutboxMessage, State

logger = logging.getLogger(__name__)

BATCH = 100


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0


def _claim(now, limit: int) -> tuple[uuid.UUID, list[OutboxMessage]]:
    """Lease up to `limit` due messages (and those whose worker's lease ran out) to this call."""
    claim = uuid.uuid4()
    lease = now + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(
                Q(state=State.PENDING, send_after__lte=now)
                | Q(state=State.SENDING, lease_until__lte=now)
            )
            .order_by("send_after", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return claim, []
        OutboxMessage.objects.filter(pk__in=ids).update(
            state=State.SENDING, lease_until=lease, claim=claim, attempts=F("attempts") + 1
        )
    return claim, list(OutboxMessage.objects.filter(claim=claim).order_by("send_after", "pk"))


def _email(message: OutboxMessage, connection) -> mail.EmailMultiAlternatives:
    sender = settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(">").strip() or "ipv.localhost"
    local_part = message.key.replace(":", ".")
    if message.audience == Audience.VICTIM:
        # Headers are read too: a victim's message says nothing of what it is about, whatever
        # the person's rules. No display name (the site's may name the program), and a
        # Message-ID that is the same for the same key without saying "victim".
        local_part = hashlib.sha256(message.key.encode()).hexdigest()[:32]
        sender = parseaddr(sender)[1] or sender
    email = mail.EmailMultiAlternatives(
        message.subject,
        message.body_text,
        from_email=sender,
        to=[message.to],
        connection=connection,
        headers={"Message-ID": f"<{local_part}@{domain}>"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _deliver(message: OutboxMessage, connections: dict) -> None:
    if message.channel == Channel.SMS:
        if "sms" not in connections:
            connections["sms"] = sms.get_connection()
        sent = sms.Message(
            body=message.body_text, recipients=[message.to], connection=connections["sms"]
        ).send()
    else:
        if "email" not in connections:
            connections["email"] = mail.get_connection()
        sent = _email(message, connections["email"]).send()
    if not sent:
        raise RuntimeError("the provider accepted nothing")


def _done(message: OutboxMessage, claim, now) -> bool:
    """Record a message as sent, erasing what it said of a person. False when the lease was
    lost (this worker was too slow, and another took the message)."""
    erase = {}
    if message.sensitive:
        erase = {"subject": "", "body_text": "", "body_html": ""}
    if message.audience == Audience.VICTIM:
        erase["to"] = ""
    return bool(
        OutboxMessage.objects.filter(pk=message.pk, claim=claim, state=State.SENDING).update(
            state=State.SENT, sent_at=now, lease_until=None, last_error="", **erase
        )
    )


def _failed(message: OutboxMessage, claim, error: Exception, now) -> str:
    reason = type(error).__name__[:300]
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        state, send_after = State.FAILED, message.send_after
    else:
        # Further apart each time: 1, 2, 4… minutes, at most an hour.
        state = State.PENDING
        send_after = now + datetime.timedelta(minutes=min(60, 2 ** (message.attempts - 1)))
    OutboxMessage.objects.filter(pk=message.pk, claim=claim, state=State.SENDING).update(
        state=state, send_after=send_after, lease_until=None, last_error=reason
    )
    logger.warning("outbox: message %s not sent (%s)", message.pk, reason)
    return state


def send_due(limit: int = 1000, *, now=None) -> Outcome:
    """Send up to `limit` due messages, once each however many workers run this at once."""
    outcome = Outcome()
    connections = {}
    while limit > 0:
        moment = now or timezone.now()
        claim, batch = _claim(moment, min(BATCH, limit))
        if not batch:
            break
        limit -= len(batch)
        for message in batch:
            moment = now or timezone.now()
            if message.expires_at and message.expires_at <= moment:
                OutboxMessage.objects.filter(pk=message.pk, claim=claim).update(
                    state=State.CANCELLED,
                    lease_until=None,
                    last_error="expired",
                    to="",
                    body_text="",
                    body_html="",
                )
                outcome.expired += 1
                continue
            try:
                _deliver(message, connections)
            except Exception as error:
                if _failed(message, claim, error, moment) == State.FAILED:
                    outcome.failed += 1
                else:
                    outcome.retried += 1
                continue
            outcome.sent += _done(message, claim, moment)
    for connection in connections.values():
        try:
            connection.close()
        except Exception:
            logger.warning("outbox: could not close a provider connection", exc_info=True)
    return outcome
