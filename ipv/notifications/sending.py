"""Sending the outbox: claim a batch, talk to the providers with no lock held, record each
result. Safe with any number of workers: a claim is a lease, taken with SKIP LOCKED, and a
worker that dies leaves its claimed messages to be taken again when the lease ends.

Delivery is at least once. A worker that dies after the provider accepted a message and before
the database recorded it leaves the message claimed; when the lease ends another worker sends it
again. Email carries a Message-ID made from the message's key, so that a second copy is the same
message to the mail systems that remove duplicates. Twilio's Messages API takes no idempotency
key, so a text can go twice in that window (see the README, "Messages")."""

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

import sms
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import F
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
    """Lease to this call up to `limit` messages: first those whose worker's lease ran out, then
    the due ones, oldest first."""
    claim = uuid.uuid4()
    lease = now + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    # Two reads, each along its own partial index and in its order, rather than one read of
    # "due OR lease ended": a plain index scan stops at the limit and marks, as it passes, the
    # entries of messages already taken, while the bitmap scan the OR needs went over every one
    # of them at each batch (most of the sending time once thousands had gone out).
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(state=State.SENDING, lease_until__lte=now)
            .order_by("lease_until")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if len(ids) < limit:
            ids += (
                OutboxMessage.objects.filter(state=State.PENDING, send_after__lte=now)
                .order_by("send_after", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[: limit - len(ids)]
            )
        if not ids:
            return claim, []
        OutboxMessage.objects.filter(pk__in=ids).update(
            state=State.SENDING, lease_until=lease, claim=claim, attempts=F("attempts") + 1
        )
    # By primary key: there is no index on the claim.
    batch = OutboxMessage.objects.filter(pk__in=ids, claim=claim).order_by("send_after", "pk")
    return claim, list(batch)


def message_id(key: str) -> str:
    """The Message-ID of every copy of a message: a digest of its key, which names nobody
    (a key says "victim:…" or "participant:…", and headers are read by whoever reads the mail)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "ipv.localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _email(message: OutboxMessage, connection) -> mail.EmailMultiAlternatives:
    email = mail.EmailMultiAlternatives(
        message.subject,
        message.body_text,
        # A victim's mail shows no name of the program, not even in its sender.
        from_email=settings.NEUTRAL_FROM_EMAIL if message.audience == Audience.VICTIM else None,
        to=[message.to],
        connection=connection,
        headers={"Message-ID": message_id(message.key)},
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
        _result(
            OutboxMessage.objects.filter(pk=message.pk, claim=claim, state=State.SENDING),
            state=State.SENT,
            sent_at=now,
            lease_until=None,
            last_error="",
            **erase,
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
    _result(
        OutboxMessage.objects.filter(pk=message.pk, claim=claim, state=State.SENDING),
        state=state,
        send_after=send_after,
        lease_until=None,
        last_error=reason,
    )
    logger.warning("outbox: message %s not sent (%s)", message.pk, reason)
    return state


def _result(messages, **values) -> int:
    """Record a message's result in a transaction of its own, committed without waiting for the
    disk: each is at once visible to every worker, and waiting for each to reach the disk was
    most of the sending time. Should PostgreSQL itself crash, the last few results written
    (under a second's worth) may be lost: those messages are still leased, and are sent again
    when the lease ends, as when a worker dies (at least once). The claim's commit still waits.
    SET LOCAL, never SET: behind a pooler in transaction mode a session-level setting would stay
    on a server connection that other clients' transactions then use."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")
        return messages.update(**values)


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
                _result(
                    OutboxMessage.objects.filter(pk=message.pk, claim=claim),
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
    for provider in connections.values():
        try:
            provider.close()
        except Exception:
            logger.warning("outbox: could not close a provider connection", exc_info=True)
    return outcome
