"""Sending the outbox: each message once whatever the number of workers, no lock held while a
provider answers, retries further apart, failure after the last attempt, and what a person
said erased once it is sent."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sms
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, connection, transaction

from ipv.notifications import sending
from ipv.notifications.models import OutboxMessage
from ipv.notifications.sending import message_id, send_due
from tests.conftest import at_once

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _message(key, **fields):
    values = {
        "channel": "email",
        "to": "jane@example.org",
        "subject": "Votre séance de demain",
        "body_text": "Mardi à 18 h 30.",
        "body_html": "<p>Mardi à 18 h 30.</p>",
        "send_after": NOW - timedelta(minutes=1),
        "created_at": NOW - timedelta(minutes=1),
        **fields,
    }
    return OutboxMessage.objects.create(key=key, **values)


def _reload(message):
    return OutboxMessage.objects.get(pk=message.pk)


class Refusing(EmailBackend):
    """A provider that cannot be reached."""

    def send_messages(self, messages):
        raise ConnectionError("connection refused")


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"


@pytest.mark.django_db
def test_a_due_email_is_sent_once_and_recorded_with_a_message_id_from_its_key():
    message = _message("participant:41:email:session:812")
    later = _message("participant:41:email:session:813", send_after=NOW + timedelta(minutes=1))
    outcome = send_due(now=NOW)
    assert (outcome.sent, outcome.retried, outcome.failed, outcome.expired) == (1, 0, 0, 0)
    (email,) = mail.outbox
    assert email.to == ["jane@example.org"]
    assert email.subject == "Votre séance de demain"
    assert email.alternatives[0][0] == "<p>Mardi à 18 h 30.</p>"
    assert email.extra_headers["Message-ID"] == message_id("participant:41:email:session:812")
    # A digest of the key: the header names nobody, and every copy carries the same one.
    assert "participant" not in email.extra_headers["Message-ID"]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    message = _reload(message)
    assert (message.state, message.sent_at, message.attempts) == ("sent", NOW, 1)
    assert message.lease_until is None
    assert _reload(later).state == "pending"
    assert send_due(now=NOW).sent == 0  # run again: nothing more
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_text_goes_through_the_text_backend():
    _message("participant:41:sms:session:812", channel="sms", to="+16135550142", subject="")
    assert send_due(now=NOW).sent == 1
    (text,) = sms.outbox
    assert (text.recipients, text.body) == (["+16135550142"], "Mardi à 18 h 30.")
    assert mail.outbox == []


class Meeting(EmailBackend):
    """A provider whose first message from each worker waits for the other worker's: both
    hold a batch at the same moment."""

    meeting = None

    def send_messages(self, messages):
        if not getattr(self, "met", False):
            self.met = True
            Meeting.meeting.wait(timeout=10)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(settings):
    settings.EMAIL_BACKEND = f"{__name__}.Meeting"
    Meeting.meeting = threading.Barrier(2)
    for number in range(250):
        _message(
            f"participant:{number}:email:session:1", send_after=NOW - timedelta(seconds=number)
        )
    outcomes = at_once(lambda: send_due(now=NOW), lambda: send_due(now=NOW))
    assert sum(outcome.sent for outcome in outcomes) == 250
    assert all(outcome.sent >= sending.BATCH for outcome in outcomes)
    keys = [email.extra_headers["Message-ID"] for email in mail.outbox]
    assert len(keys) == len(set(keys)) == 250
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {("sent", 1)}


def _row_lock_free(pk) -> bool:
    """Whether another connection can lock the row right now, without waiting."""
    result = []

    def probe():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update(nowait=True).filter(pk=pk).exists()
            result.append(True)
        except OperationalError:
            result.append(False)
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=10)
    return result[0]


class Probing(EmailBackend):
    """A provider that, while it holds the message, checks from another connection that the
    outbox row is not locked."""

    free = []

    def send_messages(self, messages):
        pk = OutboxMessage.objects.get(key="participant:41:email:session:812").pk
        Probing.free.append(_row_lock_free(pk))
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_no_database_lock_is_held_while_the_provider_is_called(settings):
    settings.EMAIL_BACKEND = f"{__name__}.Probing"
    Probing.free = []
    message = _message("participant:41:email:session:812")
    # Positive control: a row locked by this connection is seen as locked by the probe.
    with transaction.atomic():
        OutboxMessage.objects.select_for_update().get(pk=message.pk)
        assert _row_lock_free(message.pk) is False
    assert send_due(now=NOW).sent == 1
    assert Probing.free == [True]


@pytest.mark.django_db
def test_a_failure_is_retried_after_1_then_2_then_4_minutes(refusing):
    message = _message("participant:41:email:session:812")
    moment = NOW
    for attempt, wait in ((1, 1), (2, 2), (3, 4), (4, 8)):
        outcome = send_due(now=moment)
        assert (outcome.sent, outcome.retried) == (0, 1)
        message = _reload(message)
        assert (message.state, message.attempts) == ("pending", attempt)
        assert message.send_after == moment + timedelta(minutes=wait)
        assert message.last_error == "ConnectionError"
        assert message.lease_until is None
        # Not due again before its time.
        assert send_due(now=message.send_after - timedelta(seconds=1)).retried == 0
        moment = message.send_after


@pytest.mark.django_db
def test_after_the_last_attempt_the_message_is_failed_and_keeps_what_it_says(refusing, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _message("participant:41:email:session:812", sensitive=True)
    moment = NOW
    for _attempt in range(2):
        assert send_due(now=moment).retried == 1
        moment = _reload(message).send_after
    outcome = send_due(now=moment)
    assert (outcome.retried, outcome.failed) == (0, 1)
    message = _reload(message)
    assert (message.state, message.attempts, message.last_error) == ("failed", 3, "ConnectionError")
    # Kept, to be sent again from the Outgoing messages page.
    assert (message.to, message.body_text) == ("jane@example.org", "Mardi à 18 h 30.")
    assert send_due(now=moment + timedelta(days=1)).failed == 0


@pytest.mark.django_db
def test_a_message_past_its_use_is_cancelled_unsent_and_erased():
    expired = _message("participant:41:sms:session:812", expires_at=NOW)
    useful = _message("participant:41:sms:session:813", expires_at=NOW + timedelta(minutes=1))
    outcome = send_due(now=NOW)
    assert (outcome.sent, outcome.expired) == (1, 1)
    assert len(mail.outbox) == 1
    expired = _reload(expired)
    assert (expired.state, expired.last_error, expired.lease_until) == (
        "cancelled",
        "expired",
        None,
    )
    assert (expired.to, expired.body_text, expired.body_html) == ("", "", "")
    assert _reload(useful).state == "sent"


@pytest.mark.django_db
def test_a_sensitive_message_loses_what_it_says_once_sent_and_keeps_its_address():
    sensitive = _message("participant:41:email:session:812", sensitive=True)
    plain = _message("account:1", sensitive=False)
    assert send_due(now=NOW).sent == 2
    sensitive = _reload(sensitive)
    assert (sensitive.subject, sensitive.body_text, sensitive.body_html) == ("", "", "")
    assert sensitive.to == "jane@example.org"
    # Positive control: a message about nobody keeps its words.
    plain = _reload(plain)
    assert (plain.subject, plain.body_text) == ("Votre séance de demain", "Mardi à 18 h 30.")


@pytest.mark.django_db
def test_a_message_to_a_victim_loses_its_address_once_sent():
    victim = _message(
        "victim:9:sms:update:1",
        audience="victim",
        channel="sms",
        to="+16135550199",
        sensitive=False,
    )
    participant = _message(
        "participant:41:sms:session:812", channel="sms", to="+16135550142", sensitive=False
    )
    assert send_due(now=NOW).sent == 2
    assert _reload(victim).to == ""
    assert _reload(participant).to == "+16135550142"


@pytest.mark.django_db
def test_a_message_whose_lease_ran_out_is_taken_again(settings):
    dead_worker = uuid.uuid4()
    abandoned = _message(
        "participant:41:email:session:812",
        state="sending",
        claim=dead_worker,
        attempts=1,
        lease_until=NOW - timedelta(seconds=1),
    )
    held = _message(
        "participant:41:email:session:813",
        state="sending",
        claim=uuid.uuid4(),
        attempts=1,
        lease_until=NOW + timedelta(minutes=1),
    )
    assert send_due(now=NOW).sent == 1
    abandoned = _reload(abandoned)
    assert (abandoned.state, abandoned.attempts) == ("sent", 2)
    assert abandoned.claim != dead_worker
    # Positive control: a lease still running is left to its worker.
    assert _reload(held).state == "sending"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_cannot_record_the_message(settings):
    message = _message("participant:41:email:session:812")
    slow, (claimed,) = sending._claim(NOW, 10)
    later = NOW + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    fast, (again,) = sending._claim(later, 10)
    assert slow != fast
    assert sending._done(claimed, slow, later) is False
    assert _reload(message).state == "sending"
    sending._failed(claimed, slow, ConnectionError(), later)
    assert (_reload(message).state, _reload(message).last_error) == ("sending", "")
    assert sending._done(again, fast, later) is True
    message = _reload(message)
    assert (message.state, message.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_a_victims_email_comes_from_an_address_that_names_no_program():
    _message("victim:39:email:update:164", audience="victim")
    send_due(now=NOW)
    (email,) = mail.outbox
    assert email.from_email == settings.NEUTRAL_FROM_EMAIL == "no-reply@ipv.localhost"
    assert "IPV" in settings.DEFAULT_FROM_EMAIL  # what the others come from names it
    assert "victim" not in email.extra_headers["Message-ID"]
