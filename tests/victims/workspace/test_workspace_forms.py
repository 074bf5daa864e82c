"""The forms of a person's record: each bad input is refused with a clear message at its
field, everything typed kept, never a 500; each good one is saved."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ipv.accounts.models import Membership
from ipv.core.choices import Role
from victims.models import ConsentRecord, Contact, OutreachTask, RiskAlert, SafetyPlanVersion
from victims.models.people import ConsentState, OutreachState, Victim
from victims.rls import confidential
from victims.services import outreach

pytestmark = pytest.mark.django_db

# A Monday morning in the past, in the agency's time zone.
MONDAY_MORNING = "2026-11-02T10:00"
NOTE = "Spoke about her sister's place; she will call back Thursday."


def url(name, world, **kwargs):
    return reverse(f"agency:{name}", kwargs={"agency_slug": world.agency.slug, **kwargs})


def person_url(name, world):
    return url(name, world, pk=world.victim.pk)


def set_rules(world, **rules):
    values = {
        "channels": ["phone", "text", "email", "letter"],
        "safe_days": [0, 1, 2, 3, 4, 5, 6],
        "safe_from": None,
        "safe_until": None,
        "voicemail_ok": True,
        "message_ok": True,
        **rules,
    }
    return outreach.rules_set(victim=world.victim, by=world["partner_contact"], **values)


def contact_data(**changes):
    return {
        "at": MONDAY_MORNING,
        "channel": "phone",
        "outcome": "reached",
        "services": ["safety_planning", "information"],
        "note": NOTE,
        **changes,
    }


def contacts(world):
    with confidential(world.agency):
        return list(Contact.objects.filter(victim=world.victim))


def refreshed(world) -> Victim:
    with confidential(world.agency):
        return Victim.objects.get(pk=world.victim.pk)


# Safe-contact rules.


def test_safe_hours_that_start_and_end_together_are_refused_with_what_was_typed(
    worker_client, world
):
    data = {
        "channels": ["phone", "text"],
        "safe_days": ["0", "2"],
        "safe_from": "17:00",
        "safe_until": "17:00",
        "code_word": "tulipe",
    }
    response = worker_client.post(person_url("outreach_rules", world), data)
    assert response.status_code == 400
    assert response.context["form"].errors["safe_until"] == [
        "The safe hours cannot start and end at the same time."
    ]
    page = response.content.decode()
    assert 'value="17:00"' in page and 'value="tulipe"' in page
    assert refreshed(world).safe_from is None


def test_safe_hours_may_run_past_midnight(worker_client, world):
    data = {"channels": ["phone"], "safe_days": ["0", "1", "2", "3", "4", "5", "6"]}
    data |= {"safe_from": "22:00", "safe_until": "02:00"}
    response = worker_client.post(person_url("outreach_rules", world), data)
    assert response.status_code == 302
    victim = refreshed(world)
    assert (victim.safe_from.hour, victim.safe_until.hour) == (22, 2)


def test_rules_are_saved_with_channels_days_hours_and_the_code_word(worker_client, world):
    data = {
        "channels": ["text"],
        "safe_days": ["0", "2"],
        "safe_from": "09:00",
        "safe_until": "17:00",
        "message_ok": "on",
        "code_word": "tulipe",
        "safe_contact_notes": "Only on her work phone.",
    }
    response = worker_client.post(person_url("outreach_rules", world), data)
    assert response.status_code == 302
    victim = refreshed(world)
    assert (victim.channels, victim.safe_days) == (["text"], [0, 2])
    assert (victim.safe_from, victim.safe_until) == (time(9), time(17))
    assert victim.message_ok and not victim.voicemail_ok and victim.code_word == "tulipe"


def test_the_rules_page_groups_its_checkboxes_in_fieldsets(worker_client, world):
    page = worker_client.get(person_url("outreach_rules", world)).content.decode()
    assert page.count("<fieldset") >= 2 and "Channels allowed" in page and "Safe days" in page


# Consent.


@pytest.mark.parametrize("day", ["2999-01-01", "1999-12-31"])
def test_a_consent_date_in_the_future_or_before_2000_is_refused(worker_client, world, day):
    data = {"topic": "contact", "given": "yes", "how": "phone", "on": day}
    response = worker_client.post(person_url("outreach_consent", world), data)
    assert response.status_code == 400
    assert "on" in response.context["form"].errors
    assert f'value="{day}"' in response.content.decode()
    with confidential(world.agency):
        assert not ConsentRecord.objects.filter(victim=world.victim).exists()


def test_withdrawn_consent_is_recorded_and_cancels_the_tasks_that_would_contact_them(
    worker_client, world
):
    data = {"topic": "contact", "given": "no", "how": "phone", "on": "2026-11-02"}
    assert worker_client.post(person_url("outreach_consent", world), data).status_code == 302
    assert refreshed(world).consent_contact == ConsentState.WITHDRAWN
    with confidential(world.agency):
        assert OutreachTask.objects.get(pk=world.task.pk).state == "cancelled"
    page = worker_client.get(person_url("outreach_person", world)).content.decode()
    assert "Withdrawn or refused" in page


# Contacts.


def test_a_contact_is_logged_with_its_services_and_does_the_task_named(worker_client, world):
    set_rules(world)
    data = contact_data(task=str(world.task.pk))
    response = worker_client.post(person_url("outreach_contact", world), data)
    assert response.status_code == 302, response.context["form"].errors
    [contact] = contacts(world)
    assert contact.note == NOTE and contact.services == ["safety_planning", "information"]
    assert contact.at == timezone.make_aware(datetime(2026, 11, 2, 10, 0))
    with confidential(world.agency):
        assert OutreachTask.objects.get(pk=world.task.pk).state == "done"


def _refused(client, world, data, reason):
    response = client.post(person_url("outreach_contact", world), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["channel"] == [reason], form.errors
    page = response.content.decode()
    assert escape(NOTE) in page  # everything typed is kept
    assert escape(reason) in page
    assert contacts(world) == []


def test_a_contact_by_a_channel_the_rules_forbid_is_refused_at_the_channel(worker_client, world):
    set_rules(world, channels=["letter"])
    _refused(
        worker_client,
        world,
        contact_data(channel="phone"),
        "Their safe-contact rules do not allow this channel: phone.",
    )


def test_a_contact_on_an_unsafe_day_is_refused(worker_client, world):
    set_rules(world, safe_days=[1, 2, 3, 4, 5, 6])
    _refused(
        worker_client,
        world,
        contact_data(),
        "Their safe-contact rules do not allow contact on that day of the week.",
    )


def test_a_contact_outside_the_safe_hours_is_refused(worker_client, world):
    set_rules(world, safe_from=time(18), safe_until=time(20))
    response = worker_client.post(person_url("outreach_contact", world), contact_data())
    assert response.status_code == 400
    assert "allow contact only between" in response.context["form"].errors["channel"][0]
    assert escape(NOTE) in response.content.decode()


def test_a_text_to_a_number_that_is_not_canadian_is_refused(worker_client, world):
    set_rules(world)
    with confidential(world.agency):
        Victim.objects.filter(pk=world.victim.pk).update(phone="+442079460000")
    _refused(
        worker_client,
        world,
        contact_data(channel="text"),
        "Their phone number is not a valid Canadian number: no text can go to it.",
    )


def test_a_message_left_where_the_rules_forbid_it_is_refused(worker_client, world):
    set_rules(world, voicemail_ok=False)
    _refused(
        worker_client,
        world,
        contact_data(outcome="message_left"),
        "Their safe-contact rules do not allow leaving a message.",
    )


def test_a_contact_with_someone_not_to_contact_is_refused(worker_client, world):
    set_rules(world, do_not_contact=True)
    _refused(worker_client, world, contact_data(), "This person must not be contacted.")


def test_a_contact_after_consent_was_withdrawn_is_refused(worker_client, world):
    set_rules(world)
    outreach.consent_record(
        victim=world.victim,
        by=world["partner_contact"],
        topic="contact",
        given=False,
        how="phone",
        on=timezone.localdate(),
    )
    _refused(
        worker_client,
        world,
        contact_data(),
        "This person withdrew their consent to be contacted.",
    )


def test_a_note_of_ten_thousand_characters_is_refused_and_kept(worker_client, world):
    set_rules(world)
    note = "Ceci est une note. " * 526  # 9,994 characters
    note += "x" * (10_000 - len(note))
    response = worker_client.post(person_url("outreach_contact", world), contact_data(note=note))
    assert response.status_code == 400
    assert "at most 4000 characters" in response.context["form"].errors["note"][0]
    assert escape(note) in response.content.decode()
    assert contacts(world) == []


def test_a_contact_in_the_future_is_refused(worker_client, world):
    set_rules(world)
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = worker_client.post(person_url("outreach_contact", world), contact_data(at=later))
    assert response.status_code == 400
    assert response.context["form"].errors["at"] == ["A contact cannot be logged in the future."]
    assert escape(NOTE) in response.content.decode()


def test_cultural_supports_are_offered_only_in_the_indigenous_program(worker_client, world):
    page = worker_client.get(person_url("outreach_contact", world)).content.decode()
    assert "Cultural supports" not in page
    world.referral.__class__.objects.filter(pk=world.referral.pk).update(program="ipiv")
    page = worker_client.get(person_url("outreach_contact", world)).content.decode()
    assert "Cultural supports" in page and "An Elder" in page


def test_another_persons_task_cannot_be_named_on_a_contact(worker_client, world):
    set_rules(world)
    response = worker_client.post(
        person_url("outreach_contact", world), contact_data(task=str(world.other_task.pk))
    )
    assert response.status_code == 400
    assert "task" in response.context["form"].errors


# The person.


def test_a_person_is_added_with_a_canadian_phone_number(worker_client, world):
    data = {
        "full_name": "Amélie Roy",
        "relationship": "current_partner",
        "language": "fr",
        "phone": "613 555 0199",
        "email": "",
    }
    response = worker_client.post(
        url("outreach_person_new", world, referral=world.referral.pk), data
    )
    assert response.status_code == 302
    with confidential(world.agency):
        person = Victim.objects.get(referral=world.referral, relationship="current_partner")
    assert (person.full_name, person.phone) == ("Amélie Roy", "+16135550199")


def test_a_phone_number_that_is_not_one_is_refused_with_the_name_kept(worker_client, world):
    data = {
        "full_name": "Amélie Roy",
        "relationship": "current_partner",
        "language": "fr",
        "phone": "12",
    }
    response = worker_client.post(
        url("outreach_person_new", world, referral=world.referral.pk), data
    )
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert "Amélie Roy" in response.content.decode()


def test_the_person_is_corrected(worker_client, world):
    data = {
        "full_name": "Sophie Bergeron-Roy",
        "relationship": "victim",
        "language": "en",
        "interpreter": "",
        "phone": "",
        "email": "",
        "address": "",
    }
    assert worker_client.post(person_url("outreach_person_edit", world), data).status_code == 302
    victim = refreshed(world)
    assert (victim.full_name, victim.language, victim.phone) == ("Sophie Bergeron-Roy", "en", "")


def test_outreach_is_closed_with_a_reason_and_reopened(worker_client, world):
    response = worker_client.post(person_url("outreach_close", world), {"because": "declined"})
    assert response.status_code == 302
    victim = refreshed(world)
    assert (victim.outreach, victim.closed_because) == (OutreachState.CLOSED, "declined")
    page = worker_client.get(person_url("outreach_person", world)).content.decode()
    assert "Declined the service" in page
    assert worker_client.post(person_url("outreach_reopen", world)).status_code == 302
    assert refreshed(world).outreach == OutreachState.OPEN


def test_closing_without_a_reason_is_refused(worker_client, world):
    response = worker_client.post(person_url("outreach_close", world), {})
    assert response.status_code == 400
    assert refreshed(world).outreach == OutreachState.OPEN


# Safety plan.


def test_the_plan_form_is_filled_from_the_latest_version_and_saves_a_new_one(worker_client, world):
    page = worker_client.get(person_url("outreach_plan", world)).content.decode()
    assert "He calls many times at night." in page
    data = {
        "warning_signs": "He calls many times at night.",
        "safe_places": "The library.",
        "code_word": "parapluie",
    }
    assert worker_client.post(person_url("outreach_plan", world), data).status_code == 302
    with confidential(world.agency):
        versions = list(SafetyPlanVersion.objects.filter(victim=world.victim).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert (versions[0].safe_places, versions[1].safe_places) == (
        "Her sister's home.",
        "The library.",
    )
    page = worker_client.get(url("outreach_plan_version", world, pk=world.victim.pk, number=1))
    assert "Her sister&#x27;s home." in page.content.decode()


def test_a_version_that_does_not_exist_is_404(worker_client, world):
    response = worker_client.get(url("outreach_plan_version", world, pk=world.victim.pk, number=9))
    assert response.status_code == 404


def test_another_persons_plan_number_is_404_under_this_person(worker_client, world):
    other = outreach.person_add(
        agency=world.agency,
        referral=world.referral,
        by=world["partner_contact"],
        full_name="Léa Roy",
        relationship="family",
    )
    response = worker_client.get(url("outreach_plan_version", world, pk=other.pk, number=1))
    assert response.status_code == 404


# Tasks.


def test_a_task_due_in_the_past_is_refused(worker_client, world):
    response = worker_client.post(person_url("outreach_task_add", world), {"due_on": "2020-01-01"})
    assert response.status_code == 400
    assert "due_on" in response.context["form"].errors
    assert 'value="2020-01-01"' in response.content.decode()


def test_a_follow_up_task_is_added_done_and_assigned(worker_client, world):
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {"due_on": due, "assignee": str(world["partner_contact"].pk)}
    assert worker_client.post(person_url("outreach_task_add", world), data).status_code == 302
    with confidential(world.agency):
        task = OutreachTask.objects.filter(victim=world.victim, kind="follow_up").latest("pk")
    assert task.assignee == world["partner_contact"]
    response = worker_client.post(url("outreach_task_assign", world, pk=task.pk), {"worker": ""})
    assert response.status_code == 302
    response = worker_client.post(url("outreach_task_done", world, pk=task.pk))
    assert response.status_code == 302
    with confidential(world.agency):
        task.refresh_from_db()
    assert (task.assignee, task.state) == (None, "done")


# The referral: assignment and risk alert.


def test_the_referral_is_assigned_to_a_partner_contact_worker(worker_client, world):
    referral_url = url("outreach_assign", world, referral=world.referral.pk)
    response = worker_client.post(referral_url, {"worker": str(world["partner_contact"].pk)})
    assert response.status_code == 302
    page = worker_client.get(url("outreach_referral", world, referral=world.referral.pk))
    assert "Patricia Lavoie, since" in page.content.decode()


def test_the_facilitator_of_the_participants_group_cannot_carry_its_outreach(worker_client, world):
    # One person in both roles, from a time the agency allowed it.
    agencies = type(world.agency).objects.filter(pk=world.agency.pk)
    agencies.update(allow_facilitator_partner_contact=True)
    Membership.objects.create(
        user=world["facilitator"], agency=world.agency, role=Role.PARTNER_CONTACT
    )
    agencies.update(allow_facilitator_partner_contact=False)
    referral_url = url("outreach_assign", world, referral=world.referral.pk)
    response = worker_client.post(referral_url, {"worker": str(world["facilitator"].pk)})
    assert response.status_code == 400
    assert "runs the participant&#x27;s group" in response.content.decode()


def test_the_risk_alert_is_confirmed_then_sent_without_naming_anyone(worker_client, world):
    alert_url = url("outreach_alert", world, referral=world.referral.pk)
    page = worker_client.get(alert_url).content.decode()
    assert "Nothing else" in page and "Sophie" not in page
    with confidential(world.agency):
        assert not RiskAlert.objects.exists()
    assert worker_client.post(alert_url).status_code == 302
    with confidential(world.agency):
        [alert] = RiskAlert.objects.all()
    assert (alert.referral, alert.sent_by) == (world.referral, world["partner_contact"])
