"""The Outgoing messages page passes axe-core with rows in both tables, in French and English,
and its Send again buttons are reached and used from the keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ipv.notifications.models import OutboxMessage
from tests.e2e.test_signed_in_pages import sign_in


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_outgoing_messages_page_passes_axe(
    page, live_server, world, assert_accessible, language
):
    now = timezone.now()
    failed = OutboxMessage.objects.create(
        key="participant:1:sms:session:1",
        agency=world.agency,
        kind="session_reminder",
        audience="participant",
        channel="sms",
        to="+16135550142",
        state="failed",
        attempts=8,
        last_error="NoTextProvider",
    )
    OutboxMessage.objects.create(
        key="victim:1:sms:update:1",
        agency=world.agency,
        kind="victim_update",
        audience="victim",
        channel="sms",
        to="+16135550199",
        state="pending",
        attempts=2,
        last_error="ConnectionError",
        send_after=now - timedelta(hours=1),
    )
    sign_in(page, live_server.url, "manager@riviere.test", language)
    page.goto(f"{live_server.url}/{language}/a/{world.agency.slug}/messages/")
    assert_accessible(page)
    button = page.locator("main form button[type=submit]").first
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    assert_accessible(page)
    failed.refresh_from_db()
    # The tests' worker runs at once (eager): the message went.
    assert failed.state == "sent"
