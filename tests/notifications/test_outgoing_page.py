"""The Outgoing messages page: an agency's failed and late messages, for its managers, with
addresses masked, victims' hidden, and a button that sends a failed one again."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipv.audit.models import AuditEvent
from ipv.notifications.models import OutboxMessage
from ipv.notifications.selectors import failure_reason, masked

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _message(agency, key, *, state="failed", written=NOW, due=None, **fields):
    values = {
        "kind": "session_reminder",
        "audience": "participant",
        "channel": "email",
        "to": "jane.doe@example.org",
        "subject": "Votre séance de demain",
        "body_text": "Mardi à 18 h 30, 100 Main Street.",
        "attempts": 8,
        "last_error": "SMTPRecipientsRefused",
        **fields,
    }
    return OutboxMessage.objects.create(
        key=key,
        agency=agency,
        state=state,
        created_at=written,
        send_after=due or written,
        **values,
    )


def _url(world, suffix=""):
    return f"/en/a/{world.agency.slug}/messages/{suffix}"


def _page(client, world, person="manager"):
    client.force_login(world[person])
    response = client.get(_url(world))
    assert response.status_code == 200
    return response.content.decode()


def test_it_asks_anonymous_people_to_sign_in(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")


@pytest.mark.parametrize("person", ["intake", "facilitator", "partner_contact"])
def test_it_is_for_managers_only(client, world, person):
    client.force_login(world[person])
    assert client.get(_url(world)).status_code == 403


def test_another_agencys_manager_gets_404(client, world):
    client.force_login(world["other_manager"])
    assert client.get(_url(world)).status_code == 404


def test_it_lists_the_agencys_failed_messages_newest_first_with_masked_addresses(
    client, world, clock
):
    _message(world.agency, "participant:1:email:a", written=NOW - timedelta(hours=3))
    _message(
        world.agency,
        "participant:1:sms:b",
        channel="sms",
        to="+16135550142",
        written=NOW - timedelta(hours=1),
        last_error="NoTextProvider",
    )
    _message(world.other_agency, "participant:2:email:c", to="other@example.org")
    _message(world.agency, "participant:1:email:sent", state="sent", sent_at=NOW, to="s@x.org")
    html = _page(client, world)
    assert html.index("•••-0142") < html.index("j•••@example.org")  # newest first
    assert "No text message provider is configured" in html
    assert "The address was refused" in html
    for hidden in ("jane.doe", "6135550142", "613-555-0142", "o•••@example.org", "s•••@x.org"):
        assert hidden not in html
    # Never what a message says.
    assert "Votre séance" not in html
    assert "Main Street" not in html


def test_a_victims_address_is_not_shown_at_all(client, world, clock):
    _message(world.agency, "victim:9:sms:a", audience="victim", channel="sms", to="+16135550199")
    _message(world.agency, "participant:1:sms:a", channel="sms", to="+16135550142")
    html = _page(client, world)
    assert "•••-0142" in html  # positive control: a participant's number is shown masked
    assert "0199" not in html
    assert "Confidential store" in html


def test_a_manager_granted_the_confidential_store_sees_a_victims_address_masked(
    client, world, clock
):
    world.agency.managers_see_confidential = True
    world.agency.save(update_fields=["managers_see_confidential"])
    _message(world.agency, "victim:9:sms:a", audience="victim", channel="sms", to="+16135550199")
    html = _page(client, world)
    assert "•••-0199" in html
    assert "6135550199" not in html
    assert "Confidential store" not in html


def test_messages_waiting_over_15_minutes_past_their_time_are_listed_apart(client, world, clock):
    _message(
        world.agency,
        "participant:1:email:late",
        state="pending",
        attempts=2,
        last_error="ConnectionRefusedError",
        to="late@example.org",
        due=NOW - timedelta(minutes=16),
    )
    _message(
        world.agency,
        "participant:1:email:soon",
        state="pending",
        attempts=0,
        last_error="",
        to="soon@example.org",
        due=NOW - timedelta(minutes=14),
    )
    html = _page(client, world)
    late = html[html.index('id="late-heading"') :]
    assert "l•••@example.org" in late
    assert "The provider could not be reached" in late
    assert "s•••@example.org" not in html
    assert "Every message has been sent or is on its way." in html


def test_send_again_puts_a_failed_message_back_in_line_and_records_it(client, world, clock):
    message = _message(world.agency, "participant:1:email:a")
    client.force_login(world["manager"])
    response = client.post(_url(world, f"{message.pk}/send-again/"))
    assert response.status_code == 302
    assert response["Location"] == _url(world)
    message.refresh_from_db()
    assert (message.state, message.attempts, message.retried_by) == (
        "pending",
        0,
        world["manager"],
    )
    event = AuditEvent.objects.get(target_type="notifications.outboxmessage")
    assert (event.actor, event.agency, event.target_id) == (
        world["manager"],
        world.agency,
        str(message.pk),
    )
    assert event.details == {"event": "message_retried"}
    assert "jane" not in event.target_label


def test_a_message_that_is_not_failed_is_not_sent_again(client, world, clock):
    message = _message(world.agency, "participant:1:email:a", state="sent", sent_at=NOW)
    client.force_login(world["manager"])
    response = client.post(_url(world, f"{message.pk}/send-again/"), follow=True)
    assert "Only a failed message can be sent again." in response.content.decode()
    message.refresh_from_db()
    assert message.state == "sent"
    assert not AuditEvent.objects.filter(target_type="notifications.outboxmessage").exists()


def test_another_agencys_message_answers_404_and_stays_failed(client, world, clock):
    message = _message(world.other_agency, "participant:2:email:a")
    client.force_login(world["manager"])
    assert client.post(_url(world, f"{message.pk}/send-again/")).status_code == 404
    message.refresh_from_db()
    assert message.state == "failed"


def test_send_again_is_post_only_and_for_managers_only(client, world, clock):
    message = _message(world.agency, "participant:1:email:a")
    client.force_login(world["manager"])
    assert client.get(_url(world, f"{message.pk}/send-again/")).status_code == 405
    client.force_login(world["intake"])
    assert client.post(_url(world, f"{message.pk}/send-again/")).status_code == 403
    message.refresh_from_db()
    assert message.state == "failed"


def test_each_row_has_its_own_labelled_button(client, world, clock):
    first = _message(world.agency, "participant:1:email:a")
    second = _message(world.agency, "participant:1:email:b", written=NOW - timedelta(days=1))
    html = _page(client, world)
    assert "<caption>" in html
    for message in (first, second):
        assert f'aria-describedby="failed-{message.pk}"' in html
        assert f'<th scope="row" id="failed-{message.pk}">' in html


def test_the_page_runs_a_constant_number_of_queries(client, world, clock):
    client.force_login(world["manager"])
    for number in range(2):
        _message(world.agency, f"participant:1:email:{number}")
        _message(
            world.agency,
            f"victim:1:sms:{number}",
            audience="victim",
            channel="sms",
            to="+16135550142",
        )
        _message(
            world.agency,
            f"participant:1:email:late:{number}",
            state="pending",
            due=NOW - timedelta(hours=1),
        )
    client.get(_url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(world))
    for number in range(2, 40):
        _message(world.agency, f"participant:1:email:{number}")
        _message(
            world.agency,
            f"victim:1:sms:{number}",
            audience="victim",
            channel="sms",
            to="+16135550142",
        )
        _message(
            world.agency,
            f"participant:1:email:late:{number}",
            state="pending",
            due=NOW - timedelta(hours=1),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url(world))
    # A row each (a victim's message has no Send again button: it became a task).
    assert response.content.decode().count('scope="row" id="failed-') >= 40
    assert len(few) == len(many), "\n".join(query["sql"] for query in many.captured_queries)


def test_managers_find_it_from_their_home_and_others_do_not(client, world):
    client.force_login(world["manager"])
    assert _url(world) in client.get(f"/en/a/{world.agency.slug}/").content.decode()
    client.force_login(world["intake"])
    assert _url(world) not in client.get(f"/en/a/{world.agency.slug}/").content.decode()


def test_the_page_reads_in_the_readers_language(client, world, clock):
    _message(world.agency, "participant:1:email:a", channel="email")
    client.force_login(world["manager"])
    english = client.get(_url(world)).content.decode()
    french = client.get(f"/fr/a/{world.agency.slug}/messages/").content.decode()
    # "Email" and "Participant" are in the catalogue already; the page's own words are
    # checked in French once they are translated (at the merge).
    assert "<td>Email</td>" in english
    assert "<td>Courriel</td>" in french


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("NoTextProvider", "No text message provider is configured"),
        ("SMTPRecipientsRefused", "The address was refused"),
        ("ConnectionError", "The provider could not be reached"),
        ("ConnectionRefusedError", "The provider could not be reached"),
        ("TimeoutError", "The provider could not be reached"),
        ("ReadTimeout", "The provider could not be reached"),
        ("TwilioRestException", "The provider refused the message"),
        ("RuntimeError", "The provider refused the message"),
    ],
)
def test_each_error_reads_as_a_reason(error, reason, english):
    assert str(failure_reason(error)) == reason


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("jane.doe@example.org", "j•••@example.org"),
        ("+16135550142", "•••-0142"),
        ("12", "•••"),
        ("", ""),
    ],
)
def test_addresses_are_masked(address, shown):
    assert masked(address) == shown
