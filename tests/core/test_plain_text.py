"""Typed text is plain in every form: no mark that reverses the text around it (a place that
reads backwards on the roster and in the calendar, a reason that reads otherwise on the court's
notice), no control character but the line breaks of a box made for several lines."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ipv.core.validators import validate_name
from sessions_app.models import Group
from tests.referrals.test_court_portal import NOW, _ineligible

pytestmark = pytest.mark.django_db

RLO = "\u202e"


def _as_posted(form) -> dict:
    """What the browser sends back for a form as it was shown."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = str(value)
    return data


def _edit_group(client, world, location):
    client.force_login(world["manager"])
    url = f"/en/a/{world.agency.slug}/groups/{world.group.pk}/edit/"
    data = _as_posted(client.get(url).context["form"])
    return client.post(url, {**data, "location": location})


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (f"Room 1{RLO}tnemesab", "Remove the mark that changes the direction of the text."),
        ("Room 1\r\nEND:VEVENT", "Remove the control or invisible characters"),
        ("Room\ufeff 1", "Remove the control or invisible characters"),
        ("Ro\u00adom 1", "Remove the control or invisible characters"),
        ("Room 1\x00", "Null characters are not allowed."),
    ],
)
def test_a_place_with_a_hidden_mark_is_refused_and_kept_on_the_form(
    client, world, english, location, message
):
    response = _edit_group(client, world, location)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"]["location"].value() == location
    assert Group.objects.get(pk=world.group.pk).location != location


def test_a_plain_place_is_saved(client, world, english):
    assert _edit_group(client, world, "Salle 2 — sous-sol").status_code == 302
    assert Group.objects.get(pk=world.group.pk).location == "Salle 2 — sous-sol"


@time_machine.travel(NOW, tick=False)
def test_the_reason_for_the_court_refuses_a_reversing_mark(client, world, english):
    refused = _ineligible(client, world, court_reason=f"Lives in {RLO}Gatineau.")
    assert refused.status_code == 400
    assert "Remove the mark that changes the direction" in refused.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_reason_for_the_court_keeps_its_line_breaks(client, world, english):
    kept = _ineligible(client, world, court_reason="Lives in Gatineau.\r\nA program is closer.")
    assert kept.status_code == 302


def test_a_name_written_with_invisible_characters_is_refused(client, world, english):
    from tests.referrals.test_referral_form import form_data, new_url

    client.force_login(world["intake"])
    hidden = "É\ufeffric L\u2060évesque"
    response = client.post(new_url(world), form_data(world, **{"person-legal_name": hidden}))
    assert response.status_code == 400
    assert response.context["person_form"].errors == {
        "legal_name": ["Remove the control or invisible characters (a tab, a line break…)."]
    }


def test_joiners_stay_in_text_written_with_them(client, world, english):
    # The control: a family emoji is written with zero-width joiners.
    assert _edit_group(client, world, "Salle 👨\u200d👩\u200d👧").status_code == 302


def test_a_name_given_to_a_service_with_invisible_characters_is_refused(english):
    with pytest.raises(ValidationError) as refused:
        validate_name("Éric\u00adLévesque")
    assert refused.value.messages == ["A name cannot contain invisible characters."]
