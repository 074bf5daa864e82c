"""Writing to the outbox: one message per key, rendered in the recipient's language, texts
only to Canadian mobile numbers and within four segments; cancelling by key prefix; sending
a failed message again; the next moment inside quiet hours."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from ipv.notifications import services
from ipv.notifications.models import OutboxMessage
from ipv.notifications.services import (
    Draft,
    message_retry,
    messages_cancel,
    messages_write,
    within_hours,
)

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TORONTO = ZoneInfo("America/Toronto")
UNLOCK = {"user": {"full_name": "Jeanne Doe"}, "url": "https://ipv.test/u/abc", "hours": 2}


def _draft(key, **fields):
    values = {
        "channel": "email",
        "to": "jane@example.org",
        "template": "sign_in_unlock",
        "context": UNLOCK,
        "language": "fr",
        "kind": "sign_in_unlock",
        **fields,
    }
    return Draft(key=key, **values)


@pytest.fixture
def text_body(monkeypatch):
    """Texts' templates belong to the reminders; here a body of one's choosing."""
    body = {"text": "Rappel : séance mardi à 18 h 30."}
    monkeypatch.setattr(services, "render_text", lambda template, context, language: body["text"])
    return body


@pytest.mark.django_db
def test_a_key_written_twice_is_one_message(django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks() as woken:
            assert messages_write([_draft("account:unlock:1")]) == 1
        assert messages_write([_draft("account:unlock:1"), _draft("account:unlock:2")]) == 1
    assert len(woken) == 1
    assert OutboxMessage.objects.filter(key__startswith="account:unlock:").count() == 2
    assert messages_write([]) == 0


@pytest.mark.django_db
def test_an_email_is_rendered_in_the_recipients_language_and_encrypted(english):
    messages_write([_draft("account:unlock:1", language="fr")])
    message = OutboxMessage.objects.get(key="account:unlock:1")
    assert message.subject == "Votre connexion est suspendue\xa0: débloquez-la"
    assert "Jeanne Doe" in message.body_text
    assert 'lang="fr"' in message.body_html
    assert (message.state, message.segments, message.channel) == ("pending", None, "email")
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "to", subject FROM notifications_outboxmessage WHERE id = %s', [message.pk]
        )
        stored = cursor.fetchone()
    assert "jane@example.org" not in stored[0]
    assert "suspendue" not in stored[1]


@pytest.mark.django_db
def test_a_text_goes_to_a_canadian_mobile_number_in_e164_with_its_segments(text_body):
    messages_write([_draft("participant:41:sms:session:812", channel="sms", to="613-555-0142")])
    message = OutboxMessage.objects.get(key="participant:41:sms:session:812")
    assert (message.to, message.segments, message.subject) == ("+16135550142", 1, "")
    assert message.body_text == "Rappel : séance mardi à 18 h 30."


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["1-800-555-0199", "+33 6 12 34 56 78", "613-555-014"])
def test_a_text_to_any_other_number_is_refused_and_nothing_is_written(text_body, number):
    with pytest.raises(ValidationError) as refused:
        messages_write(
            [
                _draft("participant:41:sms:a", channel="sms", to="613-555-0142"),
                _draft("participant:41:sms:b", channel="sms", to=number),
            ]
        )
    assert refused.value.code == "number"
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_text_over_four_segments_is_refused_and_four_fit(text_body):
    text_body["text"] = "a" * 153 * 4
    assert messages_write([_draft("participant:41:sms:a", channel="sms", to="6135550142")]) == 1
    assert OutboxMessage.objects.get(key="participant:41:sms:a").segments == 4
    text_body["text"] = "a" * (153 * 4 + 1)
    with pytest.raises(ValidationError) as refused:
        messages_write([_draft("participant:41:sms:b", channel="sms", to="6135550142")])
    assert refused.value.code == "too_long"


@pytest.mark.django_db
def test_cancelling_by_prefix_stops_those_waiting_and_nothing_else():
    def make(key, state="pending", **fields):
        return OutboxMessage.objects.create(
            key=key, state=state, to="+16135550142", body_text="Rappel", **fields
        )

    waiting = make("participant:41:sms:session:812")
    later = make("participant:41:sms:make_up:5", send_after=NOW + timedelta(days=2))
    email = make("participant:41:email:session:812")
    other = make("participant:410:sms:session:812")
    being_sent = make(
        "participant:41:sms:session:811", state="sending", lease_until=NOW + timedelta(minutes=5)
    )
    sent = make("participant:41:sms:session:810", state="sent", sent_at=NOW)
    assert messages_cancel(key_prefix="participant:41:sms:", reason="consent_withdrawn") == 2
    for message in (waiting, later):
        message.refresh_from_db()
        assert (message.state, message.last_error) == ("cancelled", "consent_withdrawn")
        assert (message.to, message.body_text) == ("", "")
    for message, state in ((email, "pending"), (other, "pending"), (being_sent, "sending")):
        message.refresh_from_db()
        assert message.state == state
        assert message.body_text == "Rappel"
    sent.refresh_from_db()
    assert sent.state == "sent"


@pytest.mark.django_db
def test_only_a_failed_message_can_be_sent_again(world):
    with time_machine.travel(NOW, tick=False):
        failed = OutboxMessage.objects.create(
            key="account:1", state="failed", attempts=8, send_after=NOW - timedelta(days=1)
        )
        message_retry(message=failed, by=world["manager"])
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.send_after) == ("pending", 0, NOW)
    assert failed.retried_by == world["manager"]
    for state in ("pending", "sending", "sent", "cancelled"):
        message = OutboxMessage.objects.create(
            key=f"account:{state}",
            state=state,
            attempts=3,
            lease_until=NOW if state == "sending" else None,
            sent_at=NOW if state == "sent" else None,
        )
        with pytest.raises(ValidationError):
            message_retry(message=message, by=world["manager"])
        message.refresh_from_db()
        assert (message.state, message.attempts) == (state, 3)


def _local(*args):
    return datetime(*args, tzinfo=TORONTO)


DAY = (time(8), time(20))
NIGHT = (time(22), time(6))


@pytest.mark.parametrize(
    ("moment", "hours", "expected"),
    [
        # Inside: now.
        (_local(2026, 12, 1, 10, 0), DAY, _local(2026, 12, 1, 10, 0)),
        (_local(2026, 12, 1, 8, 0), DAY, _local(2026, 12, 1, 8, 0)),
        # Before the hours open: when they open; after they close (the end is out): tomorrow.
        (_local(2026, 12, 1, 7, 59), DAY, _local(2026, 12, 1, 8, 0)),
        (_local(2026, 12, 1, 20, 0), DAY, _local(2026, 12, 2, 8, 0)),
        (_local(2026, 12, 1, 23, 30), DAY, _local(2026, 12, 2, 8, 0)),
        # Hours across midnight.
        (_local(2026, 12, 1, 23, 0), NIGHT, _local(2026, 12, 1, 23, 0)),
        (_local(2026, 12, 2, 3, 0), NIGHT, _local(2026, 12, 2, 3, 0)),
        (_local(2026, 12, 1, 12, 0), NIGHT, _local(2026, 12, 1, 22, 0)),
        (_local(2026, 12, 2, 6, 0), NIGHT, _local(2026, 12, 2, 22, 0)),
        # Clocks go forward (8 March 2026) and back (1 November 2026): 8:00 is local time.
        (_local(2026, 3, 8, 1, 0), DAY, datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        (_local(2026, 3, 7, 21, 0), DAY, datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        (_local(2026, 10, 31, 21, 0), DAY, datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
        # No quiet hours: always.
        (_local(2026, 12, 1, 3, 0), (time(8), time(8)), _local(2026, 12, 1, 3, 0)),
    ],
)
def test_within_hours(moment, hours, expected):
    assert within_hours(moment.astimezone(UTC), *hours) == expected
