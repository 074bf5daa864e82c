"""What each agency sees of the other through a transfer: while it waits, the receiving agency
reads a summary written when it was asked, never the sending agency's records; once declined or
cancelled it sees nothing; once accepted it works from its own copy. The sending agency never
sees what the receiving agency does with the person afterwards."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import EventKind, Referral
from referrals.services.referrals import (
    event_record,
    participant_update,
)
from referrals.services.transfers import transfer_cancel, transfer_decline
from sessions_app.services.program import referral_transition, transfer_accept, transfer_request
from tests.conftest import make_referral

pytestmark = pytest.mark.django_db

# What the first agency holds and the receiving agency must not read before it accepts.
SENDERS_RECORDS = [
    "4811-998-26-00031",  # court file number
    "Assault (s. 266)",  # charges
    "Louis Bélanger",  # referrer
    "555-0123",  # the participant's phone
    "1984",  # year of birth
    "Sophie Lachance",  # a victim named in the order
    "Reached him at his sister&#x27;s",  # a reason in the sending agency's history
]
LATER = "Written by the first agency after the transfer was answered"


@pytest.fixture
def sent(world):
    """A referral naming a victim, contacted (with a reason in its history), then sent to the
    other agency."""
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        court_file_number="4811-998-26-00031",
        named_people=[{"relationship": "victim", "full_name": "Sophie Lachance"}],
    )
    referral_transition(
        referral=referral, name="contact", by=world["intake"], reason="Reached him at his sister's"
    )
    return transfer_request(
        referral=referral,
        by=world["intake"],
        to_agency=world.other_agency,
        reason="Moved to Thunder Bay for work.",
        consent_signed_on=date(2026, 11, 20),
    )


def _page(client, person, url):
    client.force_login(person)
    return client.get(url)


def _detail(world, transfer, *, agency=None):
    return f"/en/a/{(agency or world.other_agency).slug}/transfers/{transfer.pk}/"


def _list(agency):
    return f"/en/a/{agency.slug}/transfers/"


def test_while_pending_the_receiving_agency_reads_what_it_needs_to_decide(client, world, sent):
    response = _page(client, world["other_intake"], _detail(world, sent))
    html = response.content.decode()
    assert response.status_code == 200
    for shown in [
        "Jean-Marc Tremblay",
        "Moved to Thunder Bay for work.",
        "Partner Assault Response",
        "Early Intervention",
        "Ottawa Courthouse",
        "2 Nov 2026",  # the order
        "1 Mar 2027",  # complete by
        "15 Mar 2027",  # return to court
        "French",
        "Contacted",
        "0 of 12",
        "Waiting for your answer",
    ]:
        assert shown in html, shown
    for hidden in SENDERS_RECORDS:
        assert hidden not in html, hidden
    # The same records do show where they belong: on the sending agency's own page.
    own = _page(client, world["intake"], f"/en/a/riviere/referrals/{sent.referral_id}/")
    assert "4811-998-26-00031" in own.content.decode()
    assert "Reached him at his sister&#x27;s" in own.content.decode()


def test_the_summary_is_what_was_sent_not_what_the_sending_agency_writes_later(client, world, sent):
    participant_update(
        participant=sent.referral.participant, by=world["intake"], legal_name="Jean-Marc Roy"
    )
    event_record(sent.referral, EventKind.EDITED, by=world["intake"], reason=LATER)
    html = _page(client, world["other_intake"], _detail(world, sent)).content.decode()
    assert "Jean-Marc Tremblay" in html
    assert "Jean-Marc Roy" not in html
    assert LATER not in html
    listed = client.get(_list(world.other_agency)).content.decode()
    assert "Jean-Marc Tremblay" in listed
    assert "Jean-Marc Roy" not in listed


def test_after_a_decline_the_receiving_agency_sees_nothing_of_the_person(client, world, sent):
    transfer_decline(transfer=sent, by=world["other_intake"], note="Our groups are full.")
    event_record(sent.referral, EventKind.EDITED, by=world["intake"], reason=LATER)
    client.force_login(world["other_intake"])
    assert client.get(_detail(world, sent)).status_code == 404
    assert client.post(_detail(world, sent), {"accept": "yes"}).status_code == 404
    listed = client.get(_list(world.other_agency))
    assert listed.status_code == 200
    assert "Jean-Marc Tremblay" not in listed.content.decode()
    # Positive control: the pending transfer of the world fixture is still listed.
    assert "Jean Marc Tremblay" in listed.content.decode()
    # The sending agency reads the answer it was given.
    own = _page(client, world["intake"], _detail(world, sent, agency=world.agency))
    assert own.status_code == 200
    assert "Declined" in own.content.decode()
    assert "Our groups are full." in own.content.decode()


def test_after_a_cancel_the_receiving_agency_sees_nothing_of_the_person(client, world, sent):
    transfer_cancel(transfer=sent, by=world["intake"])
    client.force_login(world["other_manager"])
    assert client.get(_detail(world, sent)).status_code == 404
    listed = client.get(_list(world.other_agency)).content.decode()
    assert "Jean-Marc Tremblay" not in listed
    assert "Jean Marc Tremblay" in listed
    own = _page(client, world["intake"], _detail(world, sent, agency=world.agency))
    assert "Cancelled" in own.content.decode()


def test_after_an_acceptance_the_receiving_agency_works_from_its_own_copy(client, world, sent):
    new = transfer_accept(transfer=sent, by=world["other_intake"])
    # The first agency corrects its record and writes in its history afterwards.
    participant_update(
        participant=sent.referral.participant, by=world["intake"], legal_name="Jean-Marc Roy"
    )
    event_record(sent.referral, EventKind.EDITED, by=world["intake"], reason=LATER)

    detail = _page(client, world["other_intake"], _detail(world, sent))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert f"/en/a/lakehead/referrals/{new.pk}/" in html
    assert "Jean-Marc Tremblay" in html
    assert "Jean-Marc Roy" not in html
    listed = client.get(_list(world.other_agency)).content.decode()
    assert "Jean-Marc Tremblay" in listed
    assert "Jean-Marc Roy" not in listed
    own = client.get(f"/en/a/lakehead/referrals/{new.pk}/").content.decode()
    # The history came with the referral, up to the transfer and no further.
    assert "Reached him at his sister&#x27;s" in own
    assert LATER not in own
    assert "Jean-Marc Roy" not in own


def test_after_an_acceptance_the_sending_agency_sees_nothing_the_receiver_does(client, world, sent):
    new = transfer_accept(transfer=sent, by=world["other_intake"], note="Welcome.")
    new = Referral.objects.get(pk=new.pk)
    participant_update(
        participant=new.participant, by=world["other_intake"], legal_name="Jean-Marc Whitehorse"
    )
    referral_transition(
        referral=new, name="contact", by=world["other_intake"], reason="Met at our office."
    )
    client.force_login(world["intake"])
    pages = [
        f"/en/a/riviere/referrals/{sent.referral_id}/",
        _detail(world, sent, agency=world.agency),
        _list(world.agency),
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "Jean-Marc Tremblay" in html, url
        assert "Jean-Marc Whitehorse" not in html, url
        assert "Met at our office." not in html, url
        assert f"/lakehead/referrals/{new.pk}/" not in html, url
    assert client.get(f"/en/a/lakehead/referrals/{new.pk}/").status_code == 404
    assert client.get(f"/en/a/riviere/referrals/{new.pk}/").status_code == 404


def test_each_side_reads_who_must_act_on_a_pending_transfer(client, world, sent):
    receiving = _page(client, world["other_intake"], _list(world.other_agency)).content.decode()
    assert "Waiting for your answer" in receiving
    assert "Waiting for the other agency" not in receiving
    sending = _page(client, world["intake"], _list(world.agency)).content.decode()
    assert "Waiting for the other agency" in sending
    assert "Waiting for your answer" not in sending
    detail = client.get(_detail(world, sent, agency=world.agency)).content.decode()
    assert "Waiting for the other agency" in detail
    assert "Waiting for your answer" not in detail


def _queries(client, url):
    client.get(url)  # the first request of a session records the device: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_transfer_list_costs_the_same_queries_for_more_transfers(client, world, sent):
    client.force_login(world["intake"])
    before = _queries(client, _list(world.agency))
    client.force_login(world["other_intake"])
    before_incoming = _queries(client, _list(world.other_agency))
    for number in range(3):
        referral = make_referral(
            world.agency,
            world["intake"],
            world.court,
            person={"legal_name": f"Person {number}"},
            court_file_number=f"4811-998-26-0100{number}",
        )
        transfer = transfer_request(
            referral=referral,
            by=world["intake"],
            to_agency=world.other_agency,
            reason="Moved.",
            consent_signed_on=date(2026, 11, 20),
        )
        if number:
            transfer_accept(transfer=transfer, by=world["other_intake"])
    client.force_login(world["intake"])
    assert _queries(client, _list(world.agency)) == before
    client.force_login(world["other_intake"])
    assert _queries(client, _list(world.other_agency)) == before_incoming
