"""The contact log: refused, with the reason, where the person's safe-contact rules forbid the
channel, the day, the hour or a message left; a task it answers is done; what was given kept."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from directory.models import SupportService
from referrals.models import Referral
from tests.factories import SupportServiceFactory
from tests.victims.services.conftest import NOW, consume, named, person, tasks_of
from victims.models import Contact
from victims.rls import confidential
from victims.services.outreach import consent_record, contact_log, rules_set

pytestmark = pytest.mark.django_db

YESTERDAY_10 = NOW - timedelta(days=1)  # Monday 23 November, 10:00 in Toronto


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def referral(world):
    referral = named(world, name="Marc-André Poirier")
    consume()
    return referral


def log(world, victim, **details):
    values = {"at": YESTERDAY_10, "channel": "phone", "outcome": "reached", **details}
    return contact_log(victim=victim, by=world["partner_contact"], **values)


def refused(call) -> dict:
    with pytest.raises(ValidationError) as refusal:
        call()
    return refusal.value.message_dict


def contacts_of(victim) -> list[Contact]:
    with confidential(victim.agency_id):
        return list(Contact.objects.filter(victim=victim).order_by("pk"))


def test_a_channel_their_rules_forbid_is_refused_with_the_reason(world, referral):
    sophie = person(referral, "Sophie Lachance")
    assert refused(lambda: log(world, sophie, channel="email")) == {
        "channel": ["Their safe-contact rules do not allow this channel: email."]
    }
    assert contacts_of(sophie) == []
    log(world, sophie, channel="phone")
    assert [contact.channel for contact in contacts_of(sophie)] == ["phone"]


def test_an_hour_their_rules_forbid_is_refused_with_the_reason(world, referral):
    sophie = rules_set(
        victim=person(referral, "Sophie Lachance"),
        by=world["partner_contact"],
        safe_from=time(9, 0),
        safe_until=time(12, 0),
        safe_days=[0, 1, 2, 3, 4],
    )
    afternoon = YESTERDAY_10.replace(hour=14)
    assert refused(lambda: log(world, sophie, at=afternoon)) == {
        "channel": ["Their safe-contact rules allow contact only between 9 a.m. and noon."]
    }
    sunday = YESTERDAY_10 - timedelta(days=1)
    assert refused(lambda: log(world, sophie, at=sunday)) == {
        "channel": ["Their safe-contact rules do not allow contact on that day of the week."]
    }
    log(world, sophie, at=YESTERDAY_10)
    assert len(contacts_of(sophie)) == 1


def test_a_voicemail_left_where_none_may_be_left_is_refused(world, referral):
    sophie = person(referral, "Sophie Lachance")
    assert refused(lambda: log(world, sophie, outcome="message_left")) == {
        "channel": ["Their safe-contact rules do not allow leaving a message."]
    }
    log(world, sophie, outcome="no_answer")
    sophie = rules_set(victim=sophie, by=world["partner_contact"], voicemail_ok=True)
    log(world, sophie, outcome="message_left")
    assert [c.outcome for c in contacts_of(sophie)] == ["no_answer", "message_left"]


def test_the_task_a_contact_answers_is_done(world, referral):
    sophie = person(referral, "Sophie Lachance")
    first, second = tasks_of(referral, victim=sophie)
    contact = log(world, sophie, task=first)
    first, second = tasks_of(referral, victim=sophie)
    assert (first.state, first.done_by, first.done_at) == ("done", world["partner_contact"], NOW)
    assert second.state == "open"
    assert contact.task_id == first.pk


def test_a_task_of_someone_else_is_refused(world, referral):
    sophie, nadia = person(referral, "Sophie Lachance"), person(referral, "Nadia Cardinal")
    nadias = tasks_of(referral, victim=nadia)[0]
    assert "task" in refused(lambda: log(world, sophie, task=nadias))
    assert tasks_of(referral, victim=nadia)[0].state == "open"
    assert contacts_of(sophie) == []


def test_a_mandatory_notice_reaches_someone_who_withdrew_but_nothing_else_does(world, referral):
    from victims.services.tasks import concern_raise

    sophie = person(referral, "Sophie Lachance")
    consent_record(
        victim=sophie,
        by=world["partner_contact"],
        topic="contact",
        given=False,
        how="phone",
        on=NOW.date(),
    )
    sophie = person(referral, "Sophie Lachance")
    assert refused(lambda: log(world, sophie)) == {
        "channel": ["This person withdrew their consent to be contacted."]
    }
    concern_raise(referral=referral, by=world["facilitator"], note="He named her in group.")
    (urgent,) = tasks_of(referral, victim=sophie, kind="concern")
    log(world, sophie, task=urgent)
    assert tasks_of(referral, victim=sophie, kind="concern")[0].state == "done"


def test_a_contact_in_the_future_is_refused(world, referral):
    sophie = person(referral, "Sophie Lachance")
    assert "at" in refused(lambda: log(world, sophie, at=NOW + timedelta(hours=1)))
    log(world, sophie, at=NOW + timedelta(minutes=4))  # a clock a little ahead
    assert len(contacts_of(sophie)) == 1


def test_a_note_longer_than_4000_characters_is_refused(world, referral):
    sophie = person(referral, "Sophie Lachance")
    assert "note" in refused(lambda: log(world, sophie, note="x" * 4001))
    assert contacts_of(sophie) == []
    log(world, sophie, note="x" * 4000)
    assert len(contacts_of(sophie)[0].note) == 4000


def test_the_services_and_cultural_supports_given_are_kept(world, referral):
    shelter = SupportServiceFactory(kind=SupportService.Kind.COUNSELLING)
    sophie = person(referral, "Sophie Lachance")
    log(
        world,
        sophie,
        services=["safety_planning", "referral"],
        cultural_supports=["elder", "ceremony"],
        support_service=shelter,
        note="Talked through the plan; she will call the shelter.",
    )
    (contact,) = contacts_of(sophie)
    assert contact.services == ["safety_planning", "referral"]
    assert contact.cultural_supports == ["elder", "ceremony"]
    assert contact.support_service == shelter
    assert contact.note == "Talked through the plan; she will call the shelter."
    assert (contact.by, contact.referral_id, contact.agency) == (
        world["partner_contact"],
        referral.pk,
        world.agency,
    )


def test_a_service_that_does_not_exist_is_refused(world, referral):
    sophie = person(referral, "Sophie Lachance")
    assert "services" in refused(lambda: log(world, sophie, services=["money"]))
    assert contacts_of(sophie) == []


def test_a_letter_printed_is_noted_only_where_a_letter_is_safe(world, referral):
    from victims.models import LetterPrinted
    from victims.services.outreach import letter_printed

    sophie = person(referral, "Sophie Lachance")
    # Not yet in a group: a letter saying the program started would be untrue.
    with pytest.raises(ValidationError) as refusal:
        letter_printed(victim=sophie, by=world["partner_contact"], kind="start", language="fr")
    assert refusal.value.code == "untrue"
    Referral.objects.filter(pk=referral.pk).update(status="enrolled")
    sophie = person(referral, "Sophie Lachance")
    with pytest.raises(ValidationError) as refusal:
        letter_printed(victim=sophie, by=world["partner_contact"], kind="start", language="fr")
    assert refusal.value.messages == ["Their safe-contact rules do not allow this channel: letter."]
    sophie = rules_set(
        victim=sophie,
        by=world["partner_contact"],
        channels=["phone", "letter"],
    )
    with pytest.raises(ValidationError):  # no mailing address yet
        letter_printed(victim=sophie, by=world["partner_contact"], kind="start", language="fr")
    from victims.services.outreach import person_update

    sophie = person_update(
        victim=sophie, by=world["partner_contact"], address="12 Rideau Street, Ottawa ON K1N 5X8"
    )
    with pytest.raises(ValidationError):  # not a letter the program sends
        letter_printed(victim=sophie, by=world["partner_contact"], kind="ransom", language="fr")
    letter = letter_printed(victim=sophie, by=world["partner_contact"], kind="start", language="fr")
    with confidential(world.agency):
        assert list(LetterPrinted.objects.filter(victim=sophie).values_list("pk", "kind")) == [
            (letter.pk, "start")
        ]


def test_a_contact_they_made_is_logged_whatever_the_rules_say(world, referral):
    from victims.services.outreach import contact_log

    sophie = person(referral, "Sophie Lachance")
    sophie = rules_set(victim=sophie, by=world["partner_contact"], channels=["letter"])
    # Positive control: the agency may not phone her.
    with pytest.raises(ValidationError):
        contact_log(
            victim=sophie, by=world["partner_contact"], at=NOW, channel="phone", outcome="reached"
        )
    contact = contact_log(
        victim=sophie,
        by=world["partner_contact"],
        at=NOW,
        channel="phone",
        outcome="reached",
        inbound=True,
    )
    assert (contact.channel, contact.inbound) == ("phone", True)
