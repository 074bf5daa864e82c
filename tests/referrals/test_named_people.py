"""The court order names any number of people: rows are added and removed with buttons that work
without JavaScript, keep everything typed and save nothing; every filled row is recorded."""

import re

import pytest
import time_machine

from referrals.models import Referral
from tests.referrals.test_court_portal import e_referral
from tests.referrals.test_referral_form import NOW, form_data, new_url
from victims.models import Victim

pytestmark = pytest.mark.django_db

NAMES = ["Zéphirine Canari", "Odile Pivert", "Berthe Loriot"]


def _three_named(world, **changes):
    rows = {"named-TOTAL_FORMS": "3"}
    for row, name in enumerate(NAMES):
        rows[f"named-{row}-full_name"] = name
        rows[f"named-{row}-relationship"] = "family"
        rows[f"named-{row}-phone"] = f"613-555-010{row}"
    return form_data(world, **rows, **changes)


def _rows(response):
    formset = response.context["people_formset"]
    return [form["full_name"].value() for form in formset]


def test_the_blank_form_offers_one_row_and_a_button_to_add_more(client, world):
    client.force_login(world["intake"])
    response = client.get(new_url(world))
    assert _rows(response) == [None]
    assert 'name="named-add"' in response.content.decode()
    assert re.search(r'name="named-remove"\s+value="0"', response.content.decode())


@time_machine.travel(NOW, tick=False)
def test_adding_a_person_gives_one_more_row_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world["intake"])
    response = client.post(new_url(world), _three_named(world, **{"named-add": "1"}))
    assert response.status_code == 200
    assert _rows(response) == [*NAMES, None]
    html = response.content.decode()
    assert 'name="named-TOTAL_FORMS" value="4"' in html
    assert 'value="Étienne Côté-Labrecque"' in html
    assert "Please correct" not in html
    assert not Referral.objects.filter(court_file_number="4811-998-26-09999").exists()
    assert not Victim.objects.filter(full_name__in=NAMES).exists()


@time_machine.travel(NOW, tick=False)
def test_adding_a_person_to_a_half_filled_form_finds_no_fault_with_the_rest(client, world):
    client.force_login(world["intake"])
    half = {
        "person-legal_name": "Étienne Côté-Labrecque",
        "named-TOTAL_FORMS": "1",
        "named-INITIAL_FORMS": "0",
        "named-0-phone": "613-555-0101",
    }
    response = client.post(new_url(world), {**half, "named-add": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required" not in html
    assert 'aria-invalid="true"' not in html
    assert 'value="Étienne Côté-Labrecque"' in html
    assert response.context["people_formset"][0]["phone"].value() == "613-555-0101"
    # Positive control: the same half-filled form, sent to be saved, names what is missing.
    response = client.post(new_url(world), half)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_removing_a_person_drops_that_row_and_moves_the_next_ones_up(client, world):
    client.force_login(world["intake"])
    response = client.post(new_url(world), _three_named(world, **{"named-remove": "1"}))
    assert _rows(response) == ["Zéphirine Canari", "Berthe Loriot"]
    formset = response.context["people_formset"]
    assert formset[1]["phone"].value() == "613-555-0102"
    assert 'name="named-TOTAL_FORMS" value="2"' in response.content.decode()
    assert not Referral.objects.filter(court_file_number="4811-998-26-09999").exists()


@time_machine.travel(NOW, tick=False)
def test_a_row_that_does_not_exist_is_not_removed(client, world):
    client.force_login(world["intake"])
    for row in ["7", "-1", "x"]:
        response = client.post(new_url(world), _three_named(world, **{"named-remove": row}))
        assert _rows(response) == NAMES
    assert not Victim.objects.filter(full_name__in=NAMES).exists()


@time_machine.travel(NOW, tick=False)
def test_every_person_the_order_names_is_recorded_however_many(client, world):
    client.force_login(world["intake"])
    rows = {"named-TOTAL_FORMS": "14"}
    for row in range(14):
        rows[f"named-{row}-full_name"] = f"Person {row}"
        rows[f"named-{row}-relationship"] = "family"
    response = client.post(new_url(world), form_data(world, **rows))
    assert response.status_code == 302
    referral = Referral.objects.get(court_file_number="4811-998-26-09999")
    assert Victim.objects.filter(referral=referral).count() == 14


@time_machine.travel(NOW, tick=False)
def test_a_refused_form_keeps_every_person_typed(client, world):
    client.force_login(world["intake"])
    response = client.post(new_url(world), _three_named(world, **{"named-2-email": "nowhere"}))
    assert response.status_code == 400
    assert _rows(response) == NAMES
    assert response.context["people_formset"][2].errors["email"]
    assert not Victim.objects.filter(full_name__in=NAMES).exists()


@time_machine.travel(NOW, tick=False)
def test_the_court_portal_adds_a_person_without_sending_the_referral(client, world):
    client.force_login(world["liaison"])
    response = client.post("/en/court/referrals/new/", e_referral(world, **{"named-add": "1"}))
    assert response.status_code == 200
    assert _rows(response) == ["Hortense Canari", None, None]
    assert not Referral.objects.filter(court_file_number="4811-998-26-07777").exists()
    # Positive control: the same form without the button sends it.
    response = client.post("/en/court/referrals/new/", e_referral(world))
    assert response.status_code == 302
    assert Referral.objects.filter(court_file_number="4811-998-26-07777").exists()


@time_machine.travel(NOW, tick=False)
def test_a_forged_row_count_is_refused_not_rearranged(client, world):
    client.force_login(world["intake"])
    forged = {**_three_named(world), "named-TOTAL_FORMS": "1000000000", "named-remove": "0"}
    response = client.post(new_url(world), forged)
    assert response.status_code == 400
    assert response.context["people_formset"].non_form_errors()
    assert not Referral.objects.filter(court_file_number="4811-998-26-09999").exists()
