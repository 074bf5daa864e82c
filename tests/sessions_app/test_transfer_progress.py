"""A transfer carries the person's progress: the modules attended under the same court order
count at the receiving agency, and its certificate lists both agencies' sessions. The sending
agency's records stay its own: the receiving one reads them only through that count and the
certificate (module, date, agency name)."""

from datetime import date, time, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from referrals.models import Referral
from referrals.services.intake import intake_book
from sessions_app.completion import modules_attended, progress
from sessions_app.models import Attendance, Certificate
from sessions_app.services.attendance import Mark, attendance_record
from sessions_app.services.documents import document_context
from sessions_app.services.enrollment import enroll
from sessions_app.services.groups import group_create
from sessions_app.services.program import intake_record, transfer_accept, transfer_request
from tests.conftest import make_referral
from tests.sessions_app.conftest import attended, by_module, placed, sessions, status_of

pytestmark = pytest.mark.django_db

# What the first agency's facilitator noted at each session: the first agency's only.
NOTE = "Quiet tonight; spoke about his brother."


def _lakehead_group(world):
    return group_create(
        agency=world.other_agency,
        by=world["other_manager"],
        facilitators=[world["other_facilitator"]],
        name="Groupe du jeudi",
        program="ipv",
        language="fr",
        weekday=3,
        start_time=time(19, 0),
        start_date=timezone.localdate(),
        location="34 Cumberland Street",
    )


def _take_in(clock, world, referral, session):
    """Attendance taken by the receiving agency's facilitator once the session has started."""
    clock.move_to(max(session.starts_at + timedelta(minutes=5), timezone.now()))
    mark = Mark(referral_id=referral.pk, status="present")
    return attendance_record(session=session, by=world["other_facilitator"], marks=[mark])


def _placed_at_lakehead(world, referral, group):
    """The receiving agency's intake and enrolment of a referral it has accepted."""
    intake_book(
        referral=referral,
        by=world["other_intake"],
        scheduled_at=timezone.now() + timedelta(hours=1),
        mode="in_person",
        location="34 Cumberland Street",
    )
    intake_record(
        referral=referral,
        by=world["other_intake"],
        held_on=timezone.localdate(),
        eligibility="eligible",
        consents={"program_agreement": timezone.localdate()},
    )
    enroll(
        referral=referral, group=group, start_date=timezone.localdate(), by=world["other_intake"]
    )
    return Referral.objects.get(pk=referral.pk)


def _transferred(world, referral):
    """Six modules (1 to 6) attended at the first agency, with its facilitator's notes, then a
    transfer to Lakehead."""
    attended(world, referral, sessions(world.group)[:6])
    Attendance.objects.filter(referral=referral).update(note=NOTE)
    transfer = transfer_request(
        referral=referral,
        by=world["intake"],
        to_agency=world.other_agency,
        reason="Moved to Thunder Bay.",
        consent_signed_on=timezone.localdate(),
    )
    return transfer, transfer_accept(transfer=transfer, by=world["other_intake"])


def test_six_modules_at_each_agency_complete_the_program_at_the_second(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    transfer, new = _transferred(world, referral)
    assert transfer.summary["modules_attended"] == [1, 2, 3, 4, 5, 6]
    assert modules_attended(referral=new) == frozenset(range(1, 7))

    group = _lakehead_group(world)
    new = _placed_at_lakehead(world, new, group)
    for number in range(7, 12):
        assert _take_in(clock, world, new, by_module(group, number)) == {}
    assert status_of(new) == "enrolled"
    assert progress(referral=new).remaining == [12]

    assert _take_in(clock, world, new, by_module(group, 12)) == {}
    assert status_of(new) == "completed"
    certificate = Certificate.objects.get(referral=new)
    assert certificate.agency == world.other_agency
    modules = certificate.details["modules"]
    assert [module["number"] for module in modules] == list(range(1, 13))
    first_agency = {"fr": "Services Rivière", "en": "River Services"}
    assert [module.get("agency") for module in modules] == [first_agency] * 6 + [None] * 6
    assert [module["date"] for module in modules[:6]] == [
        session.date.isoformat() for session in sessions(world.group)[:6]
    ]
    assert certificate.details["agency"] == {"fr": "Centre Lakehead", "en": "Lakehead Centre"}
    # The sending agency's referral stays as it was: closed, its own six modules.
    assert status_of(referral) == "transferred"
    assert modules_attended(referral=referral) == frozenset(range(1, 7))


def test_the_certificate_names_the_agency_of_each_session_attended_elsewhere(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    _transfer, new = _transferred(world, referral)
    group = _lakehead_group(world)
    new = _placed_at_lakehead(world, new, group)
    for number in range(7, 13):
        _take_in(clock, world, new, by_module(group, number))
    certificate = Certificate.objects.get(referral=new)

    page = render_to_string("pdf/certificate.html", document_context(certificate))

    assert page.count("(Services Rivière)") == 6
    assert NOTE not in page
    assert "Centre Lakehead" in page
    for session in sessions(world.group)[:6]:
        assert session.module.title_fr in page


def test_the_same_person_without_a_transfer_starts_from_nothing(clock, world):
    """The count follows the court order through its transfers, not the person: a new
    referral of the same person at the other agency does not read the first one's record."""
    referral = placed(world, name="Marc-André Poirier")
    attended(world, referral, sessions(world.group)[:6])
    elsewhere = make_referral(
        world.other_agency,
        world["other_intake"],
        world.other_court,
        person={"legal_name": "Marc-André Poirier", "date_of_birth": date(1980, 5, 17)},
        court_file_number="4811-998-26-77777",
    )
    assert modules_attended(referral=elsewhere) == frozenset()
    assert modules_attended(referral=referral) == frozenset(range(1, 7))


def test_a_page_of_referrals_counts_the_modules_carried_over(clock, world, client):
    referral = placed(world, name="Marc-André Poirier")
    _transfer, new = _transferred(world, referral)
    client.force_login(world["other_intake"])

    page = client.get(f"/fr/a/{world.other_agency.slug}/referrals/?status=all")

    assert page.status_code == 200
    (row,) = [row for row in page.context["page"].object_list if row.pk == new.pk]
    assert row.progress.done == 6


def test_the_receiving_agency_reads_nothing_else_of_the_first_agencys_records(clock, world, client):
    referral = placed(world, name="Marc-André Poirier")
    _transfer, new = _transferred(world, referral)
    first_session = sessions(world.group)[0]
    client.force_login(world["other_intake"])
    lakehead = f"/fr/a/{world.other_agency.slug}"

    # Its own referral: the count of modules, not what the first agency noted at its sessions.
    own = client.get(f"{lakehead}/referrals/{new.pk}/")
    assert own.status_code == 200
    assert own.context["progress"].done == 6
    assert NOTE not in own.content.decode()
    # The first agency's records, by their ids under its own address: not found.
    for path in (
        f"/referrals/{referral.pk}/",
        f"/participants/{referral.participant_id}/",
        f"/groups/{world.group.pk}/",
        f"/sessions/{first_session.pk}/",
        f"/referrals/{referral.pk}/certificate/",
        f"/referrals/{referral.pk}/reports/new/progress/",
    ):
        assert client.get(lakehead + path).status_code == 404, path
    # Nor may the first agency read the second one's referral, however it came.
    client.force_login(world["intake"])
    assert client.get(f"/fr/a/{world.agency.slug}/referrals/{new.pk}/").status_code == 404
