"""The outbox in the admin: read-only; the list shows codes and counts, never an address or a
body; a victim's message shows neither on its page; failed messages are sent again by an
action, which the trail records."""

import pytest

from ipv.audit.models import AuditEvent
from ipv.audit.services import Action
from ipv.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

LIST = "/en/admin/notifications/outboxmessage/"


def _message(world, key, **fields):
    values = {
        "agency": world.agency,
        "kind": "session_reminder",
        "audience": "participant",
        "channel": "sms",
        "to": "+16135550142",
        "subject": "",
        "body_text": "Rappel : séance mardi à 18 h 30, 100 Main Street.",
        "state": "failed",
        "attempts": 8,
        "last_error": "NoTextProvider",
        **fields,
    }
    return OutboxMessage.objects.create(key=key, **values)


@pytest.fixture
def signed_in(client, world):
    client.force_login(world["admin"])
    return client


def test_the_list_shows_codes_and_counts_never_an_address_or_a_body(signed_in, world):
    _message(world, "participant:41:sms:session:812")
    html = signed_in.get(LIST).content.decode()
    assert "participant:41:sms:session:812" in html
    assert "NoTextProvider" in html
    for hidden in ("6135550142", "Main Street", "Rappel"):
        assert hidden not in html


def test_the_list_is_searched_by_key_only(signed_in, world):
    _message(world, "participant:41:sms:session:812")
    assert "participant:41" in signed_in.get(LIST, {"q": "session:812"}).content.decode()
    # The encrypted fields are not searched (nor searchable).
    assert "participant:41" not in signed_in.get(LIST, {"q": "Main"}).content.decode()


def test_it_is_read_only(signed_in, world):
    message = _message(world, "participant:41:sms:session:812")
    assert signed_in.get(LIST + "add/").status_code == 403
    assert signed_in.get(f"{LIST}{message.pk}/delete/").status_code == 403
    page = signed_in.post(f"{LIST}{message.pk}/change/", {"state": "sent"})
    assert page.status_code == 403
    message.refresh_from_db()
    assert message.state == "failed"


def test_a_victims_message_shows_neither_its_address_nor_what_it_says(signed_in, world):
    victim = _message(
        world, "victim:9:sms:update:1", audience="victim", to="+16135550199", body_text="Hortense"
    )
    participant = _message(world, "participant:41:sms:session:812")
    html = signed_in.get(f"{LIST}{victim.pk}/change/").content.decode()
    assert "victim:9:sms:update:1" in html
    assert "0199" not in html
    assert "Hortense" not in html
    # Positive control: a participant's message shows them on its page.
    html = signed_in.get(f"{LIST}{participant.pk}/change/").content.decode()
    assert "+16135550142" in html
    assert "Main Street" in html


def test_the_send_again_action_puts_failed_messages_back_in_line(signed_in, world):
    failed = _message(world, "participant:41:sms:session:812")
    sent = _message(
        world, "participant:41:sms:session:813", state="sent", sent_at=failed.created_at
    )
    response = signed_in.post(
        LIST,
        {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert "1 message will be sent again." in response.content.decode()
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.state, failed.attempts, failed.retried_by) == ("pending", 0, world["admin"])
    assert sent.state == "sent"
    changed = AuditEvent.objects.filter(
        action=Action.ADMIN_CHANGED, target_type="notifications.outboxmessage"
    )
    assert {event.target_id for event in changed} == {str(failed.pk), str(sent.pk)}
    assert all(event.agency == world.agency for event in changed)


def test_opening_a_message_is_recorded_in_its_agencys_trail(signed_in, world):
    message = _message(world, "participant:41:sms:session:812")
    signed_in.get(f"{LIST}{message.pk}/change/")
    event = AuditEvent.objects.get(action=Action.ADMIN_VIEWED, target_id=str(message.pk))
    assert event.agency == world.agency
    assert "6135550142" not in event.target_label
