"""Each person's Notifications page: their own digest on or off; for a court liaison officer,
the court's messages at once, daily or off. What they turn off stops, a message already written
included."""

import pytest

from ipv.accounts.models import LiaisonProfile, User
from ipv.notifications.models import OutboxMessage
from ipv.pages.digests import staff_digests_prepare
from sessions_app.services.documents import court_report_issue

pytestmark = pytest.mark.django_db

URL = "/en/account/notifications/"


def test_it_requires_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_staff_member_sees_the_digest_choice_only(client, world):
    client.force_login(world["intake"])
    page = client.get(URL).content.decode()
    assert "Send me a morning digest by email" in page
    assert 'name="court_messages"' not in page


def test_a_staff_member_turns_the_digest_off_and_todays_is_cancelled(client, scene):
    world = scene
    staff_digests_prepare()
    [waiting] = OutboxMessage.objects.filter(key__startswith=f"staff:{world['intake'].pk}:digest:")
    client.force_login(world["intake"])
    response = client.post(URL, {})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert User.objects.get(pk=world["intake"].pk).digest_enabled is False
    waiting.refresh_from_db()
    assert waiting.state == "cancelled"
    # Another person's digest, the same morning, still goes.
    other = OutboxMessage.objects.get(key__startswith=f"staff:{world['manager'].pk}:digest:")
    assert other.state == "pending"


def test_turning_it_back_on_brings_the_next_digest(client, world):
    User.objects.filter(pk=world["intake"].pk).update(digest_enabled=False)
    client.force_login(world["intake"])
    assert client.post(URL, {"digest_enabled": "on"}).status_code == 302
    assert User.objects.get(pk=world["intake"].pk).digest_enabled is True


def test_an_officer_chooses_daily_and_the_waiting_message_is_cancelled(client, world):
    officer = world["liaison"]
    report = court_report_issue(referral=world.referral, kind="progress", by=world["intake"])
    [waiting] = OutboxMessage.objects.filter(key__startswith=f"court:{officer.pk}:document:")
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert 'name="court_messages"' in page
    response = client.post(URL, {"court_messages": "daily"})
    assert response.status_code == 302
    assert LiaisonProfile.objects.get(user=officer).court_messages == "daily"
    waiting.refresh_from_db()
    assert waiting.state == "cancelled"
    assert report.pk


def test_an_unknown_choice_is_refused(client, world):
    client.force_login(world["liaison"])
    response = client.post(URL, {"court_messages": "hourly"})
    assert response.status_code == 400
    assert LiaisonProfile.objects.get(user=world["liaison"]).court_messages == "immediate"
