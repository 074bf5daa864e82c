"""The canary of the outbox: with every confidential field of the store holding a word found
nowhere else, every message the site writes — the participant's reminders (email and text),
the make-up notice, the staff's morning digests, the court's messages — says none of them,
before it is sent (its body is erased after) and as it reaches the provider. The victim's own
update is the positive control: the check finds the canary where it belongs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sms
import time_machine
from django.core import mail

from ipv.notifications.models import Audience, OutboxMessage
from ipv.notifications.sending import send_due
from ipv.pages.digests import court_digests_prepare, staff_digests_prepare
from ipv.pages.tasks import milestones_consume
from referrals.models import Milestone, Participant
from referrals.services.milestones import milestone_record
from sessions_app.models import CourtReport
from sessions_app.services.documents import court_report_issue
from sessions_app.services.reminders import session_reminders_prepare
from tests.victims import seeding
from victims import rls
from victims.models import Victim

pytestmark = pytest.mark.django_db(transaction=False)

TORONTO = ZoneInfo("America/Toronto")
# Monday 30 November 2026, after the reminder time (17:00) and inside quiet hours.
NOW = datetime(2026, 11, 30, 17, 5, tzinfo=TORONTO)
PARTICIPANT_EMAIL = "jm.tremblay@example.org"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _said(message: OutboxMessage) -> str:
    return " ".join([message.to, message.subject, message.body_text, message.body_html])


def test_no_message_but_the_victims_own_carries_a_word_of_the_store(
    clock, world, django_capture_on_commit_callbacks, monkeypatch
):
    # The worker is not woken while the messages are written: they are read whole first.
    monkeypatch.setattr("ipv.notifications.services._send_soon", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        named, _added = seeding.seed(
            agency=world.agency,
            referral=world.referral,
            worker=world["partner_contact"],
            raiser=world["facilitator"],
        )
    Participant.objects.filter(pk=world.referral.participant_id).update(
        email=PARTICIPANT_EMAIL, phone="+16135550142", consent_email=True, consent_sms=True
    )
    # The named person agrees to updates by email, any day, any hour: an update goes to them.
    with rls.confidential(world.agency):
        Victim.objects.filter(pk=named.pk).update(
            consent_updates="given",
            message_ok=True,
            safe_days=list(range(7)),
            safe_from=None,
            safe_until=None,
        )
    world["liaison"].liaison.courts.add(world.court)

    with django_capture_on_commit_callbacks(execute=True):
        # The next session's reminder, tomorrow at 18:30 (email and text).
        session_reminders_prepare()
        # An unexcused absence (the make-up notice) and the group started (the victim's news).
        milestone_record(
            referral=world.referral,
            kind=Milestone.Kind.ABSENCE_RECORDED,
            by=world["facilitator"],
            session=world.session.pk,
            excused=False,
        )
        milestone_record(referral=world.referral, kind=Milestone.Kind.ENROLLED, by=world["intake"])
        milestones_consume()
        # A report for the court: the officer who wants each document at once is told.
        court_report_issue(
            referral=world.referral, kind=CourtReport.Kind.PROGRESS, by=world["intake"]
        )
    # Read whole before they are sent (a sent message loses its body); what is due goes now
    # (the victim's update may go only in this evening's safe hours).
    messages = list(OutboxMessage.objects.order_by("pk"))
    sent = send_due().sent
    # The next morning's digests: the partner-contact worker has tasks, the officer a list.
    clock.move_to(NOW + timedelta(hours=14))
    other = world["other_liaison"].liaison
    other.courts.add(world.court)
    other.court_messages = "daily"
    other.save(update_fields=["court_messages"])
    with django_capture_on_commit_callbacks(execute=True):
        staff_digests_prepare()
        court_digests_prepare()

    messages += list(OutboxMessage.objects.filter(pk__gt=messages[-1].pk).order_by("pk"))
    kinds = {(message.kind, message.channel) for message in messages}
    for expected in (
        ("session_reminder", "email"),
        ("session_reminder", "sms"),
        ("make_up", "email"),
        ("make_up", "sms"),
        ("victim_update", "email"),
        ("staff_digest", "email"),
        ("court_document", "email"),
        ("court_digest", "email"),
    ):
        assert expected in kinds, (expected, sorted(kinds))
    # Positive controls: the victim's own message carries their address (the check can find a
    # canary), and the others say what they should.
    (update,) = [message for message in messages if message.audience == Audience.VICTIM]
    assert seeding.SECRETS.search(_said(update))
    partner_digest = next(
        message
        for message in messages
        if message.kind == "staff_digest" and message.to == world["partner_contact"].email
    )
    assert "tâches d'intervention" in partner_digest.body_text
    court = next(message for message in messages if message.kind == "court_document")
    assert world.referral.court_file_number in court.body_text

    leaks = [
        (message.key, sorted({m.group(0) for m in seeding.SECRETS.finditer(_said(message))}))
        for message in messages
        if message.audience != Audience.VICTIM and seeding.SECRETS.search(_said(message))
    ]
    assert leaks == []

    # As they reach the providers.
    clock.move_to(NOW + timedelta(hours=15))
    sent += send_due().sent
    assert sent == len(messages)
    assert not OutboxMessage.objects.exclude(state="sent").exists()
    victim_addresses = {"zebulonne.hirondelle@example.org"}
    delivered = [
        (email.to, " ".join([email.subject, email.body, *[a[0] for a in email.alternatives]]))
        for email in mail.outbox
    ] + [(text.recipients, text.body) for text in sms.outbox]
    assert len(delivered) == len(messages)
    for to, said in delivered:
        if set(to) & victim_addresses:
            continue
        assert not seeding.SECRETS.search(said), (to, said)
