"""The data migration that gave the messages written before keys a key, a state, and their
words encrypted (notifications 0002)."""

import importlib
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from ipv.notifications.models import OutboxMessage

migration = importlib.import_module("ipv.notifications.migrations.0002_messaging")

WRITTEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _old_row(key, to, subject, body, sent_at=None):
    """A row as 0001 left it: its words in plain text."""
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO notifications_outboxmessage (key, kind, audience, channel, "to", '
            "subject, body_text, body_html, sensitive, state, created_at, send_after, "
            "attempts, last_error, sent_at) VALUES (%s, 'account', 'account', 'email', %s, %s, "
            "%s, '', false, 'pending', %s, %s, 0, '', %s) RETURNING id",
            [key, to, subject, body, WRITTEN, WRITTEN, sent_at],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_old_messages_get_a_key_a_state_and_their_words_encrypted():
    waiting = _old_row("old-1", "jane@example.org", "Votre invitation", "Bonjour Jeanne,")
    sent = _old_row("old-2", "paul@example.org", "Déblocage", "Bonjour Paul,", sent_at=WRITTEN)
    migration.existing_messages(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "to", body_text FROM notifications_outboxmessage WHERE id = %s', [waiting]
        )
        stored_to, stored_body = cursor.fetchone()
    assert "jane@example.org" not in stored_to
    assert "Jeanne" not in stored_body
    waiting, sent = OutboxMessage.objects.get(pk=waiting), OutboxMessage.objects.get(pk=sent)
    assert (waiting.key, waiting.state) == (f"account:{waiting.pk}", "pending")
    assert (waiting.to, waiting.subject, waiting.body_text) == (
        "jane@example.org",
        "Votre invitation",
        "Bonjour Jeanne,",
    )
    assert (sent.key, sent.state, sent.to) == (f"account:{sent.pk}", "sent", "paul@example.org")
