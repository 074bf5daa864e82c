"""Once sent, the outbox keeps neither the person's number or address nor what was said; the
record keeps the automatic contact, and shows what became of the message."""

import pytest
import sms
from django.urls import reverse

from ipv.notifications.sending import send_due
from tests.victims.messages.conftest import NOW, allow, consume, contacts_of, messages_to

pytestmark = pytest.mark.django_db


def test_the_text_goes_to_her_and_the_outbox_forgets_it(world, referral, sophie):
    allow(world, sophie)
    consume()
    assert send_due(now=NOW).sent == 1
    (text,) = sms.outbox
    assert text.recipients == ["+16135550142"]
    assert "613-555-" in text.body
    (message,) = messages_to(sophie)
    assert message.state == "sent"
    assert (message.to, message.subject, message.body_text, message.body_html) == ("", "", "", "")
    (contact,) = contacts_of(sophie)
    assert contact.automatic and contact.note == ""


def test_the_record_shows_the_automatic_message_and_its_state(client, world, referral, sophie):
    allow(world, sophie)
    consume()
    client.force_login(world["partner_contact"])
    url = reverse(
        "agency:outreach_person", kwargs={"agency_slug": world.agency.slug, "pk": sophie.pk}
    )
    page = client.get(url.replace("/fr/", "/en/", 1), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Automatic message · Waiting" in page.content.decode()
