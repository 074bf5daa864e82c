"""Benchmark work of the outbox: one worker sending 10,000 messages through the in-memory
backends (Django's locmem email, django-sms's locmem), half emails and half texts. What is timed
is the worker's share: claiming batches, decrypting, building each email, the backend's call and
recording each message as sent. The messages are written again, untimed, before each run."""

from datetime import timedelta

import sms
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from ipv.notifications.models import Audience, Channel, Kind, OutboxMessage
from ipv.notifications.sending import send_due

MESSAGES = 10_000
PREFIX = "bench:send:"
IN_MEMORY = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SMS_BACKEND": "sms.backends.locmem.SmsBackend",
}

SUBJECT = "Rappel\u00a0: votre rencontre de groupe demain à 18\u00a0h\u00a030"
TEXT = (
    "Bonjour,\n\nVotre prochaine rencontre de groupe a lieu demain, mardi 1er décembre, à "
    "18\u00a0h\u00a030, au 1200, chemin de Montréal, salle 2.\n\n"
    "Pour nous joindre\u00a0: 613 555-0100.\n\n"
    "Pour ne plus recevoir de rappels par courriel\u00a0: https://ipv.example.org/fr/reminders/stop/"
    "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/\n"
)
HTML = "<!doctype html><html lang=fr><body>" + "<p>" + TEXT.replace("\n\n", "</p><p>") + "</p>"
HTML += "</body></html>"
SMS_TEXT = "Rappel : rencontre demain, mardi 1er décembre, à 18 h 30, 1200, chemin de Montréal."


def _write() -> None:
    """MESSAGES messages due, older than anything else the bench database holds (so that they
    are the ones sent), and empty in-memory outboxes."""
    OutboxMessage.objects.filter(key__startswith=PREFIX).delete()
    due = timezone.now() - timedelta(days=365)
    OutboxMessage.objects.bulk_create(
        (
            OutboxMessage(
                key=f"{PREFIX}{n:05d}",
                kind=Kind.SESSION_REMINDER,
                audience=Audience.PARTICIPANT,
                channel=Channel.EMAIL if n % 2 else Channel.SMS,
                to=f"person{n}@example.org" if n % 2 else f"+1613555{n % 10_000:04d}",
                subject=SUBJECT if n % 2 else "",
                body_text=TEXT if n % 2 else SMS_TEXT,
                body_html=HTML if n % 2 else "",
                segments=None if n % 2 else 1,
                sensitive=True,
                send_after=due,
            )
            for n in range(MESSAGES)
        ),
        batch_size=2_000,
    )
    mail.outbox = []
    sms.outbox = []


def _send() -> None:
    with override_settings(**IN_MEMORY):
        outcome = send_due(limit=MESSAGES)
    if outcome.sent != MESSAGES or len(mail.outbox) + len(sms.outbox) != MESSAGES:
        raise RuntimeError(f"sent {outcome} of {MESSAGES}")


def seed() -> dict:
    return {"outbox_messages": OutboxMessage.objects.count()}


def pages() -> list[tuple]:
    return []


def work() -> list[tuple]:
    """Sending is timed per run of MESSAGES, and reported as messages per second."""
    return [
        (
            f"send {MESSAGES:,} messages (in-memory backends)",
            _send,
            {"setup": _write, "runs": 3, "warm": 1, "items": MESSAGES},
        )
    ]
