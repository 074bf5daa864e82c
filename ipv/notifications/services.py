"""Queueing messages. Callers write inside their own transaction; sending happens after commit."""

import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from ipv.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)


def email_enqueue(
    *, to: str, template: str, context: dict, language: str, sensitive=False, agency=None
) -> OutboxMessage:
    """Render templates/emails/<template>.subject.txt|.txt|.html in `language` and queue it."""
    with translation.override(language):
        subject = render_to_string(f"emails/{template}.subject.txt", context)
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return message_enqueue(
        to=to, subject=subject, text=text, html=html, sensitive=sensitive, agency=agency
    )


def message_enqueue(
    *, to: str, subject: str, text: str, html: str = "", sensitive=False, agency=None
) -> OutboxMessage:
    """Queue an email already written; it leaves after the current transaction commits."""
    message = OutboxMessage.objects.create(
        to=to,
        subject=" ".join(subject.split())[:200],
        body_text=text,
        body_html=html,
        sensitive=sensitive,
        agency=agency,
    )
    transaction.on_commit(_send_soon)
    return message


def _send_soon():
    """Ask the worker to send now; if Redis is down, the periodic job sends it later."""
    from ipv.notifications.tasks import send_due_messages

    try:
        send_due_messages.delay()
    except Exception:  # the broker is unreachable: the outbox keeps the message
        logger.warning("outbox: could not reach the broker; the periodic job will send")


def send_due(limit: int = 100) -> int:
    """Send due messages once each, even with two workers at it (row locks, skip locked)."""
    from django.core.mail import EmailMultiAlternatives
    from django.utils import timezone

    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            message = (
                OutboxMessage.objects.due()
                .select_for_update(skip_locked=True)
                .order_by("send_after", "pk")
                .first()
            )
            if message is None:
                break
            email = EmailMultiAlternatives(message.subject, message.body_text, to=[message.to])
            if message.body_html:
                email.attach_alternative(message.body_html, "text/html")
            message.attempts += 1
            try:
                email.send()
            except Exception as error:
                message.last_error = f"{type(error).__name__}"[:300]
                # Try again later, further apart each time (1, 2, 4… minutes, at most an hour).
                message.send_after = timezone.now() + timezone.timedelta(
                    minutes=min(60, 2 ** (message.attempts - 1))
                )
                message.save(update_fields=["attempts", "last_error", "send_after"])
                logger.warning("outbox: message %s not sent (%s)", message.pk, message.last_error)
                continue
            message.sent_at = timezone.now()
            if message.sensitive:
                message.body_text = message.body_html = ""
            message.save()
            sent += 1
    return sent
