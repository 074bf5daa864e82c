"""The person's own view of their safety, at first contact and at the participant's exit:
recorded and corrected by the partner-contact worker on the person's record; nobody else
reads or writes it."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ipv.audit.models import AuditEvent
from tests.conftest import at_once
from victims.models import SafetyView
from victims.rls import confidential
from victims.services import safety

pytestmark = pytest.mark.django_db


def view_url(world, moment="first_contact", *, pk=None):
    return reverse(
        "agency:outreach_safety_view",
        kwargs={
            "agency_slug": world.agency.slug,
            "pk": pk or world.victim.pk,
            "moment": moment,
        },
    )


def views(world):
    with confidential(world.agency, world.other_agency):
        return list(SafetyView.objects.filter(victim=world.victim).order_by("moment"))


def history(world):
    with confidential(world.agency):
        return list(
            SafetyView.pgh_event_model.objects.filter(victim=world.victim).order_by("pgh_id")
        )


def answer(**changes):
    return {"feels_safe": "2", "abuse": "continued", "on": "2026-09-01", **changes}


def test_the_worker_records_the_view_at_first_contact(worker_client, world):
    response = worker_client.post(view_url(world), answer())
    assert response.status_code == 302
    (view,) = views(world)
    assert (view.moment, view.feels_safe, view.abuse, str(view.on)) == (
        "first_contact",
        2,
        "continued",
        "2026-09-01",
    )
    assert view.recorded_by == world["partner_contact"]
    assert view.agency == world.agency


def test_recording_the_same_moment_again_corrects_it_and_keeps_the_history(worker_client, world):
    worker_client.post(view_url(world), answer())
    response = worker_client.post(view_url(world), answer(feels_safe="3", abuse="reduced"))
    assert response.status_code == 302
    (view,) = views(world)
    assert (view.feels_safe, view.abuse) == (3, "reduced")
    assert [(e.pgh_label, e.feels_safe) for e in history(world)] == [
        ("insert", 2),
        ("update", 3),
    ]
    # The form offers the answer recorded, to be corrected.
    page = worker_client.get(view_url(world)).content.decode()
    assert re.search(r'name="feels_safe" value="3"[^>]*checked', page)
    assert re.search(r'name="abuse" value="reduced"[^>]*checked', page)


def test_the_record_shows_both_moments_with_their_answers_in_words(worker_client, world):
    worker_client.post(view_url(world), answer())
    worker_client.post(view_url(world, "exit"), answer(feels_safe="4", abuse="stopped"))
    url = reverse("agency:outreach_person", args=[world.agency.slug, world.victim.pk])
    page = worker_client.get(url).content.decode()
    assert "Their view of their safety" in page
    assert "Feels: Unsafe. The abuse: Continued." in page
    assert "Feels: Safe. The abuse: Stopped." in page
    assert view_url(world, "exit") in page


def test_a_future_date_is_refused_at_its_field_with_the_answer_kept(worker_client, world):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = worker_client.post(view_url(world), answer(on=tomorrow, feels_safe="5"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The date cannot be in the future." in page
    assert f'value="{tomorrow}"' in page
    assert re.search(r'name="feels_safe" value="5"[^>]*checked', page)
    assert views(world) == []
    # Positive control: today is accepted.
    today = timezone.localdate().isoformat()
    assert worker_client.post(view_url(world), answer(on=today)).status_code == 302


def test_an_answer_off_the_scale_is_refused_at_its_field(worker_client, world):
    response = worker_client.post(view_url(world), answer(feels_safe="9"))
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert views(world) == []


def test_an_exit_dated_before_the_first_contact_is_refused(worker_client, world):
    worker_client.post(view_url(world), answer(on="2026-09-01"))
    response = worker_client.post(view_url(world, "exit"), answer(on="2026-08-31"))
    assert response.status_code == 400
    assert "The exit comes after the first contact: check the date." in response.content.decode()
    assert len(views(world)) == 1


def test_an_unknown_moment_is_not_found(worker_client, world):
    assert worker_client.get(view_url(world, "midway")).status_code == 404


def test_another_agencys_person_is_not_found(worker_client, world):
    response = worker_client.post(view_url(world, pk=world.other_victim.pk), answer())
    assert response.status_code == 404
    with confidential(world.other_agency):
        assert not SafetyView.objects.filter(victim=world.other_victim).exists()


@pytest.mark.parametrize("person", ["intake", "facilitator", "manager"])
def test_other_roles_are_refused(client, world, person):
    client.force_login(world[person])
    assert client.get(view_url(world)).status_code == 403
    assert client.post(view_url(world), answer()).status_code == 403
    assert views(world) == []


def test_showing_the_form_is_an_audited_read_of_the_record(worker_client, world):
    reads = AuditEvent.objects.filter(
        actor=world["partner_contact"],
        action=AuditEvent.Action.RECORD_READ,
        target_type="victims.victim",
        target_id=str(world.victim.pk),
    )
    before = reads.count()
    assert worker_client.get(view_url(world, "exit")).status_code == 200
    assert reads.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_same_moment_recorded_twice_at_once_is_one_view_and_its_correction(world):
    def record(feels_safe):
        return lambda: safety.safety_view_record(
            victim=world.victim,
            by=world["partner_contact"],
            moment="exit",
            feels_safe=feels_safe,
            abuse="stopped",
            on=date(2026, 9, 1),
        )

    results = at_once(record(4), record(5))
    assert all(isinstance(result, SafetyView) for result in results)
    (view,) = views(world)
    assert view.feels_safe in {4, 5}
    assert [e.pgh_label for e in history(world)] == ["insert", "update"]
