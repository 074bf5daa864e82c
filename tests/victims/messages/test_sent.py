"""Once sent, the outbox keeps neither the person's number or address nor what was said; the
record keeps the automatic contact, and shows what became of the message."""

import pytest
import sms
from django.urls import reverse
from django.utils import translation

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
    with translation.override("en"):
        url = reverse("agency:outreach_person", args=[world.agency.slug, sophie.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Automatic message · Waiting" in page.content.decode()


def test_the_task_made_instead_says_why_on_the_record_and_the_home(client, world, referral, sophie):
    allow(world, sophie, safe_days=[])
    consume()
    client.force_login(world["partner_contact"])
    with translation.override("en"):
        pages = [
            reverse("agency:outreach_person", args=[world.agency.slug, sophie.pk]),
            reverse("agency:outreach_home", args=[world.agency.slug]),
        ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200
        assert "No message: no safe moment within 7 days" in page.content.decode(), url
