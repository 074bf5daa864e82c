"""What the roster costs as it grows: the page's queries for 2 people or 20, and a line saved
on its own, which builds that line alone."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app.models import Enrollment
from sessions_app.services.attendance import Mark, attendance_record
from tests.conftest import make_referral
from tests.sessions_app.conftest import a_group, sessions
from tests.sessions_app.test_attendance import marks, roster_url, row

pytestmark = pytest.mark.django_db

NAMES = [
    "Amélie Bouchard", "Bruno Cloutier", "Carl Desjardins", "Denis Émond", "Éric Fortin",
    "Fabien Gauthier", "Gilles Hébert", "Hugo Isabelle", "Ivan Joly", "Jacques Kirouac",
    "Kevin Lacroix", "Luc Morin", "Mathieu Nadeau", "Nicolas Ouellet", "Olivier Paquette",
    "Pierre Quintal", "Rémi Rioux", "Samuel Savard", "Thomas Turcotte", "Vincent Vachon",
]  # fmt: skip


def enrolled(world, group, session, names) -> list:
    """A referral per name, each enrolled in `group` from `session`'s day."""
    people = []
    for name in names:
        number = NAMES.index(name)
        referral = make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": name, "date_of_birth": date(1970 + len(name), 1, 1 + number)},
            court_file_number=f"4811-998-26-1{len(name):02d}{number:02d}",
        )
        Enrollment.objects.create(
            agency=world.agency,
            referral=referral,
            group=group,
            start_date=session.date,
            created_by=world["intake"],
        )
        people.append(referral)
    return people


def test_the_roster_page_costs_the_same_queries_for_2_or_20_people(clock, client, world):
    crowd = a_group(world, name="Jeudi soir", capacity=40, facilitators=[world["facilitator"]])
    session = sessions(crowd)[0]

    def join(names):
        for referral in enrolled(world, crowd, session, names):
            attendance_record(
                session=session,
                by=world["facilitator"],
                marks=[Mark(referral_id=referral.pk, status="present", note="Arrived early.")],
            )

    clock.move_to(session.starts_at)
    join(NAMES[:2])
    client.force_login(world["facilitator"])
    url = roster_url(world, session)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(url).context["rows"]) == 2
    join(NAMES[2:])
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(url).context["rows"]) == 20
    assert len(twenty) == len(two), "\n".join(query["sql"] for query in twenty.captured_queries)


def test_a_line_saved_on_its_own_builds_that_line_alone(clock, client, world, monkeypatch):
    """A roster of twenty is not built again (twice) to save and answer one of its lines."""
    from sessions_app.views import attendance

    crowd = a_group(world, name="Jeudi soir", capacity=40, facilitators=[world["facilitator"]])
    session = sessions(crowd)[0]
    people = enrolled(world, crowd, session, NAMES)
    built = []

    class Counted(attendance.RosterRowForm):
        def __init__(self, *args, referral, **kwargs):
            built.append(referral.pk)
            super().__init__(*args, referral=referral, **kwargs)

    monkeypatch.setattr(attendance, "RosterRowForm", Counted)
    clock.move_to(session.starts_at)
    client.force_login(world["facilitator"])
    chosen = people[7]
    response = client.post(
        roster_url(world, session, f"attendance/{chosen.pk}/"),
        row(chosen, "late", "5"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'id="row-{chosen.pk}"' in response.content.decode()
    assert marks(session) == {(chosen.pk, "late", 5, "")}
    assert built == [chosen.pk, chosen.pk]  # the line posted, then the line saved
