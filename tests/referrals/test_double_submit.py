"""A referral form sent twice (a double click, a refresh, two tabs, two requests at the same
moment) records the person once: the second send finds the referral the first recorded."""

import uuid

import pytest
import time_machine
from django.test import Client

from ipv.notifications.models import OutboxMessage
from referrals.models import Participant, Referral
from tests.conftest import at_once
from tests.referrals.test_court_portal import e_referral
from tests.referrals.test_referral_form import NOW, form_data, new_url
from victims.models import Victim

KEY = "6f1c2a4e-9b1d-4c55-8f0e-2d7a9b3c1e55"


def _sending(world, person, url, data):
    def send():
        client = Client()
        client.force_login(world[person])
        response = client.post(url, data)
        return response.status_code, response["Location"]

    return send


@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_the_same_referral_form_sent_twice_at_once_records_one_referral(world):
    data = form_data(world, submission=KEY)
    results = at_once(*[_sending(world, "intake", new_url(world), data) for _ in range(2)])
    [referral] = Referral.objects.filter(court_file_number="4811-998-26-09999")
    assert results == [(302, f"/en/a/{world.agency.slug}/referrals/{referral.pk}/")] * 2
    assert Participant.objects.filter(legal_name="Étienne Côté-Labrecque").count() == 1
    assert Victim.objects.filter(referral=referral).count() == 1


@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_an_e_referral_sent_twice_at_once_reaches_the_agency_once(world):
    data = e_referral(world, submission=KEY)
    url = "/en/court/referrals/new/"
    sent_before = OutboxMessage.objects.count()
    results = at_once(*[_sending(world, "liaison", url, data) for _ in range(2)])
    [referral] = Referral.objects.filter(court_file_number="4811-998-26-07777")
    assert results == [(302, f"/en/court/referrals/{referral.pk}/")] * 2
    told = OutboxMessage.objects.order_by("pk")[sent_before:]
    # Each of the agency's intake workers is told once.
    assert sorted(m.to for m in told) == ["intake@riviere.test", "new@riviere.test"]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_blank_form_is_a_new_referral(client, world):
    client.force_login(world["intake"])
    first, second = (client.get(new_url(world)).context["submission"] for _ in range(2))
    assert first != second
    html = client.get(new_url(world)).content.decode()
    assert 'name="submission" value="' in html
    # The control: two forms, two keys, two referrals (for two court files).
    client.post(new_url(world), form_data(world, submission=str(first)))
    other = {"order-court_file_number": "4811-998-26-08888", "submission": str(second)}
    client.post(new_url(world), form_data(world, **other))
    assert Referral.objects.filter(submission_key__in=[first, second]).count() == 2


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_refused_form_keeps_its_key_and_another_persons_key_is_refused(client, world):
    client.force_login(world["intake"])
    refused = client.post(
        new_url(world), form_data(world, submission=KEY, **{"person-legal_name": ""})
    )
    assert refused.status_code == 400
    assert refused.context["submission"] == uuid.UUID(KEY)
    client.post(new_url(world), form_data(world, submission=KEY))
    client.force_login(world["manager"])
    response = client.post(new_url(world), form_data(world, submission=KEY))
    assert response.status_code == 400
    assert "This form was already sent. Open a new one." in response.content.decode()
    assert Referral.objects.filter(court_file_number="4811-998-26-09999").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_form_sent_without_a_valid_key_is_shown_again_with_one(client, world):
    client.force_login(world["intake"])
    data = form_data(world, submission="not-a-key", **{"person-legal_name": ""})
    refused = client.post(new_url(world), data)
    assert refused.status_code == 400
    assert isinstance(refused.context["submission"], uuid.UUID)
