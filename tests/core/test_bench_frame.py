"""`make bench`'s frames: a staff page with nothing in it, served from the bench's own URLconf
(the site has no such route), for members of the agency only, and its floor (the session, the
person and their roles, as hand-written SQL) reading what the frame shows; a public page's; an
API call's, which a token must be allowed."""

import pytest
from django.db import connection

from ipv.accounts.models import LiaisonProfile, Role, User
from ipv.audit.models import AuditEvent
from ipv.pages import bench
from referrals import bench as referrals_bench
from tests.api.tokens import bearer, issue
from tests.conftest import make_person
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def frame(settings):
    settings.ROOT_URLCONF = bench.URLCONF
    agency = AgencyFactory(slug=referrals_bench.AGENCY, name_fr="Agence du banc")
    make_person(referrals_bench.INTAKE_WORKER, "Irène Banc", agency=agency, roles=[Role.INTAKE])
    return agency


def test_the_frame_is_the_base_template_for_a_member(client, frame):
    client.force_login(make_person("outsider@example.org", "Olivier Dehors"))
    assert client.get(bench.FRAME).status_code == 404

    client.force_login(User.objects.get(email=referrals_bench.INTAKE_WORKER))
    response = client.get(bench.FRAME)
    assert response.status_code == 200
    assert "Irène Banc" in response.text
    assert "Agence du banc" in response.text


def test_the_public_and_the_api_frames(client, frame, world):
    assert client.get(bench.PUBLIC_FRAME).status_code == 200
    assert client.get(bench.API_FRAME).status_code == 401
    allowed = issue(world["liaison"], [world.court])
    response = client.get(bench.API_FRAME, **bearer(allowed))
    assert response.status_code == 200 and response.json() == {}
    assert AuditEvent.objects.filter(action="api_called").exists()


def test_the_site_has_no_frame(client, frame, settings):
    settings.ROOT_URLCONF = "ipv.urls"
    assert client.get(bench.PUBLIC_FRAME).status_code == 404
    assert client.get(bench.API_FRAME).status_code == 404
    client.force_login(User.objects.get(email=referrals_bench.INTAKE_WORKER))
    assert client.get(bench.FRAME).status_code == 404


def test_the_floor_reads_the_session_the_person_their_roles_and_the_agency(frame, world):
    officer = make_person(referrals_bench.LIAISON_OFFICER, "Léa Banc")
    LiaisonProfile.objects.create(user=officer).courts.add(world.court)  # the API frame's
    [(session_sql, session_params), (person_sql, person_params)] = bench.floors()[
        "staff page frame, nothing in it"
    ]
    with connection.cursor() as cursor:
        cursor.execute(session_sql, session_params)
        assert len(cursor.fetchall()) == 1
        cursor.execute(person_sql, person_params)
        [row] = cursor.fetchall()
    assert row[2] == "Irène Banc"
    assert row[5] is True  # a second factor
    assert row[6] == [Role.INTAKE]
    assert row[9] == "Agence du banc"
