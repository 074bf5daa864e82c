"""The risk alert, seen from the case team: on the referral page (the fixed message, its date,
whether seen and by whom), marked seen deliberately and audited, counted on the agency's home
with the referrals it concerns. Nothing else of the confidential store shows."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ipv.audit.models import AuditEvent
from tests.conftest import make_referral
from victims.models import RiskAlert
from victims.rls import confidential
from victims.services import victims_record
from victims.services.alerts import risk_alert_send

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
MESSAGE = "Elevated risk reported — contact the partner-contact team"
VICTIM = "Quillon Vandermeersch"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alert(world):
    victims_record(
        agency=world.agency,
        referral=world.referral,
        by=world["intake"],
        people=[{"full_name": VICTIM, "relationship": "victim"}],
    )
    return risk_alert_send(referral=world.referral, by=world["partner_contact"])


def referral_url(world, referral=None, agency=None):
    referral = referral or world.referral
    return f"/en/a/{(agency or world.agency).slug}/referrals/{referral.pk}/"


def seen_url(world, alert, referral=None, agency=None):
    return f"{referral_url(world, referral, agency)}alerts/{alert.pk}/seen/"


def state(alert):
    with confidential(alert.agency_id):
        return RiskAlert.objects.select_related("seen_by").get(pk=alert.pk)


def test_anonymous_people_are_sent_to_sign_in(client, world, alert):
    response = client.post(seen_url(world, alert))
    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"].startswith(reverse("account_login"))
    assert state(alert).seen_at is None


def test_another_agency_gets_404(client, world, alert):
    client.force_login(world["other_manager"])
    assert client.post(seen_url(world, alert, agency=world.other_agency)).status_code == 404
    assert state(alert).seen_at is None


def test_an_alert_of_another_referral_answers_404_under_this_one(client, world, alert):
    other = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Martin"},
        court_file_number="4811-998-26-00009",
    )
    client.force_login(world["intake"])
    assert client.post(seen_url(world, alert, referral=other)).status_code == 404
    assert state(alert).seen_at is None


@pytest.mark.parametrize("role", ["facilitator", "partner_contact"])
def test_only_the_case_workers_mark_an_alert_seen(client, world, alert, role):
    client.force_login(world[role])
    assert client.post(seen_url(world, alert)).status_code == 403
    assert state(alert).seen_at is None


def test_the_referral_page_shows_the_alert_and_nothing_else_of_the_victims(client, world, alert):
    client.force_login(world["intake"])
    html = client.get(referral_url(world)).content.decode()
    assert MESSAGE in html
    assert "Sent 24 Nov 2026, 10 a.m." in html
    assert "Not seen yet." in html
    assert seen_url(world, alert) in html
    assert VICTIM not in html
    # Who sent it is outreach's business, not the file's.
    assert world["partner_contact"].full_name not in html


def test_marking_seen_says_who_and_when_and_is_audited(client, world, alert):
    client.force_login(world["intake"])
    response = client.post(seen_url(world, alert))
    assert response.status_code == 302
    assert response["Location"] == referral_url(world)
    seen = state(alert)
    assert seen.seen_by == world["intake"]
    assert seen.seen_at == NOW
    html = client.get(referral_url(world)).content.decode()
    assert "Risk alert marked as seen." in html
    assert "Seen by Isabelle Roy, 24 Nov 2026, 10 a.m." in html
    assert seen_url(world, alert) not in html
    event = AuditEvent.objects.get(target_type="victims.riskalert", action="changed")
    assert event.actor == world["intake"]
    assert event.agency == world.agency
    assert event.target_id == str(alert.pk)
    assert event.details == {"event": "risk_alert_seen", "referral": world.referral.pk}


def test_marking_seen_twice_keeps_the_first_reader(client, world, alert):
    client.force_login(world["intake"])
    client.post(seen_url(world, alert))
    client.force_login(world["manager"])
    assert client.post(seen_url(world, alert)).status_code == 302
    assert state(alert).seen_by == world["intake"]
    assert AuditEvent.objects.filter(target_type="victims.riskalert", action="changed").count() == 1


def test_marking_seen_answers_only_a_post(client, world, alert):
    client.force_login(world["intake"])
    assert client.get(seen_url(world, alert)).status_code == 405


def test_the_referral_page_costs_the_same_queries_for_one_alert_or_five(client, world, alert):
    client.force_login(world["intake"])
    client.get(referral_url(world))
    with CaptureQueriesContext(connection) as one:
        client.get(referral_url(world))
    for n in range(4):
        sent = risk_alert_send(referral=world.referral, by=world["partner_contact"])
        if n % 2:
            with confidential(world.agency):
                RiskAlert.objects.filter(pk=sent.pk).update(
                    seen_by=world["manager" if n == 1 else "intake"], seen_at=NOW
                )
    with CaptureQueriesContext(connection) as five:
        html = client.get(referral_url(world)).content.decode()
    assert html.count(MESSAGE) == 5
    assert len(one) == len(five), "\n".join(q["sql"] for q in five.captured_queries)


def home(client, world, person):
    client.force_login(world[person])
    return client.get(f"/en/a/{world.agency.slug}/").content.decode()


def test_the_home_counts_unseen_alerts_and_leads_to_their_referrals(client, world, alert):
    html = home(client, world, "intake")
    assert "1 risk alert from the partner-contact team not yet seen" in html
    assert f'href="{referral_url(world)}#alerts-heading"' in html
    assert world.referral.participant.display_name in html
    assert VICTIM not in html
    client.post(seen_url(world, alert))
    html = home(client, world, "intake")
    assert "0 risk alerts from the partner-contact team not yet seen" in html
    assert f'href="{referral_url(world)}#alerts-heading"' not in html


@pytest.mark.parametrize("person", ["facilitator", "partner_contact"])
def test_other_roles_see_no_alert_on_the_home(client, world, alert, person):
    assert "risk alert" not in home(client, world, person)


def test_the_home_costs_the_same_queries_for_one_alert_or_five(client, world, alert):
    home(client, world, "manager")
    with CaptureQueriesContext(connection) as one:
        home(client, world, "manager")
    for n in range(4):
        referral = make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": f"Extra Person {n}"},
            court_file_number=f"4811-998-26-2000{n}",
        )
        risk_alert_send(referral=referral, by=world["partner_contact"])
    with CaptureQueriesContext(connection) as five:
        html = home(client, world, "manager")
    assert "5 risk alerts from the partner-contact team not yet seen" in html
    assert len(one) == len(five), "\n".join(q["sql"] for q in five.captured_queries)
