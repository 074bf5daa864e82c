"""A victim's message that failed is not sent again by a manager's button or the admin's
action: the rules it was written under may have changed since (do not contact), and it became
a task for the partner-contact worker. Sent, its headers say nothing of what it is about."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from ipv.notifications.models import OutboxMessage
from ipv.notifications.sending import send_due

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _failed(world, key, audience):
    return OutboxMessage.objects.create(
        key=key,
        kind="victim_update" if audience == "victim" else "session_reminder",
        audience=audience,
        channel="email",
        to="hortense@example.org",
        subject="A message for you",
        body_text="Please call 613-555-0100 when it is safe for you.",
        agency=world.agency,
        state="failed",
        attempts=8,
        last_error="SMTPRecipientsRefused",
    )


def test_a_manager_cannot_send_a_victims_failed_message_again(client, world):
    victim = _failed(world, "victim:9:email:update:1", "victim")
    participant = _failed(world, "participant:4:email:make_up:1", "participant")
    client.force_login(world["manager"])
    page = client.get(f"/en/a/{world.agency.slug}/messages/").content.decode()
    assert f"/messages/{participant.pk}/send-again/" in page
    assert f"/messages/{victim.pk}/send-again/" not in page

    response = client.post(f"/en/a/{world.agency.slug}/messages/{victim.pk}/send-again/")

    assert response.status_code == 302
    victim.refresh_from_db()
    assert (victim.state, victim.attempts, victim.retried_by) == ("failed", 8, None)
    send_due()
    assert mail.outbox == []


def test_the_admins_action_leaves_a_victims_failed_message_alone(client, world):
    victim = _failed(world, "victim:9:email:update:1", "victim")
    participant = _failed(world, "participant:4:email:make_up:1", "participant")
    client.force_login(world["admin"])
    client.post(
        "/en/admin/notifications/outboxmessage/",
        {"action": "send_again", "_selected_action": [victim.pk, participant.pk]},
    )
    victim.refresh_from_db()
    participant.refresh_from_db()
    assert victim.state == "failed"
    assert participant.state in ("pending", "sending", "sent")


def test_a_victims_email_headers_do_not_name_the_program_or_say_victim(settings):
    settings.DEFAULT_FROM_EMAIL = "Programme IPV <no-reply@example.org>"
    settings.NEUTRAL_FROM_EMAIL = "no-reply@example.org"
    OutboxMessage.objects.create(
        key="victim:9:email:update:1",
        kind="victim_update",
        audience="victim",
        channel="email",
        to="hortense@example.org",
        subject="A message for you",
        body_text="Please call 613-555-0100 when it is safe for you.",
        send_after=NOW - timedelta(minutes=1),
    )
    send_due(now=NOW)
    (email,) = mail.outbox
    headers = email.message().as_string().split("\n\n", 1)[0]
    assert "victim" not in headers.lower()
    assert "IPV" not in headers
    assert email.from_email == "no-reply@example.org"
    assert email.extra_headers["Message-ID"].endswith("@example.org>")
