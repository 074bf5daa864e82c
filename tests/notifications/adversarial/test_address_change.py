"""A participant's address or number corrected after a reminder was written: the reminder
goes to the new one, or nowhere, never to the old (it may now be someone else's)."""

import pytest

from ipv.notifications.models import OutboxMessage
from referrals.services.referrals import participant_update
from sessions_app.services.reminders import session_reminders_prepare

pytestmark = pytest.mark.django_db


def _pending():
    return {
        message.channel: message
        for message in OutboxMessage.objects.filter(kind="session_reminder", state="pending")
    }


def test_a_new_address_and_number_take_the_reminders_already_written(enrolled):
    world = enrolled
    assert session_reminders_prepare() == 2
    participant_update(
        participant=world.referral.participant,
        by=world["intake"],
        email="new.address@example.org",
        phone="613-555-0177",
    )
    pending = _pending()
    assert pending["email"].to == "new.address@example.org"
    assert pending["sms"].to == "+16135550177"


def test_a_number_removed_leaves_the_text_unsent(enrolled):
    world = enrolled
    assert session_reminders_prepare() == 2
    participant_update(participant=world.referral.participant, by=world["intake"], phone="")
    assert set(_pending()) == {"email"}
    text = OutboxMessage.objects.get(kind="session_reminder", channel="sms")
    assert (text.state, text.to) == ("cancelled", "")
