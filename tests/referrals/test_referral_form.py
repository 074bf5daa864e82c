"""Recording a referral through the long form: what is saved, and bad input refused field by
field without losing anything already typed."""

import pytest
import time_machine
from django.utils import translation

from referrals.models import Referral, Status
from victims.models import Victim

pytestmark = pytest.mark.django_db

NOW = "2026-11-24 10:00 -05:00"


def form_data(world, **changes):
    """What an intake worker types for a referral with one victim named."""
    data = {
        "person-legal_name": "Étienne Côté-Labrecque",
        "person-preferred_name": "Tienne",
        "person-date_of_birth": "1979-06-15",
        "person-language": "fr",
        "person-phone": "613-555-0142",
        "person-city": "Gatineau",
        "person-postal_code": "J8X 3X7",
        "order-program": "ipv",
        "order-stream": "coordinated_prosecution",
        "order-source_order": "probation_order",
        "order-court": str(world.court.pk),
        "order-court_file_number": "4811-998-26-09999",
        "order-charges": "Assault (s. 266)",
        "order-order_date": "2026-11-10",
        "order-return_court_date": "",
        "order-complete_by": "2027-05-10",
        "order-source": "probation",
        "order-referrer_name": "Paula Agent",
        "order-received_on": "2026-11-12",
        "named-TOTAL_FORMS": "2",
        "named-INITIAL_FORMS": "0",
        "named-MIN_NUM_FORMS": "0",
        "named-MAX_NUM_FORMS": "10",
        "named-0-full_name": "Zéphirine Canari",
        "named-0-relationship": "victim",
        "named-0-phone": "613-555-0199",
        "named-0-email": "",
        "named-0-safe_contact_notes": "",
    }
    data.update(changes)
    return data


def new_url(world, language="en"):
    return f"/{language}/a/{world.agency.slug}/referrals/new/"


@time_machine.travel(NOW, tick=False)
def test_a_referral_is_recorded_with_its_person_and_the_victim_goes_to_the_confidential_store(
    client, world
):
    client.force_login(world["intake"])
    response = client.post(new_url(world), form_data(world))

    referral = Referral.objects.get(court_file_number="4811-998-26-09999")
    assert response.status_code == 302
    assert response["Location"] == f"/en/a/{world.agency.slug}/referrals/{referral.pk}/"
    assert referral.agency == world.agency
    assert referral.status == Status.RECEIVED
    assert referral.participant.legal_name == "Étienne Côté-Labrecque"
    assert str(referral.participant.phone) == "+16135550142"
    assert referral.is_accepted
    victim = Victim.objects.get(referral=referral)
    assert (victim.full_name, victim.phone) == ("Zéphirine Canari", "+16135550199")


@time_machine.travel(NOW, tick=False)
def test_the_referral_page_says_how_many_people_are_named_and_never_who(client, world):
    client.force_login(world["intake"])
    client.post(new_url(world), form_data(world))
    referral = Referral.objects.get(court_file_number="4811-998-26-09999")

    html = client.get(f"/en/a/{world.agency.slug}/referrals/{referral.pk}/").content.decode()

    assert "The order names 1 person." in html
    assert "Zéphirine" not in html
    assert "555-0199" not in html


def _errors_of(response, field):
    return response.context["order_form"].errors.get(field) or response.context[
        "person_form"
    ].errors.get(field)


BAD_DATES = [
    ("order-complete_by", "2026-11-01", "complete_by", "must come after the order"),
    ("order-complete_by", "2026-11-10", "complete_by", "must come after the order"),
    ("order-return_court_date", "2026-11-09", "return_court_date", "cannot come before"),
    ("order-received_on", "2026-11-09", "received_on", "cannot arrive before the order"),
    ("order-order_date", "2026-11-30", "order_date", "cannot be dated in the future"),
    ("order-received_on", "2026-11-25", "received_on", "cannot be received in the future"),
    ("person-date_of_birth", "2027-01-01", "date_of_birth", "in the past"),
    ("person-date_of_birth", "1899-12-31", "date_of_birth", "after 1900"),
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("key", "value", "field", "message"), BAD_DATES)
def test_dates_out_of_order_are_refused_next_to_the_date_to_correct(
    client, world, key, value, field, message
):
    client.force_login(world["intake"])
    response = client.post(new_url(world), form_data(world, **{key: value}))

    assert response.status_code == 400
    assert any(message in error for error in _errors_of(response, field))
    assert not Referral.objects.filter(court_file_number="4811-998-26-09999").exists()


@time_machine.travel(NOW, tick=False)
def test_nothing_typed_is_lost_when_the_form_is_refused(client, world):
    client.force_login(world["intake"])
    data = form_data(world, **{"order-complete_by": "2026-11-01"})
    response = client.post(new_url(world), data)

    html = response.content.decode()
    for typed in (
        "Étienne Côté-Labrecque",
        "Tienne",
        "Gatineau",
        "4811-998-26-09999",
        "Paula Agent",
        "Zéphirine Canari",
        "2026-11-01",
    ):
        assert typed in html, typed
    assert Victim.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_court_that_does_not_exist_is_refused(client, world):
    client.force_login(world["intake"])
    response = client.post(new_url(world), form_data(world, **{"order-court": "999999"}))

    assert response.status_code == 400
    assert response.context["order_form"].errors["court"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


@time_machine.travel(NOW, tick=False)
def test_a_ten_thousand_character_name_is_refused_in_french_too(client, world):
    client.force_login(world["intake"])
    data = form_data(world, **{"person-legal_name": "A" * 10_000})
    response = client.post(new_url(world, "fr"), data)

    assert response.status_code == 400
    with translation.override("fr"):
        errors = response.context["person_form"].errors["legal_name"]
    assert "200" in errors[0]
    assert "caractères" in errors[0]
    assert Referral.objects.filter(court_file_number="4811-998-26-09999").count() == 0


@time_machine.travel(NOW, tick=False)
def test_odd_characters_and_a_bad_phone_get_messages_not_a_crash(client, world):
    client.force_login(world["intake"])
    data = form_data(
        world,
        **{
            "person-legal_name": "Robert'); DROP TABLE referrals;-- \u202e \x00",
            "person-phone": "not a phone",
            "person-postal_code": "12345",
            "named-0-email": "nowhere",
        },
    )
    response = client.post(new_url(world), data)

    assert response.status_code == 400
    person = response.context["person_form"]
    assert "phone" in person.errors
    assert "postal_code" in person.errors
    assert "email" in response.context["people_formset"].forms[0].errors


@time_machine.travel(NOW, tick=False)
def test_an_interpreter_needs_a_language_and_email_reminders_an_address(client, world):
    client.force_login(world["intake"])
    data = form_data(world, **{"person-interpreter_needed": "on", "person-consent_email": "on"})
    response = client.post(new_url(world), data)

    person = response.context["person_form"]
    assert person.errors["interpreter_language"] == ["Say which language the interpreter speaks."]
    assert person.errors["email"] == ["An email address is needed for email reminders."]


@time_machine.travel(NOW, tick=False)
def test_a_program_the_agency_does_not_offer_cannot_be_chosen(client, world):
    client.force_login(world["intake"])
    response = client.post(new_url(world), form_data(world, **{"order-program": "ipiv"}))

    assert response.status_code == 400
    assert "program" in response.context["order_form"].errors


@time_machine.travel(NOW, tick=False)
def test_correcting_the_order_is_kept_in_the_history_without_the_values(client, world):
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/edit/"
    data = {
        "program": "ipv",
        "stream": "early_intervention",
        "source_order": "release_order",
        "court": str(world.court.pk),
        "court_file_number": "4811-998-26-00001",
        "charges": "Assault (s. 266); mischief (s. 430)",
        "order_date": "2026-11-02",
        "return_court_date": "2027-03-15",
        "complete_by": "2027-04-01",
        "source": "court",
        "referrer_name": "Louis Bélanger",
    }
    response = client.post(url, data)

    assert response.status_code == 302
    world.referral.refresh_from_db()
    assert str(world.referral.complete_by) == "2027-04-01"
    entry = world.referral.timeline.get(kind="edited")
    assert entry.by == world["intake"]
    assert entry.details == {"fields": ["charges", "complete_by"]}


@time_machine.travel(NOW, tick=False)
def test_a_correction_with_dates_out_of_order_keeps_the_referral_as_it_was(client, world):
    client.force_login(world["intake"])
    url = f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/edit/"
    response = client.post(
        url,
        {
            "program": "ipv",
            "stream": "early_intervention",
            "source_order": "release_order",
            "court": str(world.court.pk),
            "court_file_number": "CHANGED-1",
            "charges": "Assault",
            "order_date": "2026-11-02",
            "complete_by": "2026-10-01",
            "source": "court",
        },
    )

    assert response.status_code == 400
    assert "CHANGED-1" in response.content.decode()
    world.referral.refresh_from_db()
    assert world.referral.court_file_number == "4811-998-26-00001"
