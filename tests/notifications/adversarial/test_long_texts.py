"""A text that would be too long (a long place, in French) is not a reason for the whole sweep
to stop: that person's text is left out, every other reminder is written."""

import pytest

from ipv.notifications.models import OutboxMessage
from referrals.models import Participant
from sessions_app.models import Group
from sessions_app.services.reminders import session_reminders_prepare
from tests.notifications.participants.conftest import enrol

pytestmark = pytest.mark.django_db

LONG_PLACE = "Salle communautaire, porte arrière, " + "à côté du stationnement " * 11


def test_a_place_too_long_for_a_text_leaves_that_text_out_and_writes_the_rest(enrolled):
    world = enrolled
    assert len(LONG_PLACE) <= 300
    Group.objects.filter(pk=world.group.pk).update(location=LONG_PLACE)
    other = enrol(world, {"legal_name": "Ann Other", "language": "en"}, file_number="4811-1")
    Participant.objects.filter(pk=other.participant_id).update(
        email="ann@example.org", consent_email=True, consent_sms=False
    )

    written = session_reminders_prepare()

    kinds = set(OutboxMessage.objects.filter(kind="session_reminder").values_list("key", "channel"))
    channels = sorted(channel for _key, channel in kinds)
    # Both emails, and the English text would fit; the French one does not.
    assert written == len(kinds)
    assert channels.count("email") == 2


def test_an_intake_place_too_long_for_a_text_does_not_stop_the_other_reminders(world, clock):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.models import Intake, Referral
    from referrals.services.intake import intake_reminders_send
    from tests.notifications.participants.conftest import agree

    referral = world.referral
    Referral.objects.filter(pk=referral.pk).update(status="intake_booked")
    agree(referral.participant)
    Intake.objects.create(
        agency=world.agency,
        referral=referral,
        scheduled_at=timezone.now() + timedelta(hours=20),
        location=LONG_PLACE,
        booked_by=world["intake"],
    )

    assert intake_reminders_send() == 1
    (email,) = OutboxMessage.objects.filter(kind="intake_reminder")
    assert email.channel == "email"
