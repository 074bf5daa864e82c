"""The agency's home counts what waits for each person, each count linking to the list it
counts, at a constant number of queries; fee figures only for those who see fees."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fees.models import FeeProposal
from ipv.accounts.models import Role
from referrals.models import Referral
from sessions_app.models import CourtReport
from sessions_app.services.documents import court_report_issue
from sessions_app.services.program import transfer_request
from tests.conftest import make_person, make_referral

pytestmark = pytest.mark.django_db


def _home(client, world, person):
    client.force_login(world[person])
    response = client.get(f"/en/a/{world.agency.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def _waiting_for_the_first_agency(world):
    """A transfer sent to it, and a referral under absence review."""
    transfer_request(
        referral=world.other_referral,
        by=world["other_intake"],
        to_agency=world.agency,
        reason="Moved to Ottawa.",
        consent_signed_on=date(2026, 11, 20),
    )
    Referral.objects.filter(pk=world.referral.pk).update(status="non_compliant")


def test_a_managers_home_counts_what_waits_for_them_with_links(client, world):
    _waiting_for_the_first_agency(world)
    html = _home(client, world, "manager")
    slug = world.agency.slug
    assert f'href="/en/a/{slug}/fees/#approvals-heading">1 fee waiting for approval' in html
    assert f'href="/en/a/{slug}/transfers/?status=pending">1 transfer to answer' in html
    assert f'href="/en/a/{slug}/referrals/?status=non_compliant">1 absence review' in html
    assert f'href="/en/a/{slug}/referrals/?overdue=on">' in html
    # The certificate and the progress report of world.referral.
    assert (
        f'href="/en/a/{slug}/documents/?waiting=1">2 documents not yet downloaded by the court'
        in html
    )


def test_a_document_the_court_downloaded_no_longer_waits(client, world):
    client.force_login(world["liaison"])
    url = f"/en/court/referrals/{world.referral.pk}/reports/{world.report.pk}/"
    assert client.get(url).status_code == 200
    # The agency downloading it is not the court downloading it.
    client.force_login(world["intake"])
    own = f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/certificate/"
    assert client.get(own).status_code == 200
    html = _home(client, world, "manager")
    assert "1 document not yet downloaded by the court" in html
    listed = client.get(f"/en/a/{world.agency.slug}/documents/", {"waiting": "1"})
    assert [d.code for d in listed.context["sections"][0][3]] == [world.certificate.code]
    assert listed.context["sections"][1][3] == []
    everything = client.get(f"/en/a/{world.agency.slug}/documents/")
    assert [d.code for d in everything.context["sections"][1][3]] == [world.report.code]


def test_a_replaced_report_no_longer_waits_but_its_replacement_does(client, world):
    replacement = court_report_issue(
        referral=world.referral,
        kind=CourtReport.Kind.PROGRESS,
        by=world["intake"],
        replaces=world.report,
    )
    html = _home(client, world, "manager")
    assert "2 documents not yet downloaded by the court" in html
    listed = client.get(f"/en/a/{world.agency.slug}/documents/", {"waiting": "1"})
    assert [d.code for d in listed.context["sections"][1][3]] == [replacement.code]
    everything = client.get(f"/en/a/{world.agency.slug}/documents/")
    assert {d.code for d in everything.context["sections"][1][3]} == {
        replacement.code,
        world.report.code,
    }


def test_a_managers_own_proposal_waits_for_a_colleague_not_for_them(client, world):
    FeeProposal.objects.filter(pk=world.reduction.pk).update(proposed_by=world["manager"])
    html = _home(client, world, "manager")
    # The only manager decides it, with a written reason: it waits for them.
    assert "1 fee waiting for approval" in html
    colleague = make_person(
        "second.manager@riviere.test", "Lucie Bernier", agency=world.agency, roles=[Role.MANAGER]
    )
    assert "fee waiting for approval" not in _home(client, world, "manager")
    client.force_login(colleague)
    assert (
        "1 fee waiting for approval" in client.get(f"/en/a/{world.agency.slug}/").content.decode()
    )


def test_the_transfer_list_shows_only_those_waiting_on_request(client, world):
    _waiting_for_the_first_agency(world)
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/transfers/"
    world.transfer.status = "declined"
    world.transfer.save(update_fields=["status"])
    everything = client.get(url).context["sections"]
    waiting = client.get(url, {"status": "pending"}).context["sections"]
    assert [len(section[2]) for section in everything] == [1, 1]
    assert [len(section[2]) for section in waiting] == [1, 0]


def test_an_intake_worker_sees_their_counts_but_no_fee_figure(client, world):
    _waiting_for_the_first_agency(world)
    html = _home(client, world, "intake")
    assert "1 transfer to answer" in html
    assert "documents not yet downloaded by the court" in html
    assert "waiting for approval" not in html


@pytest.mark.parametrize("person", ["facilitator", "partner_contact"])
def test_other_roles_have_no_such_counts(client, world, person):
    html = _home(client, world, person)
    assert "Waiting for you" not in html
    assert "waiting for approval" not in html
    assert "/documents/" not in html


def test_the_home_runs_a_constant_number_of_queries(client, world):
    _home(client, world, "manager")
    with CaptureQueriesContext(connection) as few:
        _home(client, world, "manager")
    for n in range(5):
        referral = make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": f"Extra Person {n}"},
            court_file_number=f"4811-998-26-1000{n}",
        )
        court_report_issue(referral=referral, kind=CourtReport.Kind.PROGRESS, by=world["intake"])
    _waiting_for_the_first_agency(world)
    with CaptureQueriesContext(connection) as many:
        html = _home(client, world, "manager")
    assert "7 documents not yet downloaded by the court" in html
    assert len(few) == len(many), "\n".join(q["sql"] for q in many.captured_queries)


def test_the_documents_page_runs_a_constant_number_of_queries(client, world):
    client.force_login(world["manager"])
    url = f"/en/a/{world.agency.slug}/documents/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        referral = make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": f"Extra Person {n}"},
            court_file_number=f"4811-998-26-1000{n}",
        )
        court_report_issue(referral=referral, kind=CourtReport.Kind.PROGRESS, by=world["intake"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["sections"][1][3]) == 6
    assert len(few) == len(many), "\n".join(q["sql"] for q in many.captured_queries)
