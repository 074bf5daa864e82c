"""Groups and their schedule: weekly sessions from the first such weekday, open entry going
round and a closed cohort stopping at twelve; moving a session; the twelve modules of every
curriculum version; who may be placed in a group; a facilitator's private calendar feed."""

import logging
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import formats
from icalendar import Calendar

from ipv.accounts.services import roles_change, staff_deactivate
from referrals.models import Referral
from sessions_app.models import Curriculum, Enrollment, Module
from sessions_app.services.enrollment import enroll
from sessions_app.services.groups import (
    curriculum_current,
    curriculum_revise,
    group_create,
    session_move,
    sessions_extend,
)
from tests.conftest import at_once, make_referral
from tests.factories import AgencyFactory
from tests.fuzz.forms import form_fields
from tests.sessions_app.conftest import (
    TODAY,
    TORONTO,
    a_group,
    intake_done,
    placed,
    sessions,
)

pytestmark = pytest.mark.django_db

ROUND = list(range(1, 13))
TWELVE = "a curriculum has exactly 12 modules"


def schedule(group):
    return [
        (session.date, session.start_time, session.module.number) for session in sessions(group)
    ]


def test_an_open_entry_group_meets_weekly_from_the_first_such_day_going_round(world):
    group = group_create(
        agency=world.agency,
        by=world["manager"],
        name="Vendredi matin",
        program="ipv",
        language="fr",
        weekday=4,
        start_time=time(9, 30),
        start_date=date(2026, 11, 25),
        location="200 Elgin Street",
    )
    assert group.start_date == date(2026, 11, 27)
    # Every Friday up to 26 weeks ahead (25 May 2027), modules 1 to 12 and round again.
    fridays = [date(2026, 11, 27) + timedelta(weeks=week) for week in range(26)]
    assert fridays[-1] == date(2027, 5, 21)
    assert schedule(group) == [
        (day, time(9, 30), number) for day, number in zip(fridays, ROUND * 2 + [1, 2], strict=True)
    ]


def test_a_closed_cohort_stops_after_module_12(world):
    cohort = a_group(world, name="Cohorte de novembre", format="closed")
    assert [number for _day, _time, number in schedule(cohort)] == ROUND
    assert schedule(cohort)[-1][0] == date(2027, 2, 11)


def test_extending_a_schedule_again_writes_nothing_twice(clock, world):
    cohort = a_group(world, name="Cohorte de novembre", format="closed")
    before = schedule(world.group)
    assert len(before) == 27
    assert sessions_extend(group=world.group) == 0
    assert sessions_extend(group=cohort) == 0
    assert schedule(world.group) == before

    clock.move_to(datetime(2026, 12, 22, 9, 0, tzinfo=TORONTO))
    assert sessions_extend(group=world.group) == 4
    assert sessions_extend(group=world.group) == 0
    assert sessions_extend(group=cohort, until=date(2027, 12, 31)) == 0
    assert schedule(world.group)[27:] == [
        (date(2027, 6, 1), time(18, 30), 4),
        (date(2027, 6, 8), time(18, 30), 5),
        (date(2027, 6, 15), time(18, 30), 6),
        (date(2027, 6, 22), time(18, 30), 7),
    ]


def _move(world, session, day, at=time(18, 30)):
    return session_move(
        session=session, by=world["manager"], date=day, start_time=at, reason="Room taken."
    )


def test_a_session_is_moved_to_a_day_to_come_when_the_group_is_free(world, english):
    second, third, fourth = sessions(world.group)[1:4]
    with pytest.raises(ValidationError) as past:
        _move(world, second, date(2026, 11, 23))
    assert past.value.message_dict == {"date": ["Choose a day to come."]}
    with pytest.raises(ValidationError) as clash:
        _move(world, third, fourth.date)
    assert clash.value.message_dict == {"date": ["The group already meets that day."]}

    moved = _move(world, second, date(2026, 12, 2), at=time(19, 0))
    assert (moved.date, moved.start_time, moved.moved_from, moved.note) == (
        date(2026, 12, 2),
        time(19, 0),
        date(2026, 12, 1),
        "Room taken.",
    )
    assert [day for day, _time, _number in schedule(world.group)[:4]] == [
        date(2026, 11, 24),
        date(2026, 12, 2),
        date(2026, 12, 8),
        date(2026, 12, 15),
    ]


def _modules(agency, curriculum, count):
    Module.objects.bulk_create(
        Module(
            agency=agency,
            curriculum=curriculum,
            number=number,
            title_fr=f"Module {number}",
            title_en=f"Module {number}",
        )
        for number in range(1, count + 1)
    )


@pytest.mark.django_db(transaction=True)
def test_a_curriculum_version_has_twelve_modules_when_its_transaction_commits():
    agency = AgencyFactory(slug="riviere")
    with pytest.raises(IntegrityError, match=TWELVE), transaction.atomic():
        eleven = Curriculum.objects.create(agency=agency, program="ipv", version=1)
        _modules(agency, eleven, 11)
    assert not Curriculum.objects.exists()
    assert not Module.objects.exists()

    with transaction.atomic():
        twelve = Curriculum.objects.create(agency=agency, program="ipv", version=1)
        _modules(agency, twelve, 12)
    assert twelve.modules.count() == 12
    with pytest.raises(IntegrityError, match=TWELVE), transaction.atomic():
        twelve.modules.filter(number=12).delete()
    assert twelve.modules.count() == 12


@pytest.mark.django_db(transaction=True)
def test_two_first_looks_at_once_write_the_default_curriculum_once():
    agency = AgencyFactory(slug="riviere")

    def look():
        return curriculum_current(agency=agency, program="ipv").pk

    first, second = at_once(look, look)
    assert first == second
    assert list(Curriculum.objects.values_list("version", flat=True)) == [1]
    assert Module.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_two_revisions_at_once_are_saved_one_after_the_other(world):
    curriculum_current(agency=world.agency, program="ipv")

    def revise(title):
        modules = [{"title_fr": f"{title} {n}", "title_en": f"{title} {n}"} for n in range(12)]
        return curriculum_revise(
            agency=world.agency, program="ipv", by=world["manager"], modules=modules
        ).version

    assert sorted(at_once(lambda: revise("A"), lambda: revise("B"))) == [2, 3]
    versions = Curriculum.objects.filter(agency=world.agency).order_by("version")
    assert list(versions.values_list("version", flat=True)) == [1, 2, 3]


def test_a_new_version_of_eleven_modules_is_refused(world, english):
    eleven = [{"title_fr": "Module", "title_en": "Module"} for _number in range(11)]
    with pytest.raises(ValidationError) as refused:
        curriculum_revise(agency=world.agency, program="ipv", by=world["manager"], modules=eleven)
    assert refused.value.messages == ["A curriculum has exactly twelve modules."]
    assert list(
        Curriculum.objects.filter(agency=world.agency).values_list("version", flat=True)
    ) == [1]


def _refused(world, referral, group) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        enroll(referral=referral, group=group, start_date=TODAY, by=world["intake"])
    assert not Enrollment.objects.filter(referral=referral).exists()
    assert Referral.objects.get(pk=referral.pk).status == referral.status
    return refused.value.messages


def test_enrolment_refuses_a_full_group(world, english):
    small = a_group(world, name="Jeudi soir", capacity=1)
    placed(world, name="Paul Girard", group=small)
    waiting = intake_done(world, name="Marc-André Poirier")
    assert _refused(world, waiting, small) == ["This group is full."]


def test_enrolment_refuses_a_group_of_the_other_program(world, english):
    world.agency.programs, world.agency.indigenous_led = ["ipv", "ipiv"], True
    world.agency.save(update_fields=["programs", "indigenous_led"])
    circle = a_group(world, name="Cercle du jeudi", program="ipiv")
    waiting = intake_done(world, name="Marc-André Poirier")
    assert _refused(world, waiting, circle) == ["This group runs the other program."]


def test_enrolment_refuses_a_group_in_another_language(world, english):
    thursday = a_group(world, name="Thursday evening", language="en")
    waiting = intake_done(world, name="Marc-André Poirier", language="fr")
    assert _refused(world, waiting, thursday) == [
        "This group is not in the person's language of service."
    ]


def test_enrolment_refuses_a_referral_not_through_intake(world, english):
    received = make_referral(
        world.agency, world["intake"], world.court, court_file_number="4811-998-26-00077"
    )
    assert _refused(world, received, world.group) == [
        "Not possible while the referral is “Received”."
    ]


# The facilitator's calendar feed.


def _feed(client, world, **data):
    client.force_login(world["facilitator"])
    response = client.post(f"/en/a/{world.agency.slug}/calendar/", data)
    assert response.status_code == 200
    client.logout()
    return response.context["token"]


def _ics(client, token):
    return client.get(f"/en/calendar/{token}.ics")


def test_the_calendar_feed_lists_the_facilitators_sessions_and_no_one_in_them(client, world):
    placed(world, name="Éloïse Côté-Bérubé")
    a_group(world, name="Jeudi soir", facilitators=[world["manager"]])
    response = _ics(client, _feed(client, world))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 27
    assert {str(event["summary"]).split(" — ")[0] for event in events} == {"Mardi soir"}
    first = events[0]
    assert str(first["summary"]) == "Mardi soir — 1. Understanding partner violence and abuse"
    assert first.decoded("dtstart") == datetime(2026, 11, 24, 18, 30, tzinfo=TORONTO)
    assert str(first["location"]) == "100 Main Street"
    body = response.content.decode()
    for name in ("Jean-Marc", "Éloïse", "Côté-Bérubé", "Jeudi soir"):
        assert name not in body


def test_the_calendar_address_never_reaches_a_log_line(client, world, caplog, capsys):
    token = _feed(client, world)
    caplog.set_level(logging.DEBUG)
    capsys.readouterr()
    assert _ics(client, token).status_code == 200
    logs = caplog.text + "".join(capsys.readouterr())
    assert "/en/calendar/…" in logs
    assert token not in logs


def test_a_new_calendar_address_turns_the_old_one_off(client, world):
    old = _feed(client, world)
    new = _feed(client, world)
    assert old != new
    assert _ics(client, old).status_code == 404
    assert _ics(client, new).status_code == 200
    assert _feed(client, world, action="revoke") is None
    assert _ics(client, new).status_code == 404


def test_the_calendar_of_a_deactivated_person_stops(client, world):
    token = _feed(client, world)
    assert _ics(client, token).status_code == 200
    staff_deactivate(user=world["facilitator"], agency=world.agency, by=world["manager"])
    assert _ics(client, token).status_code == 404


def test_the_calendar_stops_when_the_person_is_no_longer_a_facilitator(client, world):
    token = _feed(client, world)
    roles_change(
        user=world["facilitator"], agency=world.agency, roles=["intake"], by=world["manager"]
    )
    assert _ics(client, token).status_code == 404


def test_the_group_list_and_a_group_page_cost_the_same_queries_as_they_grow(client, world):
    """Three more groups and five more people in one of them: the same queries."""
    client.force_login(world["manager"])
    base = f"/en/a/{world.agency.slug}/groups/"
    placed(world, name="Paul Girard")

    def counted(url, listed):
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context[listed]) >= 1
        return len(queries), len(response.context[listed])

    small_list = counted(base, "page")
    small_page = counted(f"{base}{world.group.pk}/", "members")
    for name in ("Jeudi soir", "Lundi matin", "Mercredi midi"):
        a_group(world, name=name, facilitators=[world["facilitator"]])
    for name in ("Marc Allard", "Jean Côté", "Luc Dion", "Yves Roy", "Guy Poulin"):
        placed(world, name=name)
    big_list = counted(base, "page")
    big_page = counted(f"{base}{world.group.pk}/", "members")
    assert big_list[1] == small_list[1] + 3
    assert big_page[1] == small_page[1] + 5
    assert big_list[0] == small_list[0]
    assert big_page[0] == small_page[0]


def test_the_group_list_shows_running_groups_and_the_closed_on_their_own_tab(client, world):
    from sessions_app import views
    from sessions_app.models import Group

    client.force_login(world["intake"])
    base = f"/fr/a/{world.agency.slug}/groups/"
    closed = a_group(world, name="Ancien groupe du lundi")
    Group.objects.filter(pk=closed.pk).update(is_active=False)
    running = client.get(base)
    assert world.group.name in running.text and closed.name not in running.text
    assert 'aria-current="page">Groupes actifs<' in running.text
    shut = client.get(f"{base}?show=closed")
    assert closed.name in shut.text and world.group.name not in shut.text
    # A page at a time: the first page is full, the rest on the next.
    size = views.groups.PAGE_SIZE
    Group.objects.bulk_create(
        [
            Group(
                agency=world.agency,
                name=f"Groupe {number:03}",
                program="ipv",
                language="fr",
                weekday=6,
                start_time=time(9, 0),
                start_date=TODAY,
                location="200 Elgin Street",
                capacity=12,
            )
            for number in range(size)
        ]
    )
    first, second = client.get(base), client.get(f"{base}?page=2")
    assert len(first.context["page"]) == size
    assert "Groupe 049" not in first.text and "Groupe 049" in second.text
    assert 'href="?page=2"' in first.text


def test_a_groups_page_lists_sessions_by_date_marks_the_next_and_folds_the_past(
    clock, client, world, english
):
    # The second session is moved past the others: written early, it now comes last.
    second = sessions(world.group)[1]
    _move(world, second, date(2027, 6, 1))
    clock.move_to(datetime(2026, 12, 9, 10, 0, tzinfo=TORONTO))
    client.force_login(world["facilitator"])
    response = client.get(f"/en/a/{world.agency.slug}/groups/{world.group.pk}/")
    assert response.status_code == 200
    schedule = response.context["schedule"]
    assert [session.date for session in schedule.past] == [date(2026, 11, 24), date(2026, 12, 8)]
    upcoming = [session.date for session in schedule.upcoming]
    assert upcoming == sorted(upcoming)
    assert (upcoming[0], upcoming[-1]) == (date(2026, 12, 15), date(2027, 6, 1))
    assert schedule.next.date == date(2026, 12, 15)

    html = response.content.decode()
    start = html.index('<details class="mb-3">')  # no "open": closed until someone opens it
    folded = html[start : html.index("</details>", start)]
    assert "2 past sessions" in folded
    assert folded.count("<tr") == 3  # the header and the two sessions held
    rows = [row for row in html.split("<tr") if "Next session" in row]
    assert len(rows) == 1
    assert formats.date_format(date(2026, 12, 15), "SHORT_DATE_FORMAT") in rows[0]


def test_the_curriculum_page_saves_a_new_version_from_its_own_form(client, world):
    """The page's form posted back with one title changed: a new version, the old one kept."""
    client.force_login(world["manager"])
    url = f"/en/a/{world.agency.slug}/curriculum/ipv/edit/"
    page = client.get(url)
    data = {one.name: one.value for one in form_fields(page.content, url)}
    for name in ("title_fr", "title_en", "description_fr", "description_en"):
        for number in range(12):
            data[f"form-{number}-{name}"] = page.context["formset"][number].initial[name]
    data["form-0-title_en"] = "Understanding partner abuse"

    response = client.post(url, data)

    assert response.status_code == 302
    versions = Curriculum.objects.filter(agency=world.agency, program="ipv").order_by("version")
    assert [c.version for c in versions] == [1, 2]
    assert versions[1].modules.get(number=1).title_en == "Understanding partner abuse"
    assert versions[0].modules.get(number=1).title_en != "Understanding partner abuse"
