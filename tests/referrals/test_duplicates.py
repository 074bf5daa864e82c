"""Possible duplicates: names compared by pg_trgm on their unaccented forms, the agency's
people flagged when they resemble a new one, and the worker's decision (merge or keep apart)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ipv.audit.models import AuditEvent
from referrals.models import Consent, Participant, PossibleDuplicate, Referral, TimelineEntry
from referrals.services.duplicates import duplicate_resolve, holds_word
from tests.conftest import PERSON, make_referral

BORN = PERSON["date_of_birth"]  # 1984-03-02, as world.referral's Jean-Marc Tremblay

# Similarity --------------------------------------------------------------------------------
# pg_trgm pads each word with two spaces before and one after, keeps the set of its
# three-letter slices, and divides the slices two strings share by all their slices.


def _similarity(first, second, *, unaccented=True):
    fold = "f_unaccent(lower({}))" if unaccented else "{}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT similarity({fold.format('%s')}, {fold.format('%s')})", [first, second]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_pg_trgm_counts_an_accented_letter_as_a_letter_and_unaccent_makes_it_the_same():
    # 'éric' and 'eric' share "ric", "ic " of 8 trigrams: the server knows "É" is a letter
    # (a cluster made in the C locale would split the word at it) …
    assert _similarity("Éric", "Eric", unaccented=False) == pytest.approx(0.25)
    # … and the duplicate search compares the unaccented names, where they are the same.
    assert _similarity("Éric", "Eric") == 1.0
    assert _similarity("HÉLÈNE CÔTÉ", "helene cote") == 1.0


@pytest.mark.django_db
def test_pg_trgm_gives_what_its_documentation_says():
    # 'word' has 5 trigrams, 'two words' 10; they share "  w", " wo", "wor", "ord": 4 / 11.
    assert _similarity("word", "two words") == pytest.approx(4 / 11)
    # tremblay and tremblai: 9 trigrams each, 7 shared ("lay", "ay " against "lai", "ai ").
    assert _similarity("Tremblay", "Tremblai") == pytest.approx(7 / 11)
    assert _similarity("Jean-Marc Tremblay", "Jean Marc Tremblay") == 1.0
    assert _similarity("Paul Girard", "Jean-Marc Tremblay") == 0.0


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Иван Петров", "Νίκος Παπαδόπουλος", "王小明"])
def test_a_name_in_another_script_is_fully_similar_to_itself(name):
    assert _similarity(name, name) == 1.0


@pytest.mark.django_db
def test_case_does_not_count_in_another_alphabet_either():
    assert _similarity("Иван Петров", "ИВАН ПЕТРОВ") == 1.0


def test_a_whole_word_of_the_names_is_found_through_the_trigram_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is small here
    plan = Participant.objects.filter(holds_word("Trémblay")).explain()
    assert "referrals_participant_trgm" in plan


def test_eric_born_the_same_day_is_flagged_as_the_same_name_as_eric(world):
    known = _new(world, "Éric Tremblay", born=date(1979, 5, 4))
    person = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Eric Tremblay", "date_of_birth": date(1979, 5, 4)},
        court_file_number="4811-998-26-00051",
    ).participant
    assert _flagged(person) == {("Éric Tremblay", True, 1.0)}
    assert PossibleDuplicate.objects.get(participant=person).existing == known


# Flagging ----------------------------------------------------------------------------------


def _new(world, legal_name, born=BORN, agency=None):
    """A new referral of someone called `legal_name`; returns the new participant."""
    agency = agency or world.agency
    referral = make_referral(
        agency,
        world["intake"] if agency == world.agency else world["other_intake"],
        world.court if agency == world.agency else world.other_court,
        person={"legal_name": legal_name, "date_of_birth": born},
        court_file_number="4811-998-26-00050",
    )
    return referral.participant


def _flagged(participant):
    return {
        (duplicate.existing.legal_name, duplicate.same_birth_date, duplicate.name_similarity)
        for duplicate in PossibleDuplicate.objects.filter(participant=participant)
    }


def test_the_same_birth_date_and_a_similar_name_are_flagged(world):
    # The world's own: Jean Marc Tremblay, recorded after Jean-Marc Tremblay, same birth date.
    assert world.duplicate.existing == world.referral.participant
    assert (world.duplicate.same_birth_date, world.duplicate.name_similarity) == (True, 1.0)
    assert world.duplicate.resolution == ""
    person = _new(world, "Jean-Marc Tremblai")
    assert _flagged(person) == {
        ("Jean-Marc Tremblay", True, 0.81),
        ("Jean Marc Tremblay", True, 0.81),
    }


def test_the_same_birth_date_and_another_name_are_not(world):
    assert _flagged(_new(world, "Paul Girard")) == set()


def test_the_same_name_and_another_birth_date_are_flagged(world):
    person = _new(world, "Marc Tremblay", born=date(1990, 7, 1))
    assert _flagged(person) == {
        ("Jean-Marc Tremblay", False, 0.737),
        ("Jean Marc Tremblay", False, 0.737),
    }


def test_another_agencys_people_are_never_flagged(world):
    person = _new(world, "Jean-Marc Tremblay", agency=world.other_agency)
    # Lakehead already has Other Person, born the same day, but no Tremblay of its own.
    assert _flagged(person) == set()


def test_a_merged_record_is_not_flagged_again(world):
    duplicate_resolve(duplicate=world.duplicate, by=world["intake"], same_person=True)
    assert _flagged(_new(world, "Jean-Marc Tremblay")) == {("Jean-Marc Tremblay", True, 1.0)}


def test_a_name_in_another_script_is_flagged_too(world):
    _new(world, "Иван Петров")
    person = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Иван Петров", "date_of_birth": BORN},
        court_file_number="4811-998-26-00051",
    ).participant
    assert _flagged(person) == {("Иван Петров", True, 1.0)}


# Deciding ----------------------------------------------------------------------------------


def _merge(world, **new_details):
    new = world.duplicate.participant
    Participant.objects.filter(pk=new.pk).update(**new_details)
    return duplicate_resolve(duplicate=world.duplicate, by=world["intake"], same_person=True)


def test_merging_moves_the_referrals_and_consents_to_the_person_known(world):
    new, known = world.duplicate.participant, world.duplicate.existing
    [referral] = new.referrals.all()
    assert Consent.objects.filter(participant=new).count() == 1  # the transfer's release
    assert _merge(world) == known
    assert Referral.objects.get(pk=referral.pk).participant == known
    assert set(Referral.objects.filter(participant=known).values_list("pk", flat=True)) == {
        world.referral.pk,
        referral.pk,
    }
    assert Consent.objects.filter(participant=new).count() == 0
    assert Consent.objects.get(referral=referral).participant == known
    # Search finds the moved referral under the known person's name.
    names = Referral.objects.get(pk=referral.pk).participant_names
    assert names.split() == ["Jean-Marc", "Tremblay"]


def test_merging_fills_what_the_known_record_leaves_blank(world):
    _merge(world, email="jm.tremblay@example.org", pronouns="il", phone="+16135550999")
    known = Participant.objects.get(pk=world.duplicate.existing_id)
    assert (known.email, known.pronouns) == ("jm.tremblay@example.org", "il")
    assert str(known.phone) == "+16135550123"  # already known: kept
    assert known.legal_name == "Jean-Marc Tremblay"


def test_the_merged_record_points_to_the_person_kept_and_the_merge_is_history(world):
    new, known = world.duplicate.participant, world.duplicate.existing
    [referral] = new.referrals.all()
    _merge(world, email="jm.tremblay@example.org")
    assert Participant.objects.get(pk=new.pk).merged_into == known
    duplicate = PossibleDuplicate.objects.get(pk=world.duplicate.pk)
    assert (duplicate.resolution, duplicate.resolved_by) == ("merged", world["intake"])
    entry = TimelineEntry.objects.filter(referral=referral).latest("pk")
    assert (entry.kind, entry.by) == ("merged", world["intake"])
    assert entry.details == {"into": known.pk, "fields_filled": ["email"]}
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORDS_MERGED)
    assert (event.actor, event.agency, event.target_id) == (
        world["intake"],
        world.agency,
        str(known.pk),
    )
    assert event.details == {"merged": new.pk, "referrals": [referral.pk]}


def test_keeping_apart_changes_no_one(world):
    new, known = world.duplicate.participant, world.duplicate.existing
    shown = duplicate_resolve(duplicate=world.duplicate, by=world["intake"], same_person=False)
    assert shown == new
    duplicate = PossibleDuplicate.objects.get(pk=world.duplicate.pk)
    assert (duplicate.resolution, duplicate.resolved_by) == ("kept", world["intake"])
    assert Participant.objects.get(pk=new.pk).merged_into is None
    assert new.referrals.count() == 1
    assert known.referrals.count() == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RECORDS_MERGED).exists()


@pytest.mark.parametrize(("first", "second"), [(True, True), (False, True), (True, False)])
def test_a_possible_duplicate_is_decided_once(world, english, first, second):
    duplicate_resolve(duplicate=world.duplicate, by=world["intake"], same_person=first)
    with pytest.raises(ValidationError, match="already decided"):
        duplicate_resolve(duplicate=world.duplicate, by=world["manager"], same_person=second)
    duplicate = PossibleDuplicate.objects.get(pk=world.duplicate.pk)
    assert duplicate.resolution == ("merged" if first else "kept")
    assert duplicate.resolved_by == world["intake"]
