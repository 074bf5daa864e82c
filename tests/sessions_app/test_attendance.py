"""Taking attendance on the roster, and what follows from it: the absence policy's review,
a discharge reported to the court, and the completion that issues the certificate."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from referrals.models import Referral
from referrals.reasons import reason_text
from sessions_app.models import Attendance, Certificate, CourtReport, Enrollment
from sessions_app.services.attendance import Mark, attendance_record
from sessions_app.services.documents import court_report_issue
from sessions_app.services.enrollment import enroll, enrollment_move
from sessions_app.services.groups import session_cancel
from sessions_app.services.program import referral_transition
from tests.conftest import at_once
from tests.sessions_app.conftest import (
    TODAY,
    TORONTO,
    a_group,
    attended,
    by_module,
    intake_done,
    placed,
    sessions,
    status_of,
    take,
)

pytestmark = pytest.mark.django_db

NOT_YET = "The session has not happened yet: only an excused absence can be noted."
TWO_UNEXCUSED = "2 unexcused absences: the agency's limit is 2."


def roster_url(world, session, rest=""):
    return f"/en/a/{world.agency.slug}/sessions/{session.pk}/{rest}"


def row(referral, status, minutes_late="", note=""):
    prefix = f"r{referral.pk}"
    return {
        f"{prefix}-status": status,
        f"{prefix}-minutes_late": minutes_late,
        f"{prefix}-note": note,
    }


def marks(session):
    return {
        (mark.referral_id, mark.status, mark.minutes_late, mark.note)
        for mark in Attendance.objects.filter(session=session)
    }


def test_the_roster_is_saved_as_one_form(clock, client, world, english):
    paul = placed(world, name="Paul Girard")
    clock.move_to(world.session.starts_at)
    client.force_login(world["facilitator"])
    data = {**row(world.referral, "present"), **row(paul, "late", "10", "  Bus late. ")}
    response = client.post(roster_url(world, world.session), data, follow=True)
    assert response.redirect_chain == [(roster_url(world, world.session), 302)]
    assert "Attendance saved." in response.content.decode()
    assert marks(world.session) == {
        (world.referral.pk, "present", None, ""),
        (paul.pk, "late", 10, "Bus late."),
    }
    assert {row.recorded_by for row in Attendance.objects.all()} == {world["facilitator"]}


def test_one_line_is_saved_on_its_own_with_htmx(clock, client, world, english):
    clock.move_to(world.session.starts_at)
    client.force_login(world["facilitator"])
    response = client.post(
        roster_url(world, world.session, f"attendance/{world.referral.pk}/"),
        row(world.referral, "present"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<fieldset class="roster-row border rounded p-3 mb-3"')
    assert f'id="row-{world.referral.pk}"' in html
    assert "Saved." in html
    assert "<html" not in html
    assert marks(world.session) == {(world.referral.pk, "present", None, "")}


def test_present_before_the_session_is_refused_but_an_excused_absence_ahead_is_kept(
    client, world, english
):
    paul = placed(world, name="Paul Girard")
    client.force_login(world["facilitator"])
    data = {**row(world.referral, "present"), **row(paul, "excused", note="Court date.")}
    response = client.post(roster_url(world, world.session), data)
    assert response.status_code == 400
    assert NOT_YET in response.content.decode()
    assert marks(world.session) == {(paul.pk, "excused", None, "Court date.")}

    one = client.post(
        roster_url(world, world.session, f"attendance/{world.referral.pk}/"),
        row(world.referral, "present"),
        headers={"HX-Request": "true"},
    )
    assert one.status_code == 400
    assert NOT_YET in one.content.decode()


def test_attendance_at_a_cancelled_session_is_refused(clock, world, english):
    session_cancel(session=world.session, by=world["manager"], reason="Snowstorm.")
    refused = take(clock, world, world.session, world.referral)
    assert refused == {
        world.referral.pk: "This session was cancelled: there is no attendance to take."
    }
    assert not Attendance.objects.exists()


def test_someone_not_enrolled_in_the_group_is_refused(clock, world, english):
    elsewhere = placed(world, name="Paul Girard", group=a_group(world, name="Jeudi soir"))
    refused = take(clock, world, world.session, elsewhere)
    assert refused == {elsewhere.pk: "This person is not enrolled in the group on that day."}
    assert not Attendance.objects.filter(referral=elsewhere).exists()


def test_saving_twice_from_two_tabs_leaves_one_row(clock, client, world):
    clock.move_to(world.session.starts_at)
    client.force_login(world["facilitator"])
    url = roster_url(world, world.session)
    assert client.post(url, row(world.referral, "present")).status_code == 302
    assert client.post(url, row(world.referral, "late", "5")).status_code == 302
    assert marks(world.session) == {(world.referral.pk, "late", 5, "")}

    with pytest.raises(IntegrityError, match="sessions_attendance_once"), transaction.atomic():
        Attendance.objects.create(
            agency=world.agency,
            session=world.session,
            referral=world.referral,
            status="present",
            recorded_by=world["facilitator"],
        )


def test_a_make_up_is_found_by_name_then_chosen_never_added_by_the_search_alone(
    clock, client, world, english
):
    thursday = a_group(world, name="Jeudi soir")
    marc = placed(world, name="Marc-André Poirier", group=thursday)
    intake_done(world, name="Marcel Poitras")  # through intake, in no group yet
    clock.move_to(world.session.starts_at)
    client.force_login(world["facilitator"])
    url = roster_url(world, world.session, "makeup/")

    def refused(typed):
        response = client.post(url, {"q": typed})
        assert response.status_code == 400
        return response.context["makeup_form"].errors["q"]

    assert refused("Po") == ["Ensure this value has at least 3 characters (it has 2)."]
    nobody = ["Nobody enrolled in another group of this program matches."]
    assert refused("Poitras") == nobody
    assert refused("Tremblay") == nobody  # already on this roster
    found = client.post(url, {"q": "poirier"})
    assert found.status_code == 200
    choices = found.context["makeup_choice"].fields["referral"].choices
    assert [label for _, label in choices] == ["Marc-André Poirier — Jeudi soir"]
    assert marc.court_file_number not in found.content.decode()
    assert not Attendance.objects.filter(referral=marc).exists()

    chosen = client.post(url, {"referral": marc.pk})
    assert chosen.status_code == 302
    row = Attendance.objects.get(referral=marc)
    assert (row.session, row.status, row.makeup) == (world.session, "present", True)


def worded(line):
    """A reason of a report's snapshot as the report prints it."""
    return reason_text(line["reason"], line["reason_code"], line["reason_params"], line["kind"])


def test_the_second_unexcused_absence_raises_non_compliance(clock, world, english):
    referral = placed(world, name="Paul Girard")
    first, second = sessions(world.group)[:2]
    take(clock, world, first, referral, "unexcused")
    assert status_of(referral) == "enrolled"
    take(clock, world, second, referral, "unexcused")
    assert status_of(referral) == "non_compliant"
    entry = referral.timeline.get(kind="flag_non_compliance")
    assert (entry.reason_text, entry.by) == (TWO_UNEXCUSED, world["facilitator"])


def test_after_a_review_absences_count_again_from_zero(clock, world, english):
    referral = placed(world, name="Paul Girard")
    first, second, third, fourth = sessions(world.group)[:4]
    take(clock, world, first, referral, "unexcused")
    take(clock, world, second, referral, "unexcused")
    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=TORONTO))
    referral_transition(
        referral=referral, name="resume", by=world["intake"], reason="Met him: he continues."
    )
    take(clock, world, third, referral, "unexcused")
    assert status_of(referral) == "enrolled"
    take(clock, world, fourth, referral, "unexcused")
    assert status_of(referral) == "non_compliant"
    assert referral.timeline.filter(kind="flag_non_compliance").count() == 2


def test_an_absence_saved_again_unchanged_after_a_review_does_not_count_again(clock, client, world):
    referral = placed(world, name="Paul Girard")
    first, second, third = sessions(world.group)[:3]
    take(clock, world, first, referral, "unexcused")
    take(clock, world, second, referral, "unexcused")
    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=TORONTO))
    referral_transition(
        referral=referral, name="resume", by=world["intake"], reason="Met him: he continues."
    )
    # The facilitator corrects someone else's line on last night's roster; Paul's is as it was.
    clock.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=TORONTO))
    client.force_login(world["facilitator"])
    data = {**row(referral, "unexcused"), **row(world.referral, "present")}
    assert client.post(roster_url(world, second), data).status_code == 302
    assert status_of(referral) == "enrolled"
    take(clock, world, third, referral, "unexcused")
    assert status_of(referral) == "enrolled"


def test_a_discharge_reports_to_the_court_and_frees_the_place(clock, world, english):
    small = a_group(world, name="Jeudi soir", capacity=1)
    paul = placed(world, name="Paul Girard", group=small)
    waiting = intake_done(world, name="Marc-André Poirier")
    with pytest.raises(ValidationError, match=r"This group is full\."):
        enroll(referral=waiting, group=small, start_date=date(2026, 11, 26), by=world["intake"])
    first, second = sessions(small)[:2]
    take(clock, world, first, paul, "unexcused")
    take(clock, world, second, paul, "unexcused")
    referral_transition(
        referral=paul,
        name="discharge",
        by=world["intake"],
        reason="No reply.",
        discharge_reason="absences",
    )
    court_report_issue(referral=paul, kind="non_compliance", by=world["intake"])

    report = CourtReport.objects.get(referral=paul)
    assert (report.kind, report.language, report.issued_by) == (
        "non_compliance",
        "en",
        world["intake"],
    )
    flagged = report.details["reasons"][0]
    assert (flagged["kind"], worded(flagged)) == ("flag_non_compliance", TWO_UNEXCUSED)
    assert [absence["status"] for absence in report.details["absences"]] == ["unexcused"] * 2
    place = Enrollment.objects.get(referral=paul)
    assert (place.ended_on, place.end_reason) == (date(2026, 12, 3), "discharged")
    enroll(referral=waiting, group=small, start_date=date(2026, 12, 10), by=world["intake"])
    assert status_of(waiting) == "enrolled"


def test_the_discharge_report_gives_the_discharge_and_its_reason(clock, world, english):
    paul = placed(world, name="Paul Girard")
    for session in sessions(world.group)[:2]:
        take(clock, world, session, paul, "unexcused")
    referral_transition(
        referral=paul,
        name="discharge",
        by=world["intake"],
        reason="No reply.",
        discharge_reason="absences",
    )
    report = court_report_issue(referral=paul, kind="non_compliance", by=world["intake"])
    assert [(line["kind"], worded(line)) for line in report.details["reasons"]] == [
        ("flag_non_compliance", TWO_UNEXCUSED),
        ("discharge", "No reply."),
    ]


def test_the_twelfth_module_completes_and_issues_the_certificate_in_the_persons_language(
    clock, world
):
    thursday = a_group(world, name="Thursday evening", language="en")
    paul = placed(world, name="Paul Girard", group=thursday, language="en")
    twelve = sessions(thursday)[:12]
    for session in twelve:
        assert take(clock, world, session, paul) == {}
    assert status_of(paul) == "completed"
    certificate = Certificate.objects.get(referral=paul)
    assert (certificate.language, certificate.revoked_at) == ("en", None)
    assert certificate.details["modules"][0]["title"] == "Understanding partner violence and abuse"
    assert certificate.details["completed_on"] == twelve[-1].date.isoformat() == "2027-02-11"
    place = Enrollment.objects.get(referral=paul)
    assert (place.ended_on, place.end_reason) == (date(2027, 2, 11), "completed")
    assert paul.timeline.get(kind="complete").by == world["facilitator"]


def test_a_person_who_finished_while_under_review_completes_when_resumed(clock, world):
    referral = placed(world, name="Paul Girard")
    ten, missed = sessions(world.group)[:10], sessions(world.group)[10:12]
    for session in ten:
        take(clock, world, session, referral)
    for session in missed:
        take(clock, world, session, referral, "unexcused")
    assert status_of(referral) == "non_compliant"
    # Make-ups of modules 11 and 12 on Thursdays, the weeks after.
    later = a_group(world, name="Jeudi soir", start_date=date(2026, 12, 10))
    take(clock, world, by_module(later, 11), referral, makeup=True)
    take(clock, world, by_module(later, 12), referral, makeup=True)
    referral_transition(
        referral=referral, name="resume", by=world["intake"], reason="Made them all up."
    )
    assert status_of(referral) == "completed"
    assert Certificate.objects.filter(referral=referral).exists()


def test_the_roster_page_is_for_staff_who_take_attendance(client, world):
    url = roster_url(world, world.session)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")
    client.force_login(world["other_facilitator"])
    assert client.get(url).status_code == 404
    client.force_login(world["partner_contact"])
    assert client.get(url).status_code == 403
    client.force_login(world["facilitator"])
    response = client.get(url)
    assert response.status_code == 200
    assert [form.referral for form in response.context["rows"]] == [world.referral]


def test_a_facilitator_sees_only_the_groups_they_run(client, world):
    other = a_group(world, name="Jeudi soir", facilitators=[world["manager"]])
    client.force_login(world["facilitator"])
    listed = client.get(f"/en/a/{world.agency.slug}/groups/").context["page"]
    assert [group.name for group in listed] == ["Mardi soir"]
    assert client.get(roster_url(world, sessions(other)[0])).status_code == 404
    assert client.get(f"/en/a/{world.agency.slug}/groups/{other.pk}/").status_code == 404
    client.force_login(world["intake"])
    listed = client.get(f"/en/a/{world.agency.slug}/groups/").context["page"]
    assert sorted(group.name for group in listed) == ["Jeudi soir", "Mardi soir"]


# Make-ups.


def test_someone_who_left_this_group_is_found_for_a_make_up_and_its_members_are_not(
    clock, client, world, english
):
    paul = placed(world, name="Paul Girard")
    thursday = a_group(world, name="Jeudi soir")
    enrollment_move(
        referral=paul, group=thursday, start_date=TODAY, by=world["intake"], reason="Works late."
    )
    placed(world, name="Marc Girard")  # in this group now: on its roster, not a make-up
    next_tuesday = sessions(world.group)[1]
    clock.move_to(next_tuesday.starts_at)
    client.force_login(world["facilitator"])
    found = client.post(roster_url(world, next_tuesday, "makeup/"), {"q": "Girard"})
    assert found.status_code == 200
    choices = found.context["makeup_choice"].fields["referral"].choices
    assert [label for _, label in choices] == ["Paul Girard — Jeudi soir"]


# Two saves that complete the same person at the same moment (each on its own connection).


def _saving(world, session, referral, *, makeup):
    def call():
        mark = Mark(referral_id=referral.pk, status=Attendance.Status.PRESENT)
        return attendance_record(
            session=session, by=world["facilitator"], marks=[mark], makeup=makeup
        )

    return call


def _completed_once(referral):
    assert status_of(referral) == "completed"
    assert Certificate.objects.filter(referral=referral).count() == 1
    assert referral.timeline.filter(kind="complete").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_make_up_and_a_roster_mark_that_each_complete_the_program_at_once_are_both_kept(
    clock, world
):
    paul = placed(world, name="Paul Girard")
    thursday = a_group(world, name="Jeudi soir")
    attended(world, paul, [by_module(world.group, number) for number in range(1, 12)])
    tuesday_12, thursday_12 = by_module(world.group, 12), by_module(thursday, 12)
    clock.move_to(thursday_12.starts_at + timedelta(hours=1))

    results = at_once(
        _saving(world, tuesday_12, paul, makeup=False),
        _saving(world, thursday_12, paul, makeup=True),
    )
    assert results == [{}, {}]
    kept = Attendance.objects.filter(referral=paul, session__in=[tuesday_12, thursday_12])
    assert set(kept.values_list("session_id", "status", "makeup")) == {
        (tuesday_12.pk, "present", False),
        (thursday_12.pk, "present", True),
    }
    _completed_once(paul)


def test_a_make_up_noted_just_after_the_person_completed_elsewhere_is_kept(
    clock, client, world, english
):
    paul = placed(world, name="Paul Girard")
    thursday = a_group(world, name="Jeudi soir", facilitators=[world["facilitator"]])
    attended(world, paul, [by_module(world.group, number) for number in range(1, 12)])
    tuesday_12, thursday_12 = by_module(world.group, 12), by_module(thursday, 12)
    clock.move_to(thursday_12.starts_at + timedelta(hours=1))
    assert _saving(world, tuesday_12, paul, makeup=False)() == {}
    assert status_of(paul) == "completed"

    client.force_login(world["facilitator"])
    response = client.post(roster_url(world, thursday_12, "makeup/"), {"referral": paul.pk})
    assert response.status_code == 302
    row = Attendance.objects.get(referral=paul, session=thursday_12)
    assert (row.status, row.makeup) == ("present", True)
    # A make-up at a session held before that day is kept too; after it, there is none.
    assert _saving(world, by_module(thursday, 11), paul, makeup=True)() == {}
    after = sessions(thursday)[sessions(thursday).index(thursday_12) + 1]
    clock.move_to(after.starts_at + timedelta(hours=1))
    assert _saving(world, after, paul, makeup=True)() == {
        paul.pk: "Only someone enrolled in a group can come as a make-up."
    }


# What was noted ahead in a group the person leaves.


def _excused_ahead(world, session, referral, *, makeup=False):
    mark = Mark(referral_id=referral.pk, status=Attendance.Status.EXCUSED)
    saved = attendance_record(session=session, by=world["facilitator"], marks=[mark], makeup=makeup)
    assert saved == {}


def test_absences_noted_ahead_in_a_group_left_are_removed_and_count_for_nothing(
    clock, world, english
):
    paul = placed(world, name="Paul Girard")
    for session in sessions(world.group)[1:3]:  # the next two Tuesdays, told in advance
        _excused_ahead(world, session, paul)
    held = world.session
    clock.move_to(held.starts_at + timedelta(hours=1))
    assert take(clock, world, held, paul, "present") == {}
    thursday = a_group(world, name="Jeudi soir", start_date=date(2026, 11, 26))
    enrollment_move(
        referral=paul, group=thursday, start_date=TODAY, by=world["intake"], reason="Works late."
    )
    left = Attendance.objects.filter(referral=paul).values_list("session_id", "status")
    assert list(left) == [(held.pk, "present")]  # what was held stays

    take(clock, world, sessions(thursday)[0], paul, "unexcused")
    take(clock, world, sessions(thursday)[1], paul, "excused")
    assert status_of(paul) == "enrolled"  # two absences, not four: the limit is three


def test_leaving_the_program_removes_what_was_noted_ahead_anywhere(clock, world):
    paul = placed(world, name="Paul Girard")
    thursday = a_group(world, name="Jeudi soir")
    _excused_ahead(world, sessions(world.group)[1], paul)
    _excused_ahead(world, sessions(thursday)[1], paul, makeup=True)
    referral_transition(referral=paul, name="withdraw", by=world["intake"], reason="Moved away.")
    assert not Attendance.objects.filter(referral=paul).exists()


def test_a_report_lists_no_absence_dated_after_its_own_day(clock, world, english):
    paul = placed(world, name="Paul Girard")
    next_week = sessions(world.group)[1]
    _excused_ahead(world, next_week, paul)
    today = court_report_issue(referral=paul, kind=CourtReport.Kind.PROGRESS, by=world["intake"])
    assert today.details["absences"] == []
    # Positive control: once that day has come, the absence is reported.
    clock.move_to(next_week.starts_at + timedelta(hours=3))
    later = court_report_issue(referral=paul, kind=CourtReport.Kind.PROGRESS, by=world["intake"])
    assert later.details["absences"] == [{"date": "2026-12-01", "status": "excused"}]


# A closed file keeps its marks.


def test_the_absences_a_discharge_rests_on_cannot_be_rewritten_afterwards(clock, world, english):
    paul = placed(world, name="Paul Girard")
    marc = placed(world, name="Marc-André Poirier")
    first, second = sessions(world.group)[:2]
    for session in (first, second):
        take(clock, world, session, paul, "unexcused")
        take(clock, world, session, marc, "unexcused")
    referral_transition(
        referral=paul,
        name="discharge",
        by=world["intake"],
        reason="No reply.",
        discharge_reason="absences",
    )
    marks = [
        Mark(referral_id=paul.pk, status="present"),
        Mark(referral_id=marc.pk, status="present"),
    ]
    errors = attendance_record(session=first, by=world["facilitator"], marks=marks)
    assert errors == {
        paul.pk: "This person's file is closed (Discharged): their attendance no longer changes."
    }
    kept = dict(Attendance.objects.filter(session=first).values_list("referral_id", "status"))
    # The control: the person still in the program has the mark changed.
    assert kept == {paul.pk: "unexcused", marc.pk: "present"}
    # Saving the roster again as it stands is no error.
    same = [Mark(referral_id=paul.pk, status="unexcused")]
    assert attendance_record(session=first, by=world["facilitator"], marks=same) == {}


def test_a_completed_file_keeps_the_marks_its_certificate_lists(clock, world, english):
    paul = placed(world, name="Paul Girard")
    twelve = sessions(world.group)[:12]
    for session in twelve:
        take(clock, world, session, paul)
    assert status_of(paul) == "completed"
    marks = [Mark(referral_id=paul.pk, status="unexcused")]
    errors = attendance_record(session=twelve[3], by=world["facilitator"], marks=marks)
    assert errors == {
        paul.pk: "This person's file is closed (Completed): their attendance no longer changes."
    }
    assert Attendance.objects.get(session=twelve[3], referral=paul).status == "present"


def test_a_transferred_file_takes_no_new_mark_that_would_change_the_other_agencys_count(
    clock, world, english
):
    paul = placed(world, name="Paul Girard")
    first, second = sessions(world.group)[:2]
    take(clock, world, first, paul)
    Referral.objects.filter(pk=paul.pk).update(status="transferred")
    clock.move_to(second.starts_at + timedelta(minutes=5))
    marks = [Mark(referral_id=paul.pk, status="present")]
    errors = attendance_record(session=second, by=world["facilitator"], marks=marks)
    assert errors == {
        paul.pk: "This person's file is closed (Transferred): their attendance no longer changes."
    }
    assert not Attendance.objects.filter(session=second, referral=paul).exists()
