"""A transfer accepted: the receiving agency's outreach team takes over each person named in
the order — consent history, contacts, safety plan versions, open tasks — and a task to pick
the file up; the sending agency's open tasks end. Read twice, nothing is handed over twice."""

from datetime import date, timedelta

import pytest

from referrals.models import MilestoneCursor
from sessions_app.services.program import transfer_accept, transfer_request
from tests.victims.services.conftest import NOW, SOPHIE, consume, named, people_of, person, tasks_of
from victims.models import ConsentRecord, Contact, SafetyPlanVersion
from victims.rls import confidential
from victims.services.outreach import consent_record, contact_log, plan_save, rules_set

pytestmark = pytest.mark.django_db

JADE = {"relationship": "family", "full_name": "Jade Morin", "phone": "613-555-0144"}
NADIA = {"relationship": "current_partner", "full_name": "Nadia Cardinal"}


@pytest.fixture
def sent(world):
    """A referral whose outreach has a past: Sophie consented, was called, has a plan in two
    versions; Nadia withdrew; Jade must never be contacted. Then transferred."""
    referral = named(world, name="Marc-André Poirier", people=(SOPHIE, NADIA, JADE))
    consume()
    worker = world["partner_contact"]
    sophie = person(referral, "Sophie Lachance")
    consent_record(
        victim=sophie, by=worker, topic="contact", given=True, how="phone", on=date(2026, 11, 20)
    )
    consent_record(
        victim=sophie, by=worker, topic="updates", given=True, how="phone", on=date(2026, 11, 20)
    )
    (first, _second) = tasks_of(referral, victim=sophie)
    contact_log(
        victim=sophie,
        by=worker,
        at=NOW - timedelta(hours=1),
        channel="phone",
        outcome="reached",
        services=["safety_planning"],
        note="Plan started.",
        task=first,
    )
    plan_save(victim=sophie, by=worker, warning_signs="He drinks.")
    plan_save(victim=sophie, by=worker, warning_signs="He drinks; he checks her phone.")
    consent_record(
        victim=person(referral, "Nadia Cardinal"),
        by=worker,
        topic="contact",
        given=False,
        how="writing",
        on=NOW.date(),
    )
    rules_set(victim=person(referral, "Jade Morin"), by=worker, do_not_contact=True)
    transfer = transfer_request(
        referral=referral,
        by=world["intake"],
        to_agency=world.other_agency,
        reason="Moved to Thunder Bay.",
        consent_signed_on=NOW.date(),
    )
    new = transfer_accept(transfer=transfer, by=world["other_intake"])
    consume()
    return referral, new


def test_the_people_reach_the_receiving_agency_with_their_rules_and_consent(world, sent):
    old, new = sent
    copies = people_of(new)
    assert [(v.full_name, v.agency, v.consent_contact) for v in copies] == [
        ("Sophie Lachance", world.other_agency, "given"),
        ("Nadia Cardinal", world.other_agency, "withdrawn"),
        ("Jade Morin", world.other_agency, "unknown"),
    ]
    assert [v.copied_from_id for v in copies] == [v.pk for v in people_of(old)]
    assert copies[2].do_not_contact is True
    with confidential(world.other_agency):
        history = list(
            ConsentRecord.objects.filter(victim__referral=new)
            .order_by("victim", "on", "topic")
            .values_list("victim__full_name", "topic", "given", "on", "agency")
        )
    assert len(history) == 3
    assert {row[4] for row in history} == {world.other_agency.pk}


def test_the_contacts_and_every_version_of_the_plan_go_with_them(world, sent):
    _old, new = sent
    sophie = person(new, "Sophie Lachance")
    with confidential(world.other_agency):
        contacts = list(Contact.objects.filter(victim=sophie))
        plans = list(
            SafetyPlanVersion.objects.filter(victim=sophie)
            .order_by("number")
            .values_list("number", "warning_signs", "agency", "saved_by")
        )
    assert [(c.note, c.services, c.referral_id, c.agency) for c in contacts] == [
        ("Plan started.", ["safety_planning"], new.pk, world.other_agency)
    ]
    assert plans == [
        (1, "He drinks.", world.other_agency.pk, world["partner_contact"].pk),
        (2, "He drinks; he checks her phone.", world.other_agency.pk, world["partner_contact"].pk),
    ]


def test_the_open_tasks_move_and_the_receiving_agency_picks_the_file_up(world, sent):
    old, new = sent
    received = [
        (task.victim.full_name, task.kind, task.state, task.assignee, task.agency)
        for task in tasks_of(new)
    ]
    assert sorted(received, key=lambda row: (row[0], row[1])) == [
        ("Sophie Lachance", "intake_done", "open", None, world.other_agency),
        ("Sophie Lachance", "transferred", "open", None, world.other_agency),
    ]
    transferred = tasks_of(new, kind="transferred")
    assert {task.due_on for task in transferred} == {date(2026, 11, 25)}
    # The sending agency's open tasks end; what was done stays done.
    assert sorted(
        (t.victim.full_name, t.kind, t.state)
        for t in tasks_of(old)
        if t.victim.full_name == "Sophie Lachance"
    ) == [
        ("Sophie Lachance", "accepted", "done"),
        ("Sophie Lachance", "intake_done", "cancelled"),
    ]
    assert {t.state for t in tasks_of(old)} == {"done", "cancelled"}


def test_read_again_nothing_is_handed_over_twice(world, sent):
    old, new = sent
    before = (
        [v.pk for v in people_of(new)],
        [t.pk for t in tasks_of(new)],
        [(t.pk, t.state) for t in tasks_of(old)],
    )
    MilestoneCursor.objects.all().update(last_id=0)
    consume()
    after = (
        [v.pk for v in people_of(new)],
        [t.pk for t in tasks_of(new)],
        [(t.pk, t.state) for t in tasks_of(old)],
    )
    assert after == before
    with confidential(world.other_agency):
        assert SafetyPlanVersion.objects.filter(victim__referral=new).count() == 2
        assert Contact.objects.filter(referral=new).count() == 1
        assert ConsentRecord.objects.filter(victim__referral=new).count() == 3


def test_outreach_closed_at_the_sending_agency_reopens_at_the_receiving_one(world):
    from victims.services.outreach import outreach_close

    referral = named(world, name="Marc-André Poirier", people=(SOPHIE,))
    consume()
    outreach_close(
        victim=person(referral, "Sophie Lachance"),
        by=world["partner_contact"],
        because="follow_up_done",
    )
    transfer = transfer_request(
        referral=referral,
        by=world["intake"],
        to_agency=world.other_agency,
        reason="Moved to Thunder Bay.",
        consent_signed_on=NOW.date(),
    )
    new = transfer_accept(transfer=transfer, by=world["other_intake"])
    consume()
    sophie = person(new, "Sophie Lachance")
    assert (sophie.outreach, sophie.closed_because, sophie.closed_at) == ("open", "", None)
    assert [(t.kind, t.state) for t in tasks_of(new)] == [("transferred", "open")]
    assert person(referral, "Sophie Lachance").outreach == "closed"
