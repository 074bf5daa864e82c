"""Names (participants, people named by an order, staff, agencies, groups) refuse control
characters and the marks that reverse the text around them, with a message that says why."""

import pytest
from django.core.exceptions import ValidationError

from directory.models import Agency
from ipv.core.validators import validate_name
from tests.conftest import make_referral
from tests.sessions_app.conftest import a_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DIRECTION = "A name cannot contain a mark that changes the direction of the text."
CONTROL = "A name cannot contain control characters such as a tab or a line break."

REFUSED = [
    ("Jean\u202eeuqraM", DIRECTION),  # right-to-left override: shows as "JeanMarque"
    ("Jean\u2067Marc\u2069", DIRECTION),
    ("Jean\u200fMarc", DIRECTION),
    ("Jean\x00Marc", CONTROL),
    ("Jean\tMarc", CONTROL),
    ("Jean\nMarc", CONTROL),
    ("Jean\x1bMarc", CONTROL),
    ("Jean\u2028Marc", CONTROL),
]
ACCEPTED = ["Jean-Marc Tremblay", "Éloïse Côté-Bérubé", "O'Neil", "محمد", "Ngāti Kahu", "李 小龍"]


@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_a_name_with_a_control_or_direction_mark_is_refused_with_a_reason(name, message):
    with pytest.raises(ValidationError) as refused:
        validate_name(name)
    assert refused.value.messages == [message]


@pytest.mark.parametrize("name", ACCEPTED)
def test_names_in_any_script_are_accepted(name):
    validate_name(name)


def test_a_referral_refuses_such_a_participant_or_referrer(world):
    for field in ("legal_name", "preferred_name"):
        with pytest.raises(ValidationError) as refused:
            make_referral(world.agency, world["intake"], world.court, person={field: "A\u202eB"})
        assert refused.value.message_dict[field] == [DIRECTION]
    with pytest.raises(ValidationError) as refused:
        make_referral(world.agency, world["intake"], world.court, referrer_name="A\tB")
    assert refused.value.message_dict["referrer_name"] == [CONTROL]
    # The control: the same referral with plain names is recorded.
    assert make_referral(world.agency, world["intake"], world.court).pk


def test_a_group_and_an_agency_refuse_such_a_name(world):
    with pytest.raises(ValidationError) as refused:
        a_group(world, name="Mardi\u202e soir")
    assert refused.value.message_dict["name"] == [DIRECTION]
    agency = Agency.objects.get(pk=world.agency.pk)
    agency.name_fr = "Services\nRivière"
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert refused.value.message_dict["name_fr"] == [CONTROL]
    assert a_group(world, name="Jeudi soir").pk


def test_the_staff_invitation_form_says_why_a_name_is_refused(client, world):
    client.force_login(world["manager"])
    fields = {"email": "dana@riviere.test", "language": "en", "roles": ["intake"]}
    response = client.post(
        f"/en/a/{world.agency.slug}/staff/invite/", {**fields, "full_name": "Dana\u202eCôté"}
    )
    assert response.status_code == 400
    assert DIRECTION in response.content.decode()
    accepted = client.post(
        f"/en/a/{world.agency.slug}/staff/invite/", {**fields, "full_name": "Dana Côté"}
    )
    assert accepted.status_code == 302
