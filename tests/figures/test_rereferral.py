"""The re-referral section: of the people who completed the program (or were excluded from it),
the share referred again within 12 and 24 months, counted by hand."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from ipv.figures.sections import rereferral
from referrals.models import Participant, Referral, Status
from tests.factories import AgencyFactory, CourtFactory, UserFactory

pytestmark = pytest.mark.django_db

# 2025 and 2024; "today" is fixed, for which closings are known depends on it.
CURRENT = Period(date(2025, 1, 1), date(2025, 12, 31))
PREVIOUS = Period(date(2024, 1, 1), date(2024, 12, 31))
TODAY = date(2026, 11, 24)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


class People:
    """Two agencies writing referrals with the dates a test gives."""

    def __init__(self):
        self.here = AgencyFactory(slug="riviere")
        self.there = AgencyFactory(slug="lakehead")
        self.court = CourtFactory(slug="ottawa")
        self.worker = UserFactory(email="intake@riviere.test")
        self.files = 0

    def person(self, name, born, *, agency=None, merged_into=None) -> Participant:
        return Participant.objects.create(
            agency=agency or self.here,
            legal_name=name,
            date_of_birth=born,
            language="fr",
            merged_into=merged_into,
        )

    def referral(self, person, received, *, closed=None, status=Status.RECEIVED, via="staff"):
        self.files += 1
        return Referral.objects.create(
            agency=person.agency,
            participant=person,
            program="ipv",
            stream="early_intervention",
            source_order="release_order",
            court=self.court,
            court_file_number=f"4811-998-00-{self.files:05}",
            charges="Assault (s. 266)",
            order_date=received,
            complete_by=date(received.year + 1, received.month, 1),
            source="court",
            received_on=received,
            status=status,
            discharge_reason="other" if status == Status.DISCHARGED else "",
            status_changed_at=at(closed or received),
            via=via,
            submitted_by=self.worker,
        )

    def closed(self, person, closed_on, status=Status.COMPLETED):
        received = date(closed_on.year - 1, closed_on.month, 1)
        return self.referral(person, received, closed=closed_on, status=status)


def build_people() -> People:
    """The hand-counted closings of the agency "here" (today: 2026-11-24, so a closing is known
    for 12 months when it closed before 2025-11-24, for 24 months before 2024-11-24):

    2024 ("before")
      A1 Jean-Marc Trémblay (1984-03-02) completed Mar 15; referred again at the other agency
         as "JEAN-MARC  Tremblay", same birth date, Aug 20 (5 months)   12 ✓  24 ✓
      A2 Sophie Martin completed Feb 10; referred again here 2025-08-10 (18 months)  12 ✗ 24 ✓
      A3 Luc Gagnon completed Jun 1; moved to the other agency by transfer Sep 1  12 ✗  24 ✗
      A4 Marc Roy excluded (discharged) Apr 1; referred again here Oct 1          12 ✓  24 ✓
    2025 ("now")
      A5 Alain Côté completed Dec 1 (12 months not gone by; referred again 2026-03-01 all the
         same): in no share
      A6 Jean-Marc Tremblay born 1984-03-03, completed Mar 1; the other Jean-Marc (born
         1984-03-02) is referred again May 1: another person                12 ✗
      A7 Nadia Bélanger completed Feb 1; referred again here Jul 1          12 ✓
      A8 Eric Lavoie completed Apr 1; a record merged into his ("Éric Lavallée") holds a
         referral received Sep 1                                           12 ✓
      A9 Kevin Moreau excluded May 1, not referred again                    12 ✗
      (no closing of 2025 is known for 24 months)
    The other agency: Other Person completed 2025-02-01, referred again there 2025-03-01.

    Completed, 12 months: now 2 of 3 (A7, A8 of A6 A7 A8); before 1 of 3 (A1 of A1 A2 A3)
    Completed, 24 months: now none known;      before 2 of 3 (A1, A2)
    Excluded,  12 months: now 0 of 1 (A9);     before 1 of 1 (A4)
    Excluded,  24 months: now none known;      before 1 of 1 (A4)
    """
    p = People()
    jean_marc = p.person("Jean-Marc Trémblay", date(1984, 3, 2))
    p.closed(jean_marc, date(2024, 3, 15))
    jean_marc_there = p.person("JEAN-MARC  Tremblay", date(1984, 3, 2), agency=p.there)
    p.referral(jean_marc_there, date(2024, 8, 20), via="e_referral")
    p.referral(jean_marc_there, date(2025, 5, 1))

    sophie = p.person("Sophie Martin", date(1990, 5, 5))
    p.closed(sophie, date(2024, 2, 10))
    p.referral(sophie, date(2025, 8, 10))

    luc = p.person("Luc Gagnon", date(1975, 1, 1))
    p.closed(luc, date(2024, 6, 1))
    p.referral(p.person("Luc Gagnon", date(1975, 1, 1), agency=p.there), date(2024, 9, 1),
               via="transfer")  # fmt: skip

    marc = p.person("Marc Roy", date(1980, 2, 2))
    p.closed(marc, date(2024, 4, 1), Status.DISCHARGED)
    p.referral(marc, date(2024, 10, 1))

    alain = p.person("Alain Côté", date(1970, 7, 7))
    p.closed(alain, date(2025, 12, 1))
    p.referral(alain, date(2026, 3, 1))

    p.closed(p.person("Jean-Marc Tremblay", date(1984, 3, 3)), date(2025, 3, 1))

    nadia = p.person("Nadia Bélanger", date(1988, 8, 8))
    p.closed(nadia, date(2025, 2, 1))
    p.referral(nadia, date(2025, 7, 1))

    eric = p.person("Eric Lavoie", date(1985, 5, 5))
    p.closed(eric, date(2025, 4, 1))
    p.referral(p.person("Éric Lavallée", date(1985, 5, 5), merged_into=eric), date(2025, 9, 1))

    p.closed(p.person("Kevin Moreau", date(1992, 9, 9)), date(2025, 5, 1), Status.DISCHARGED)

    other = p.person("Other Person", date(1960, 6, 6), agency=p.there)
    p.closed(other, date(2025, 2, 1))
    p.referral(other, date(2025, 3, 1))
    return p


def read(scope) -> dict:
    with time_machine.travel(at(TODAY), tick=False):
        results = rereferral.compute(scope, CURRENT, PREVIOUS)
    return {r.figure.key: (r.current, r.previous, r.counted) for r in results}


def test_each_share_reads_the_hand_counted_closings_for_both_periods():
    people = build_people()

    assert read(Scope.agency(people.here)) == {
        "rereferred_12_after_completion": (2 / 3, 1 / 3, (3, 3)),
        "rereferred_24_after_completion": (None, 2 / 3, (0, 3)),
        "rereferred_12_after_discharge": (0.0, 1.0, (1, 1)),
        "rereferred_24_after_discharge": (None, 1.0, (0, 1)),
    }


def test_the_other_agencys_closings_count_for_the_province_only():
    people = build_people()

    theirs = read(Scope.agency(people.there))
    province = read(Scope.province())

    assert theirs["rereferred_12_after_completion"] == (1.0, None, (1, 0))
    assert province["rereferred_12_after_completion"] == (3 / 4, 1 / 3, (4, 3))


def test_names_match_without_accents_case_or_extra_spaces_but_not_another_birth_date():
    people = build_people()
    keys = dict(
        Participant.objects.filter(legal_name__icontains="jean-marc").values_list(
            "legal_name", "name_key"
        )
    )

    assert keys == {
        "Jean-Marc Trémblay": "jean-marc tremblay",
        "JEAN-MARC  Tremblay": "jean-marc tremblay",
        "Jean-Marc Tremblay": "jean-marc tremblay",
    }
    # The folded name alone is not the person: A6 has it too, and was not referred again.
    assert read(Scope.agency(people.here))["rereferred_12_after_completion"][0] == 2 / 3


def test_a_transfer_is_not_a_new_referral_but_the_same_day_a_year_later_would_be():
    p = People()
    moved = p.person("Luc Gagnon", date(1975, 1, 1))
    p.closed(moved, date(2024, 6, 1))
    p.referral(p.person("Luc Gagnon", date(1975, 1, 1), agency=p.there), date(2024, 9, 1),
               via="transfer")  # fmt: skip
    # Positive control: referred again on the 365th day after the closing.
    back = p.person("Anne Roy", date(1981, 1, 1))
    p.closed(back, date(2024, 6, 1))
    p.referral(back, date(2025, 6, 1))
    # And a day late: not within 12 months.
    late = p.person("Paul Roy", date(1982, 1, 1))
    p.closed(late, date(2024, 6, 1))
    p.referral(late, date(2025, 6, 2))

    assert read(Scope.agency(p.here))["rereferred_12_after_completion"] == (None, 1 / 3, (0, 3))


def test_the_section_is_one_query_however_many_closings():
    people = build_people()
    scope = Scope.agency(people.here)
    with CaptureQueriesContext(connection) as few:
        read(scope)
    for n in range(8):
        person = people.person(f"Person {n}", date(1970, 1, n + 1))
        people.closed(person, date(2025, 1, n + 10))
        people.referral(person, date(2025, 3, n + 1))

    with CaptureQueriesContext(connection) as many:
        shares = read(scope)

    assert shares["rereferred_12_after_completion"][2] == (11, 3)
    assert len(few) == len(many) == 1
