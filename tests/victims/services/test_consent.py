"""Consent: each answer kept, never rewritten; withdrawing consent to be contacted cancels the
tasks that would contact the person, but the mandatory notices."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from tests.victims.services.conftest import NOW, consume, named, person, tasks_of
from victims.models import ConsentRecord, Victim
from victims.rls import confidential
from victims.services.outreach import consent_record
from victims.services.tasks import concern_raise

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(world):
    referral = named(world, name="Marc-André Poirier")
    consume()
    concern_raise(referral=referral, by=world["facilitator"], note="He named her in group.")
    return referral


def states(tasks) -> list[tuple[str, str, bool]]:
    return [(task.victim.full_name, task.kind, task.mandatory, task.state) for task in tasks]


def test_withdrawing_consent_to_be_contacted_cancels_the_open_tasks_but_the_mandatory_ones(
    world, referral
):
    sophie = person(referral, "Sophie Lachance")
    consent_record(
        victim=sophie,
        by=world["partner_contact"],
        topic="contact",
        given=True,
        how="phone",
        on=date(2026, 11, 20),
    )
    consent_record(
        victim=sophie,
        by=world["partner_contact"],
        topic="contact",
        given=False,
        how="phone",
        on=NOW.date(),
    )
    assert states(tasks_of(referral, victim=sophie)) == [
        ("Sophie Lachance", "accepted", False, "cancelled"),
        ("Sophie Lachance", "intake_done", False, "cancelled"),
        ("Sophie Lachance", "concern", True, "open"),
    ]
    cancelled = tasks_of(referral, victim=sophie, state="cancelled")
    assert {task.done_by for task in cancelled} == {world["partner_contact"]}
    # The other person's tasks stay as they were.
    assert {task.state for task in tasks_of(referral) if task.victim_id != sophie.pk} == {"open"}
    assert person(referral, "Sophie Lachance").consent_contact == "withdrawn"


def test_withdrawing_consent_to_updates_cancels_nothing(world, referral):
    sophie = person(referral, "Sophie Lachance")
    consent_record(
        victim=sophie,
        by=world["partner_contact"],
        topic="updates",
        given=False,
        how="phone",
        on=NOW.date(),
    )
    assert {task.state for task in tasks_of(referral, victim=sophie)} == {"open"}
    again = person(referral, "Sophie Lachance")
    assert (again.consent_updates, again.consent_contact) == ("withdrawn", "unknown")


def test_a_date_in_the_future_is_refused_and_nothing_changes(world, referral):
    sophie = person(referral, "Sophie Lachance")
    with pytest.raises(ValidationError) as refused:
        consent_record(
            victim=sophie,
            by=world["partner_contact"],
            topic="contact",
            given=False,
            how="phone",
            on=NOW.date() + timedelta(days=1),
        )
    assert "on" in refused.value.message_dict
    with confidential(world.agency):
        assert not ConsentRecord.objects.filter(victim=sophie).exists()
        assert Victim.objects.get(pk=sophie.pk).consent_contact == "unknown"
    assert {task.state for task in tasks_of(referral, victim=sophie)} == {"open"}


def test_every_answer_is_kept_in_order(world, referral):
    sophie = person(referral, "Sophie Lachance")
    for given, on in ((True, date(2026, 11, 10)), (False, date(2026, 11, 20)), (True, NOW.date())):
        consent_record(
            victim=sophie,
            by=world["partner_contact"],
            topic="contact",
            given=given,
            how="in_person",
            on=on,
        )
    with confidential(world.agency):
        history = list(
            ConsentRecord.objects.filter(victim=sophie).order_by("pk").values_list("given", "on")
        )
    assert history == [
        (True, date(2026, 11, 10)),
        (False, date(2026, 11, 20)),
        (True, NOW.date()),
    ]
    assert person(referral, "Sophie Lachance").consent_contact == "given"


def test_the_database_refuses_to_change_or_remove_a_consent_answer(world, referral):
    sophie = person(referral, "Sophie Lachance")
    record = consent_record(
        victim=sophie,
        by=world["partner_contact"],
        topic="contact",
        given=True,
        how="phone",
        on=NOW.date(),
    )
    with pytest.raises(DatabaseError), confidential(world.agency), transaction.atomic():
        ConsentRecord.objects.filter(pk=record.pk).update(given=False)
    with pytest.raises(DatabaseError), confidential(world.agency), transaction.atomic():
        ConsentRecord.objects.filter(pk=record.pk).delete()
    with confidential(world.agency):
        assert ConsentRecord.objects.get(pk=record.pk).given is True


def test_do_not_contact_cancels_every_open_task_mandatory_ones_too(world, referral):
    from victims.services.outreach import rules_set

    sophie = person(referral, "Sophie Lachance")
    rules_set(victim=sophie, by=world["partner_contact"], do_not_contact=True)
    assert {task.state for task in tasks_of(referral, victim=sophie)} == {"cancelled"}
    assert {task.state for task in tasks_of(referral) if task.victim_id != sophie.pk} == {"open"}
