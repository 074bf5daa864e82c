"""Retention and the person: a record merged into another goes with it; a person chosen is
locked and chosen again, so that a referral opened or merged in meanwhile keeps them whole;
a de-identified record takes no merge; the audit trail numbers people, never names them."""

import threading
import time
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from ipv.audit.models import AuditEvent
from ipv.pages.retention import _deidentify, retention_apply
from referrals.models import Participant, PossibleDuplicate, Referral
from referrals.retention import participants_due, participants_lock_due
from referrals.services.duplicates import duplicate_resolve
from tests.core.retention.making import (
    CLOSED,
    DAY,
    SEVEN_YEARS_ON,
    a_file,
    fresh,
    history_text,
    withdraw,
)

pytestmark = pytest.mark.django_db


def test_a_record_merged_into_the_person_goes_with_them(place):
    """Merging moves the duplicate's referrals to the person kept: the duplicate has none left
    to close, yet its own name, phone, address and birth date must go with the person's."""
    _agency, _court, intake, _worker = place
    person = {"date_of_birth": date(1984, 3, 2)}
    with time_machine.travel(CLOSED - 10 * DAY, tick=False):
        first = a_file(place, "Jean-Marc Tremblay", "4811-998-26-00001", **person)
        second = a_file(
            place,
            "Jean-Marc Tremblay",
            "4811-998-26-00002",
            phone="+16135550199",
            street_address="99 rue Secrète",
            **person,
        )
        duplicate = PossibleDuplicate.objects.get(participant=second.participant)
        duplicate_resolve(duplicate=duplicate, by=intake, same_person=True)
    merged = Participant.objects.get(pk=second.participant_id)
    assert merged.merged_into_id == first.participant_id
    for referral in Referral.objects.filter(participant_id=first.participant_id):
        withdraw(referral, intake, CLOSED)
    with time_machine.travel(SEVEN_YEARS_ON - DAY, tick=False):  # the control: not yet
        retention_apply()
    merged.refresh_from_db()
    assert (merged.legal_name, merged.phone) == ("Jean-Marc Tremblay", "+16135550199")
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        retention_apply()
    for pk in (first.participant_id, merged.pk):
        left = Participant.objects.get(pk=pk)
        assert (left.legal_name, left.phone, left.street_address) == ("", "", "")
        assert left.date_of_birth == date(1984, 1, 1) and left.deidentified_at is not None
    assert "Tremblay" not in history_text(Participant, [first.participant_id, merged.pk])
    # The audit trail, kept as written, numbered the person and never named them.
    assert not AuditEvent.objects.filter(target_label__icontains="Tremblay").exists()
    assert not AuditEvent.objects.filter(target_labels__icontains="Tremblay").exists()


def test_a_person_chosen_then_given_a_new_referral_is_left_whole(place, files):
    """The batch is chosen, then locked and chosen again: a referral opened in between keeps
    the person (and the merged-in records) out of the de-identification."""
    old, _still_open, _recent = files
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        closed_before = SEVEN_YEARS_ON + DAY - timedelta(days=7 * 365)
        chosen = list(
            participants_due(agency=old.agency, closed_before=closed_before).values_list(
                "pk", flat=True
            )
        )
        assert chosen == [old.participant_id]  # the control: due when chosen
        Referral.objects.filter(pk=old.pk).update(status="received")  # reopened meanwhile
        assert participants_lock_due(participant_ids=chosen, closed_before=closed_before) == []


def _same_person(new, known) -> PossibleDuplicate:
    """The person of `new` flagged as maybe the person of `known`, for a worker to decide."""
    return PossibleDuplicate.objects.create(
        agency=known.agency,
        participant=new.participant,
        existing=known.participant,
        name_similarity=0.9,
        same_birth_date=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_merge_that_holds_the_lock_keeps_the_open_referral_it_brings_whole(place, files):
    """The open file of Paul Girard is merged into Jean-Marc Tremblay, whose own closed seven
    years ago, while retention waits for Tremblay's lock: once it has the lock, it must see the
    referral the merge brought, and leave both people whole."""
    old, still_open, _recent = files
    duplicate = _same_person(still_open, old)
    now = SEVEN_YEARS_ON + DAY
    merging, done = threading.Event(), []

    def merge():
        try:
            with transaction.atomic():
                duplicate_resolve(duplicate=duplicate, by=place[2], same_person=True)
                merging.set()
                time.sleep(1.5)  # retention now waits for the people's locks
        finally:
            merging.set()
            connection.close()

    def retain():
        try:
            merging.wait(10)
            done.append(_deidentify(old.agency, now - timedelta(days=7 * 365), dry_run=False))
        finally:
            connection.close()

    with time_machine.travel(now, tick=True):
        threads = [threading.Thread(target=merge), threading.Thread(target=retain)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert done == [0]
    brought = fresh(still_open)
    assert brought.participant_id == old.participant_id  # the control: the merge happened
    assert brought.court_file_number == "4811-998-26-00002"
    assert brought.participant.legal_name == "Jean-Marc Tremblay"


def test_a_de_identified_person_cannot_take_a_merge(place, files):
    old, still_open, _recent = files
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        retention_apply()
    duplicate = _same_person(still_open, old)
    with pytest.raises(ValidationError) as refused:
        duplicate_resolve(duplicate=duplicate, by=place[2], same_person=True)
    assert refused.value.code == "deidentified"
    assert fresh(old).participant.legal_name == ""


def test_events_that_named_a_participant_before_are_numbered_by_the_migration(place, files):
    """Events written before the trail numbered participants carry the name in their label;
    the migration numbers them (and leaves other events as they are)."""
    from importlib import import_module

    from ipv.audit.services import Action, audit_record

    old = files[0]
    person = old.participant
    named = audit_record(
        action=Action.RECORD_CHANGED, agency=old.agency, target=person, label=person
    )
    other = audit_record(action=Action.RECORD_CHANGED, agency=old.agency, target=old, label=old)
    assert "Tremblay" in named.target_label  # the control: as they were written
    migration = import_module("ipv.audit.migrations.0011_participants_numbered")
    with connection.schema_editor() as editor:
        migration.renumber(None, editor)
    named.refresh_from_db()
    assert named.target_label == f"Participant #{person.pk}"
    assert named.target_labels == {
        "fr": f"Personne participante no {person.pk}",
        "en": f"Participant #{person.pk}",
    }
    before = other.target_label
    other.refresh_from_db()
    assert other.target_label == before
