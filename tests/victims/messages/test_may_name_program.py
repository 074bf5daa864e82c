"""The rule that messages may say they come from the program: off by default, on the rules
form and the record, its changes in the person's history."""

import pytest
from django.apps import apps
from django.urls import reverse

from victims.models import Victim
from victims.rls import confidential

pytestmark = pytest.mark.django_db


def test_it_is_off_until_the_worker_turns_it_on(world, referral, sophie):
    assert sophie.may_name_program is False


def test_the_rules_form_sets_it_and_the_history_keeps_it(client, world, referral, sophie):
    client.force_login(world["partner_contact"])
    url = reverse(
        "agency:outreach_rules", kwargs={"agency_slug": world.agency.slug, "pk": sophie.pk}
    )
    page = client.get(url)
    assert 'name="may_name_program"' in page.content.decode()
    answer = client.post(
        url,
        {"channels": ["text"], "safe_days": ["1"], "message_ok": "on", "may_name_program": "on"},
    )
    assert answer.status_code == 302
    with confidential(world.agency):
        assert Victim.objects.get(pk=sophie.pk).may_name_program is True
        events = (
            apps.get_model("victims", "VictimEvent")
            .objects.filter(pgh_obj_id=sophie.pk)
            .order_by("pgh_id")
        )
        assert [event.may_name_program for event in events][-2:] == [False, True]
    record = client.get(
        reverse(
            "agency:outreach_person", kwargs={"agency_slug": world.agency.slug, "pk": sophie.pk}
        )
    )
    assert record.status_code == 200
