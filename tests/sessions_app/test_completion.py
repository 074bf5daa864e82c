"""The completion engine: a referral is done when each of the twelve modules has one attendance
that counts, in any group of its program, whatever the version of the curriculum taught."""

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from referrals.models import Referral
from sessions_app.completion import (
    ALL_MODULES,
    modules_attended,
    progress,
    progress_for,
    review_reason,
)
from sessions_app.models import Attendance, Certificate, Enrollment
from sessions_app.services.attendance import roster
from sessions_app.services.documents import certificate_issue
from sessions_app.services.enrollment import enrollment_move
from sessions_app.services.groups import curriculum_current, curriculum_revise, session_cancel
from tests.conftest import AGENCY_NUMBERS
from tests.sessions_app.conftest import (
    TORONTO,
    a_group,
    attended,
    by_module,
    placed,
    sessions,
    status_of,
    take,
)

pytestmark = pytest.mark.django_db


def fresh(referral):
    """The referral and its agency as the database has them now (settings may have changed)."""
    return Referral.objects.select_related("agency").get(pk=referral.pk)


def test_an_open_entry_newcomer_joins_at_module_7_and_completes_after_going_round(clock, world):
    first = by_module(world.group, 7)
    referral = placed(world, name="Marc-André Poirier", start=first.date)
    round_trip = [session for session in sessions(world.group) if session.date >= first.date][:12]
    assert [session.module.number for session in round_trip] == [
        7,
        8,
        9,
        10,
        11,
        12,
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    for session in round_trip[:11]:
        assert take(clock, world, session, referral) == {}
    assert status_of(referral) == "enrolled"
    assert progress(referral=referral).remaining == [6]

    assert take(clock, world, round_trip[11], referral) == {}
    assert status_of(referral) == "completed"
    assert modules_attended(referral=referral) == ALL_MODULES
    certificate = Certificate.objects.get(referral=referral)
    assert certificate.details["completed_on"] == "2027-03-23"
    assert [module["number"] for module in certificate.details["modules"]] == list(range(1, 13))


def test_the_certificate_of_an_open_entry_newcomer_starts_on_their_first_session(clock, world):
    first = by_module(world.group, 7)
    referral = placed(world, name="Marc-André Poirier", start=first.date)
    round_trip = [session for session in sessions(world.group) if session.date >= first.date][:12]
    attended(world, referral, round_trip)
    clock.move_to(datetime(2027, 3, 23, 21, 0, tzinfo=TORONTO))
    certificate = certificate_issue(referral=referral, by=world["intake"])
    assert (certificate.details["started_on"], certificate.details["completed_on"]) == (
        "2027-01-05",
        "2027-03-23",
    )


def test_the_certificate_ends_at_the_last_module_attended_not_when_completion_was_recorded(
    clock, world
):
    first = by_module(world.group, 7)
    referral = placed(world, name="Marc-André Poirier", start=first.date)
    round_trip = [session for session in sessions(world.group) if session.date >= first.date][:12]
    attended(world, referral, round_trip)
    # Completion recorded two weeks after the twelfth module (a fee paid, a review ended).
    clock.move_to(datetime(2027, 4, 6, 10, 0, tzinfo=TORONTO))
    certificate = certificate_issue(referral=referral, by=world["intake"])
    assert (certificate.details["started_on"], certificate.details["completed_on"]) == (
        "2027-01-05",
        "2027-03-23",
    )


def test_a_make_up_in_another_group_of_the_same_program_counts(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    thursday = a_group(world, name="Jeudi soir")
    makeup = by_module(thursday, 2)
    assert take(clock, world, makeup, referral, makeup=True) == {}
    assert modules_attended(referral=referral) == {2}
    row = Attendance.objects.get(referral=referral)
    assert (row.session.group, row.makeup) == (thursday, True)
    assert referral in roster(session=makeup)


def test_a_make_up_in_a_group_of_the_other_program_is_refused(clock, world, english):
    world.agency.programs, world.agency.indigenous_led = ["ipv", "ipiv"], True
    world.agency.save(update_fields=["programs", "indigenous_led"])
    circle = a_group(world, name="Cercle du jeudi", program="ipiv")
    referral = placed(world, name="Marc-André Poirier")
    refused = take(clock, world, by_module(circle, 1), referral, makeup=True)
    assert refused == {referral.pk: "This person follows the other program."}
    assert not Attendance.objects.filter(referral=referral).exists()


def test_a_cancelled_session_is_no_absence_and_its_module_comes_round_again(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    session_cancel(session=world.session, by=world["manager"], reason="Snowstorm.")
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=TORONTO))
    assert not Attendance.objects.filter(referral=referral).exists()
    assert review_reason(referral=referral) is None
    # Open entry: module 1 is taught again after module 12, on 16 February.
    assert progress(referral=referral).projected_finish == date(2027, 2, 16)


def test_in_a_closed_cohort_a_cancelled_module_is_taught_after_the_last_session(clock, world):
    cohort = a_group(world, name="Cohorte de novembre", format="closed")
    referral = placed(world, name="Marc-André Poirier", group=cohort)
    before = sessions(cohort)
    assert (before[0].date, before[-1].date) == (date(2026, 11, 26), date(2027, 2, 11))
    session_cancel(session=by_module(cohort, 3), by=world["manager"], reason="Facilitator ill.")
    after = sessions(cohort)
    assert [session.module.number for session in after] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3]
    assert after[-1].date == date(2027, 2, 18)
    assert progress(referral=referral).projected_finish == date(2027, 2, 18)


def test_late_within_the_agency_threshold_counts_and_beyond_it_does_not(clock, world, client):
    referral = placed(world, name="Marc-André Poirier")
    take(clock, world, by_module(world.group, 1), referral, "late", minutes_late=15)
    take(clock, world, by_module(world.group, 2), referral, "late", minutes_late=16)
    assert modules_attended(referral=fresh(referral)) == {1}

    client.force_login(world["manager"])
    response = client.post(
        f"/en/a/{world.agency.slug}/settings/",
        {**AGENCY_NUMBERS, "late_threshold_minutes": "20"},
    )
    assert response.status_code == 302
    assert modules_attended(referral=fresh(referral)) == {1, 2}
    assert progress_for(referrals=[fresh(referral)])[referral.pk].attended == {1, 2}


def test_leaving_early_does_not_count_and_is_no_absence(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    assert take(clock, world, world.session, referral, "left_early") == {}
    assert modules_attended(referral=referral) == frozenset()
    assert review_reason(referral=referral) is None


def test_a_curriculum_revised_mid_way_keeps_what_was_attended(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    held = sessions(world.group)[:2]
    for session in held:
        take(clock, world, session, referral)
    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=TORONTO))
    old = curriculum_current(agency=world.agency, program="ipv")
    revised = [
        {
            "title_fr": f"Module révisé {number}",
            "title_en": f"Revised module {number}",
            "description_fr": "",
            "description_en": "",
        }
        for number in range(1, 13)
    ]
    new = curriculum_revise(
        agency=world.agency, program="ipv", by=world["manager"], modules=revised
    )

    assert (old.version, new.version) == (1, 2)
    assert [session.module.curriculum for session in sessions(world.group)[:2]] == [old, old]
    to_come = [session for session in sessions(world.group) if session.date >= date(2026, 12, 2)]
    assert {session.module.curriculum_id for session in to_come} == {new.pk}
    assert [session.module.title_en for session in to_come[:2]] == [
        "Revised module 3",
        "Revised module 4",
    ]
    assert modules_attended(referral=referral) == {1, 2}
    take(clock, world, to_come[0], referral)
    assert modules_attended(referral=referral) == {1, 2, 3}


def test_moving_to_another_group_keeps_what_was_attended(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    thursday = a_group(world, name="Jeudi soir")
    for session in sessions(world.group)[:2]:
        take(clock, world, session, referral)
    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=TORONTO))
    enrollment_move(
        referral=referral,
        group=thursday,
        start_date=date(2026, 12, 3),
        by=world["intake"],
        reason="Works Tuesday evenings from now on.",
    )
    assert modules_attended(referral=referral) == {1, 2}
    before = Enrollment.objects.get(referral=referral, group=world.group)
    assert (before.ended_on, before.end_reason) == (date(2026, 12, 2), "moved")
    assert referral in roster(session=by_module(thursday, 2))
    assert referral not in roster(session=by_module(world.group, 3))
    # Thursdays teach module 3 on 10 December and module 12 on 11 February.
    assert progress(referral=referral).projected_finish == date(2027, 2, 11)


def test_the_projected_finish_is_weighed_against_the_complete_by_date(clock, world, client):
    on_time = placed(world, name="Marc-André Poirier")
    late_joiner = placed(world, name="Paul Girard", start=by_module(world.group, 7).date)
    assert on_time.complete_by == late_joiner.complete_by == date(2027, 3, 1)
    assert progress(referral=on_time).projected_finish == date(2027, 2, 9)
    assert progress(referral=late_joiner).projected_finish == date(2027, 3, 23)

    client.force_login(world["intake"])
    page = f"/en/a/{world.agency.slug}/referrals/{{}}/"
    warning = "That is after the complete-by date: tell the court."
    assert warning not in client.get(page.format(on_time.pk)).content.decode()
    assert warning in client.get(page.format(late_joiner.pk)).content.decode()

    # A module missed is taught again a whole round later.
    take(clock, world, by_module(world.group, 7), late_joiner)
    take(clock, world, by_module(world.group, 8), late_joiner, "unexcused")
    assert progress(referral=late_joiner).projected_finish == date(2027, 4, 6)


# Generated attendance checked against a count written out here.

STATUSES = ["present", "late", "left_early", "excused", "unexcused"]
MARK = st.tuples(
    st.integers(1, 12),  # module number
    st.integers(0, 2),  # which session teaching it: world.group's first two, or a make-up
    st.sampled_from(STATUSES),
    st.integers(1, 40),  # minutes late, when late
)


def reference_count(marks, threshold) -> set:
    return {
        number
        for number, _nth, status, minutes in marks
        if status == "present" or (status == "late" and minutes <= threshold)
    }


@pytest.fixture
def slots(world):
    """(module number, n) → a session teaching it: world.group's first two rounds (n = 0, 1),
    or a make-up on Thursdays (n = 2)."""
    thursday = a_group(world, name="Jeudi soir")
    found = {
        (number, nth): by_module(world.group, number, nth)
        for number in range(1, 13)
        for nth in (0, 1)
    }
    found.update({(number, 2): by_module(thursday, number) for number in range(1, 13)})
    return found


@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    marks=st.lists(MARK, max_size=30, unique_by=lambda mark: (mark[0], mark[1])),
    threshold=st.sampled_from([0, 10, 15, 30]),
)
@example(marks=[(number, 0, "present", 1) for number in range(1, 13)], threshold=15)
@example(
    marks=[(number, 2, "late", 15) for number in range(1, 13)] + [(12, 0, "late", 16)],
    threshold=15,
)
def test_the_engine_agrees_with_a_plain_count(world, slots, marks, threshold):
    world.agency.late_threshold_minutes = threshold
    world.agency.save(update_fields=["late_threshold_minutes"])
    Attendance.objects.filter(referral=world.referral).delete()
    Attendance.objects.bulk_create(
        Attendance(
            agency=world.agency,
            session=slots[number, nth],
            referral=world.referral,
            status=status,
            minutes_late=minutes if status == "late" else None,
            makeup=nth == 2,
            recorded_by=world["facilitator"],
        )
        for number, nth, status, minutes in marks
    )
    expected = reference_count(marks, threshold)
    referral = fresh(world.referral)
    assert modules_attended(referral=referral) == expected
    assert progress(referral=referral).done == len(expected)
    assert progress(referral=referral).is_complete == (len(expected) == 12)
    assert progress_for(referrals=[referral])[referral.pk].attended == expected
