from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from ipv.accounts import services
from ipv.accounts.models import Membership, Role
from ipv.audit.models import AuditEvent
from ipv.audit.services import Action, audit_read, audit_record
from referrals.models import Status
from sessions_app.services.program import referral_transition
from tests.conftest import AGENCY_NUMBERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'login'",
        "DELETE FROM audit_auditevent",
        "UPDATE accounts_membershipevent SET role = 'manager'",
        "DELETE FROM accounts_membershipevent",
        "DELETE FROM accounts_userevent",
        "UPDATE directory_agencyevent SET published = false",
    ],
)
def test_the_database_refuses_to_change_or_delete_the_trail(world, sql):
    audit_record(action=Action.LOGIN, actor=world["intake"], subject=world["intake"])
    with (
        pytest.raises(DatabaseError, match="Cannot"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def test_nor_through_the_orm(world):
    event = audit_record(action=Action.LOGIN, actor=world["intake"])
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()


def test_a_refusal_is_recorded_with_what_was_needed(client, world):
    client.force_login(world["facilitator"])
    assert client.get(f"/fr/a/{world.agency.slug}/staff/").status_code == 403
    event = AuditEvent.objects.get(action=Action.PERMISSION_DENIED)
    assert event.actor == world["facilitator"]
    assert event.agency == world.agency
    assert event.details == {"needed": "staff.view"}
    assert event.path == f"/fr/a/{world.agency.slug}/staff/"
    assert event.ip == "127.0.0.1"


def test_reading_a_confidential_record_leaves_one_event_that_copies_nothing(world, english):
    membership = Membership.objects.get(user=world["partner_contact"])
    event = audit_read(reader=world["partner_contact"], agency=world.agency, record=membership)
    assert event.action == Action.RECORD_READ
    assert (event.target_type, event.target_id) == ("accounts.membership", str(membership.pk))
    assert event.target_label == f"membership #{membership.pk}"
    assert event.details == {}
    export = audit_read(
        reader=world["partner_contact"], agency=world.agency, record=membership, exported=12
    )
    assert (export.action, export.details) == (Action.RECORD_EXPORTED, {"rows": 12})


def _trail(client, world, **params):
    response = client.get(f"/fr/a/{world.agency.slug}/audit/", params)
    assert response.status_code == 200
    return list(response.context["page"])


def test_managers_see_their_agency_and_their_staffs_sign_ins_only(client, world):
    audit_record(action=Action.LOGIN, actor=world["intake"], subject=world["intake"])
    audit_record(action=Action.LOGIN, actor=world["other_intake"], subject=world["other_intake"])
    services.roles_change(
        user=world["other_intake"],
        agency=world.other_agency,
        roles=["facilitator"],
        by=world["other_manager"],
    )
    services.roles_change(
        user=world["intake"], agency=world.agency, roles=["facilitator"], by=world["manager"]
    )
    client.force_login(world["manager"])
    events = _trail(client, world)
    subjects = {event.subject for event in events if event.subject}
    assert world["other_intake"] not in subjects
    assert {(event.action, event.subject) for event in events} >= {
        (Action.LOGIN, world["intake"]),
        (Action.ROLES_CHANGED, world["intake"]),
    }


def test_after_someone_leaves_their_sign_ins_elsewhere_stay_out_of_the_trail(client, world):
    """The intake worker also works for the other agency; the first one ends her roles. Her
    sign-ins while she worked there stay in its trail, her later ones do not."""
    worker = world["intake"]
    Membership.objects.create(user=worker, agency=world.other_agency, role="intake")
    with time_machine.travel(datetime(2027, 1, 2, 9, 0, tzinfo=UTC), tick=False):
        audit_record(action=Action.LOGIN, actor=worker, subject=worker)
    with time_machine.travel(datetime(2027, 1, 3, 9, 0, tzinfo=UTC), tick=False):
        services.staff_deactivate(user=worker, agency=world.agency, by=world["manager"])
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=UTC), tick=False):
        audit_record(action=Action.LOGIN, actor=worker, subject=worker)
    client.force_login(world["manager"])
    logins = [e.at.day for e in _trail(client, world, action=Action.LOGIN) if e.subject == worker]
    assert logins == [2]
    client.force_login(world["other_manager"])
    other = client.get(f"/fr/a/{world.other_agency.slug}/audit/", {"action": Action.LOGIN})
    assert [e.at.day for e in other.context["page"] if e.subject == worker] == [4, 2]


def test_the_trail_filters_by_person_event_and_date(client, world):
    audit_record(action=Action.LOGIN, actor=world["intake"], subject=world["intake"])
    audit_record(action=Action.LOGIN, actor=world["facilitator"], subject=world["facilitator"])
    audit_record(
        action=Action.INVITATION_SENT, actor=world["manager"], agency=world.agency, label="x@y.z"
    )
    client.force_login(world["manager"])
    by_person = _trail(client, world, person=world["facilitator"].pk)
    assert {event.subject for event in by_person} == {world["facilitator"]}
    invitations = _trail(client, world, action="invitation_sent")
    assert [event.target_label for event in invitations] == ["x@y.z"]
    assert _trail(client, world, since="2099-01-01") == []
    response = client.get(f"/fr/a/{world.agency.slug}/audit/", {"since": "not-a-date"})
    assert response.status_code == 200
    assert "Saisissez une date valide" in response.content.decode()


def test_the_trail_page_runs_a_constant_number_of_queries(client, world):
    client.force_login(world["manager"])
    url = f"/fr/a/{world.agency.slug}/audit/"
    for _ in range(5):
        audit_record(action=Action.LOGIN, actor=world["intake"], subject=world["intake"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    AuditEvent.objects.bulk_create(
        AuditEvent(action=Action.LOGIN, actor=world["intake"], subject=world["intake"])
        for _ in range(200)
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many), "\n".join(q["sql"] for q in many.captured_queries)


def test_a_from_date_after_the_to_date_is_said_on_the_form_and_kept(client, world):
    with time_machine.travel(datetime(2026, 11, 10, 15, 0, tzinfo=UTC), tick=False):
        audit_record(
            action=Action.INVITATION_SENT, actor=world["manager"], agency=world.agency, label="x"
        )
    client.force_login(world["manager"])
    url = f"/fr/a/{world.agency.slug}/audit/"
    response = client.get(url, {"since": "2026-11-20", "until": "2026-11-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "La date de fin précède la date de début." in html
    assert 'value="2026-11-20"' in html
    assert 'value="2026-11-01"' in html
    # The dates in the right order find the event (the positive control).
    ordered = client.get(url, {"since": "2026-11-01", "until": "2026-11-20"})
    assert "La date de fin" not in ordered.content.decode()
    page = ordered.context["page"]
    assert [e.at.day for e in page if e.action == Action.INVITATION_SENT] == [10]


def _trail_html(client, world, language):
    response = client.get(f"/{language}/a/{world.agency.slug}/audit/")
    assert response.status_code == 200
    # French typography may put a non-breaking space before a colon.
    return response.content.decode().replace("\xa0", " ")


def test_an_event_written_in_french_reads_in_english_and_the_other_way(client, world):
    with translation.override("fr"):
        services.roles_change(
            user=world["intake"],
            agency=world.agency,
            roles=["intake", "manager"],
            by=world["manager"],
        )
        referral_transition(
            referral=world.referral, name="contact", by=world["intake"], reason="Phoned."
        )
    with translation.override("en"):
        audit_read(reader=world["partner_contact"], agency=world.agency, record=world.referral)
    client.force_login(world["manager"])
    english = _trail_html(client, world, "en")
    assert "Roles: Intake worker → Intake worker, Manager" in english
    assert "Status: Received → Contacted" in english
    assert f"Referral {world.referral.number}" in english
    assert f"Referral #{world.referral.pk}" in english
    assert "r, e, c" not in english
    assert "Renvoi" not in english
    french = _trail_html(client, world, "fr")
    with translation.override("fr"):
        roles = f"{Role.INTAKE.label} → {Role.INTAKE.label}, {Role.MANAGER.label}"
        statuses = f"{Status.RECEIVED.label} → {Status.CONTACTED.label}"
    assert escape(roles) in french
    assert escape(statuses) in french
    assert f"Renvoi {world.referral.number}" in french
    assert f"Renvoi #{world.referral.pk}" in french
    assert "Referral" not in french.split("<main", 1)[1]


def test_a_settings_change_shows_each_field_before_and_after(client, world):
    client.force_login(world["manager"])
    response = client.post(
        f"/en/a/{world.agency.slug}/settings/",
        {**AGENCY_NUMBERS, "allow_facilitator_partner_contact": "on", "contact_within_days": "5"},
    )
    assert response.status_code == 302
    english = _trail_html(client, world, "en")
    assert "One person may be both facilitator and partner-contact worker: No → Yes" in english
    assert "Days to reach a newly referred person: 7 → 5" in english
    french = _trail_html(client, world, "fr")
    assert "Non → Oui" in french
    assert " : 7 → 5" in french


def test_events_written_before_labels_were_kept_still_read(client, world):
    """An old read event named the record in its reader's French; the English page words the
    kind of record again and keeps the rest."""
    AuditEvent.objects.create(
        action=Action.RECORD_READ,
        agency=world.agency,
        actor=world["partner_contact"],
        target_type="referrals.referral",
        target_id=str(world.referral.pk),
        target_label=f"renvoi #{world.referral.pk}",
    )
    AuditEvent.objects.create(
        action=Action.INVITATION_SENT, agency=world.agency, target_label="old@riviere.test"
    )
    client.force_login(world["manager"])
    english = _trail_html(client, world, "en")
    assert f"Referral #{world.referral.pk}" in english
    assert "renvoi #" not in english
    assert "old@riviere.test" in english
