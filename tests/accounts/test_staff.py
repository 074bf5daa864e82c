import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ipv.accounts import services
from ipv.accounts.models import Membership, Role, User
from ipv.audit.models import AuditEvent
from tests.conftest import AGENCY_NUMBERS, make_person

pytestmark = pytest.mark.django_db


def _staff_url(world, *parts):
    return "/".join([f"/fr/a/{world.agency.slug}/staff", *map(str, parts)]) + "/"


def _signed_in(user):
    """A browser of its own, signed in the ordinary way (a real session row)."""
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_changes_roles_and_the_change_is_audited(client, world):
    client.force_login(world["manager"])
    intake = world["intake"]
    response = client.post(_staff_url(world, intake.pk), {"roles": ["intake", "manager"]})
    assert response.status_code == 302
    active = set(intake.memberships.filter(is_active=True).values_list("role", flat=True))
    assert active == {Role.INTAKE, Role.MANAGER}
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLES_CHANGED)
    assert event.actor == world["manager"]
    assert event.subject == intake
    assert event.agency == world.agency
    assert event.details == {"before": ["intake"], "after": ["intake", "manager"]}
    assert event.ip == "127.0.0.1"
    assert event.path == _staff_url(world, intake.pk)


def test_a_role_taken_away_ends_and_its_history_stays(client, world):
    client.force_login(world["manager"])
    intake = world["intake"]
    client.post(_staff_url(world, intake.pk), {"roles": ["facilitator"]})
    ended = intake.memberships.get(role=Role.INTAKE)
    assert not ended.is_active
    assert ended.ended_at is not None
    assert intake.memberships.get(role=Role.FACILITATOR).is_active


def test_every_membership_change_is_in_the_row_history_with_who_and_from_where(client, world):
    client.force_login(world["manager"])
    client.post(_staff_url(world, world["intake"].pk), {"roles": ["facilitator"]})
    events = Membership.pgh_event_model.objects.filter(user=world["intake"]).order_by("pgh_id")
    labels = [event.pgh_label for event in events]
    assert labels == ["insert", "update", "insert"]
    context = events.last().pgh_context
    assert context["user"] == world["manager"].pk
    assert context["ip"] == "127.0.0.1"
    assert context["url"] == _staff_url(world, world["intake"].pk)


def test_facilitator_and_partner_contact_together_are_refused_by_the_service(world, english):
    with pytest.raises(ValidationError, match="both facilitator and partner-contact"):
        services.roles_change(
            user=world["facilitator"],
            agency=world.agency,
            roles=["facilitator", "partner_contact"],
            by=world["manager"],
        )


def test_and_by_the_database_when_a_row_is_written_directly(world):
    with pytest.raises(IntegrityError, match="separation of duties"), transaction.atomic():
        Membership.objects.create(
            user=world["facilitator"], agency=world.agency, role=Role.PARTNER_CONTACT
        )


def test_an_agency_may_allow_both_roles_and_the_staff_page_says_so(client, world):
    client.force_login(world["manager"])
    client.post(
        f"/fr/a/{world.agency.slug}/settings/",
        {"allow_facilitator_partner_contact": "on", **AGENCY_NUMBERS},
    )
    world.agency.refresh_from_db()
    assert world.agency.allow_facilitator_partner_contact
    Membership.objects.create(
        user=world["facilitator"], agency=world.agency, role=Role.PARTNER_CONTACT
    )
    html = client.get(_staff_url(world)).content.decode()
    assert "Cet organisme permet qu'une même personne occupe à la fois les rôles" in html
    settings_change = AuditEvent.objects.get(action=AuditEvent.Action.SETTINGS_CHANGED)
    assert settings_change.details == {
        "allow_facilitator_partner_contact": {"before": False, "after": True}
    }


def test_the_setting_cannot_be_turned_off_while_someone_holds_both_roles(client, world):
    world.agency.allow_facilitator_partner_contact = True
    world.agency.save()
    Membership.objects.create(
        user=world["facilitator"], agency=world.agency, role=Role.PARTNER_CONTACT
    )
    client.force_login(world["manager"])
    response = client.post(f"/fr/a/{world.agency.slug}/settings/", AGENCY_NUMBERS)
    assert response.status_code == 400
    assert "François Tremblay" in response.content.decode()
    world.agency.refresh_from_db()
    assert world.agency.allow_facilitator_partner_contact


def test_deactivation_ends_access_and_every_open_session_at_once(client, world):
    intake = world["intake"]
    laptop, phone = _signed_in(intake), _signed_in(intake)
    for browser in (laptop, phone):
        assert browser.get(f"/fr/a/{world.agency.slug}/").status_code == 200
    client.force_login(world["manager"])
    assert client.post(_staff_url(world, intake.pk, "deactivate")).status_code == 302

    for browser in (laptop, phone):
        response = browser.get(f"/fr/a/{world.agency.slug}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/fr/account/login/")
    intake.refresh_from_db()
    assert not intake.is_active
    assert not intake.memberships.filter(is_active=True).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DEACTIVATED)
    assert event.details == {"roles": ["intake"], "sessions_ended": 2, "account_closed": True}


def test_a_person_deactivated_in_one_agency_keeps_their_other_agency(client, world):
    person = world["other_intake"]
    Membership.objects.create(user=person, agency=world.agency, role=Role.INTAKE)
    client.force_login(world["manager"])
    client.post(_staff_url(world, person.pk, "deactivate"))
    person.refresh_from_db()
    assert person.is_active
    browser = _signed_in(person)
    assert browser.get(f"/fr/a/{world.agency.slug}/").status_code == 404
    assert browser.get(f"/fr/a/{world.other_agency.slug}/").status_code == 200


def test_managers_cannot_lock_themselves_out(client, world):
    client.force_login(world["manager"])
    response = client.post(_staff_url(world, world["manager"].pk), {"roles": ["intake"]})
    assert response.status_code == 400
    assert "Personne ne modifie ses propres rôles" in response.content.decode()
    client.post(_staff_url(world, world["manager"].pk, "deactivate"))
    assert world["manager"].memberships.get().is_active


def test_a_manager_cannot_grant_themselves_the_partner_contact_role(world, english):
    manager = world["manager"]
    with pytest.raises(ValidationError, match="Nobody changes their own roles"):
        services.roles_change(
            user=manager, agency=world.agency, roles=["manager", "partner_contact"], by=manager
        )
    assert set(manager.memberships.filter(is_active=True).values_list("role", flat=True)) == {
        Role.MANAGER
    }
    # Another manager may grant it (the positive control).
    colleague = make_person(
        "second@riviere.test", "Sylvie Côté", agency=world.agency, roles=["manager"]
    )
    services.roles_change(
        user=manager, agency=world.agency, roles=["manager", "partner_contact"], by=colleague
    )
    assert manager.memberships.filter(role=Role.PARTNER_CONTACT, is_active=True).exists()


def test_the_staff_page_offers_no_change_of_ones_own_roles(client, world):
    client.force_login(world["manager"])
    own, other = world["manager"].pk, world["intake"].pk
    html = client.get(_staff_url(world)).content.decode()
    assert _staff_url(world, own) not in html
    assert _staff_url(world, other) in html
    page = client.get(_staff_url(world, own)).content.decode()
    assert 'name="roles"' not in page
    assert "Personne ne modifie ses propres rôles" in page
    assert 'name="roles"' in client.get(_staff_url(world, other)).content.decode()
    response = client.post(_staff_url(world, own), {"roles": ["manager", "partner_contact"]})
    assert response.status_code == 400
    assert not world["manager"].memberships.filter(role=Role.PARTNER_CONTACT).exists()


def test_the_staff_page_lists_people_with_a_constant_number_of_queries(client, world):
    client.force_login(world["manager"])
    url = _staff_url(world)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(40):
        make_person(f"extra{n}@riviere.test", f"Extra {n}", agency=world.agency, roles=["intake"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "Extra 39" in response.content.decode()
    assert len(few) == len(many), "\n".join(q["sql"] for q in many.captured_queries)


def test_former_staff_are_listed_on_request(client, world):
    services.staff_deactivate(user=world["intake"], agency=world.agency, by=world["manager"])
    client.force_login(world["manager"])
    assert "Isabelle Roy" not in client.get(_staff_url(world)).content.decode()
    html = client.get(_staff_url(world), {"former": "1"}).content.decode()
    assert "Isabelle Roy" in html
    assert "Ne fait plus partie du personnel" in html
    assert User.objects.get(pk=world["intake"].pk).memberships.count() == 1
