"""A victim's number or address corrected while an update waits for a safe moment: the update
written for the old one does not go to it (the person may have changed number because someone
else has the old phone). It is held back, a task for the partner-contact worker."""

import pytest

from ipv.notifications.sending import send_due
from tests.victims.messages.conftest import allow, consume, messages_to, tasks_of
from victims.services.outreach import person_update

pytestmark = pytest.mark.django_db

THURSDAY = [3]


@pytest.mark.parametrize(
    "change", [{"phone": "613-555-0177"}, {"email": "new@example.org", "phone": ""}]
)
def test_a_new_number_or_address_holds_back_the_waiting_update(world, referral, sophie, change):
    allow(world, sophie, safe_days=THURSDAY, channels=["text", "email"])
    consume()
    (waiting,) = messages_to(sophie)
    assert waiting.state == "pending"  # the control: it would have gone
    old = waiting.to

    person_update(victim=sophie, by=world["partner_contact"], **change)

    (message,) = messages_to(sophie)
    assert message.state == "cancelled"
    assert message.to == ""
    assert [task.message_key for task in tasks_of(referral) if task.message_key] == [waiting.key]
    send_due()
    assert old not in [message.to for message in messages_to(sophie)]


def test_a_correction_that_changes_no_address_holds_nothing_back(world, referral, sophie):
    allow(world, sophie, safe_days=THURSDAY)
    consume()
    person_update(victim=sophie, by=world["partner_contact"], interpreter="")
    (message,) = messages_to(sophie)
    assert message.state == "pending"
