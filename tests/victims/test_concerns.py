"""A facilitator's concern for someone's safety, raised from the roster: it becomes an urgent
task for outreach about each person the order names, and whoever raised it sees nothing of
them — not who they are, not how many."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import translation

from ipv.accounts.models import Role
from ipv.audit.models import AuditEvent
from sessions_app.models import Enrollment
from sessions_app.services.groups import group_create
from tests.conftest import make_person
from victims.models import Assignment, Concern, OutreachTask, Victim
from victims.models.outreach import TaskKind
from victims.models.people import ConsentState, OutreachState
from victims.rls import confidential
from victims.services import victims_record

pytestmark = pytest.mark.django_db

# A Tuesday morning: world.group meets on Tuesdays at 18:30, from tonight on.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
TODAY = NOW.date()

# Names found nowhere else, so that their absence from a page means something.
VICTIM = "Quillon Vandermeersch"
PARTNER = "Rosalind Featherstonhaugh"
NEVER = "Ysolde Wintringham"
NOTE = "Said in group tonight that he would make her pay when he gets home."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def named(world):
    """Three people named in the first referral's order: the victim, a current partner who
    withdrew consent, and someone who must never be contacted."""
    victims_record(
        agency=world.agency,
        referral=world.referral,
        by=world["intake"],
        people=[
            {"full_name": VICTIM, "relationship": "victim", "phone": "+16135550142"},
            {"full_name": PARTNER, "relationship": "current_partner"},
            {"full_name": NEVER, "relationship": "former_partner"},
        ],
    )
    # The names are encrypted: a person is found by reading them, not by a query on the name.
    with confidential(world.agency):
        Victim.objects.filter(pk=person(world, PARTNER).pk).update(
            consent_contact=ConsentState.WITHDRAWN
        )
        Victim.objects.filter(pk=person(world, NEVER).pk).update(do_not_contact=True)
    return world


def person(world, name):
    with confidential(world.agency):
        return next(
            v for v in Victim.objects.filter(referral=world.referral) if v.full_name == name
        )


def concern_url(world, referral=None, agency=None):
    referral = referral or world.referral
    return f"/en/a/{(agency or world.agency).slug}/referrals/{referral.pk}/concern/"


def roster_url(world):
    return f"/en/a/{world.agency.slug}/sessions/{world.session.pk}/"


def tasks_of(world):
    with confidential(world.agency):
        return list(
            OutreachTask.objects.filter(referral=world.referral)
            .select_related("victim")
            .order_by("pk")
        )


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(concern_url(world))
    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"].startswith(reverse("account_login"))


def test_another_agencys_referral_answers_404(client, world):
    client.force_login(world["other_manager"])
    assert client.get(concern_url(world, agency=world.other_agency)).status_code == 404
    response = client.post(concern_url(world, agency=world.other_agency), {"note": NOTE})
    assert response.status_code == 404
    assert Concern.objects.count() == 0


def test_a_partner_contact_worker_uses_their_own_tools(client, world):
    client.force_login(world["partner_contact"])
    assert client.get(concern_url(world)).status_code == 403


def test_a_facilitator_of_another_group_gets_404(client, world):
    other = make_person(
        "facilitator2@riviere.test",
        "Gaston Pelletier",
        agency=world.agency,
        roles=[Role.FACILITATOR],
    )
    group_create(
        agency=world.agency,
        by=world["manager"],
        facilitators=[other],
        name="Jeudi soir",
        program="ipv",
        language="fr",
        weekday=3,
        start_time=time(18, 30),
        start_date=date(2026, 11, 26),
        location="100 Main Street",
    )
    client.force_login(other)
    assert client.get(concern_url(world)).status_code == 404
    assert client.post(concern_url(world), {"note": NOTE}).status_code == 404
    assert Concern.objects.count() == 0


def test_a_facilitator_raises_a_concern_from_the_roster_and_sees_nothing_of_the_victims(
    client, named
):
    world = named
    client.force_login(world["facilitator"])
    roster = client.get(roster_url(world)).content.decode()
    link = f'href="{concern_url(world)}?next={roster_url(world)}"'
    assert link in roster
    page = client.get(f"{concern_url(world)}?next={roster_url(world)}")
    html = page.content.decode()
    assert page.status_code == 200
    assert world.referral.participant.display_name in html
    assert "will not see anything about the people concerned" in html
    assert f'name="next" value="{roster_url(world)}"' in html

    response = client.post(concern_url(world), {"note": NOTE, "next": roster_url(world)})
    assert response.status_code == 302
    assert response["Location"] == roster_url(world)
    after = client.get(response["Location"]).content.decode()
    assert "Your concern was sent to the partner-contact team." in after
    for page_html in (roster, html, after):
        for name in (VICTIM, PARTNER, NEVER):
            assert name not in page_html
        assert "3 people" not in page_html and "2 people" not in page_html


def test_a_facilitator_may_raise_one_about_someone_who_has_left_their_group(client, world):
    Enrollment.objects.filter(referral=world.referral).update(
        ended_on=TODAY, end_reason=Enrollment.End.LEFT
    )
    client.force_login(world["facilitator"])
    assert client.get(concern_url(world)).status_code == 200


def test_the_concern_is_an_urgent_task_due_today_for_each_person_who_may_be_told(client, named):
    world = named
    with confidential(world.agency):
        Assignment.objects.create(
            agency=world.agency,
            referral=world.referral,
            worker=world["partner_contact"],
            assigned_by=world["manager"],
        )
    client.force_login(world["facilitator"])
    client.post(concern_url(world), {"note": NOTE})
    tasks = tasks_of(world)
    # Nobody is asked to contact the person who must never be contacted.
    assert [task.victim.full_name for task in tasks] == [VICTIM, PARTNER]
    assert {(t.kind, t.urgent, t.due_on, t.assignee) for t in tasks} == {
        (TaskKind.CONCERN, True, TODAY, world["partner_contact"])
    }
    # A threat is a mandatory notice: the partner who withdrew consent is still told.
    assert [task.mandatory for task in tasks] == [True, True]
    with confidential(world.agency):
        concern = Concern.objects.get()
    assert concern.note == NOTE
    assert concern.raised_by == world["facilitator"]
    assert {task.concern_id for task in tasks} == {concern.pk}


def test_the_note_is_encrypted_at_rest_and_the_audit_trail_names_only_the_concern(client, named):
    world = named
    client.force_login(world["facilitator"])
    client.post(concern_url(world), {"note": NOTE})
    with connection.cursor() as cursor:
        cursor.execute("SELECT note::text FROM victims_concern")
        (stored,) = cursor.fetchone()
    assert stored and "make her pay" not in stored
    event = AuditEvent.objects.get(target_type="victims.concern")
    assert event.actor == world["facilitator"]
    assert event.action == AuditEvent.Action.RECORD_CREATED
    assert event.details == {"event": "concern", "referral": world.referral.pk}
    assert "make her pay" not in str(event.target_label)


def test_outreach_closed_for_a_person_reopens_on_a_concern(client, named):
    world = named
    with confidential(world.agency):
        Victim.objects.filter(pk=person(world, VICTIM).pk).update(
            outreach=OutreachState.CLOSED, closed_because="declined", closed_at=NOW
        )
    client.force_login(world["facilitator"])
    client.post(concern_url(world), {"note": NOTE})
    victim = person(world, VICTIM)
    assert victim.outreach == OutreachState.OPEN
    assert victim.closed_because == ""


def test_an_intake_worker_raises_one_from_the_referral_and_returns_to_it(client, named):
    world = named
    client.force_login(world["intake"])
    referral_url = f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/"
    assert concern_url(world) in client.get(referral_url).content.decode()
    response = client.post(concern_url(world), {"note": NOTE})
    assert response["Location"] == referral_url
    assert len(tasks_of(world)) == 2


@pytest.mark.parametrize(
    "note, error",
    [
        ("   ", "This field is required."),
        ("x" * 4001, "Ensure this value has at most 4000 characters (it has 4001)."),
    ],
)
def test_a_note_blank_or_too_long_is_refused_with_what_was_typed_kept(client, named, note, error):
    world = named
    client.force_login(world["facilitator"])
    response = client.post(concern_url(world), {"note": note, "next": roster_url(world)})
    assert response.status_code == 400
    assert response.context["form"].errors["note"] == [error]
    assert response.context["form"]["note"].value() == note
    assert response.context["next"] == roster_url(world)
    assert Concern.objects.count() == 0


def test_a_note_with_hidden_characters_is_refused(client, named):
    client.force_login(named["facilitator"])
    response = client.post(concern_url(named), {"note": "He said\u202e it"})
    assert response.status_code == 400
    assert response.context["form"].errors["note"]
    assert Concern.objects.count() == 0


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_a_next_address_off_the_site_is_ignored(client, named, target):
    world = named
    client.force_login(world["facilitator"])
    response = client.post(concern_url(world), {"note": NOTE, "next": target})
    assert response["Location"] == f"/en/a/{world.agency.slug}/groups/"
