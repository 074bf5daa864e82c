"""A form of the confidential store sent twice — a double click, a reload, two tabs, two sends
at the same moment — does what it asks once: one concern, one contact, one risk alert, one
person named later."""

import uuid

import pytest

from tests.conftest import at_once
from tests.victims.services.conftest import NOW, SOPHIE, named, person
from victims.models import Concern, Contact, RiskAlert, Victim
from victims.rls import confidential
from victims.services import alerts, outreach, tasks
from victims.services.naming import person_named_later


def count(model, agency) -> int:
    with confidential(agency):
        return model.objects.filter(agency=agency).count()


@pytest.mark.django_db
def test_each_form_sent_twice_with_its_key_does_its_work_once(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE])
    worker = world["partner_contact"]
    keys = {name: uuid.uuid4() for name in ("concern", "contact", "alert", "named")}
    before = {model: count(model, world.agency) for model in (Concern, Contact, RiskAlert, Victim)}
    for _twice in range(2):
        tasks.concern_raise(
            referral=referral,
            by=world["facilitator"],
            note="A threat.",
            submission_key=keys["concern"],
        )
        outreach.contact_log(
            victim=person(referral, "Sophie Lachance"),
            by=worker,
            at=NOW,
            channel="phone",
            outcome="reached",
            submission_key=keys["contact"],
        )
        alerts.risk_alert_send(referral=referral, by=worker, submission_key=keys["alert"])
        person_named_later(
            referral=referral,
            person={"relationship": "current_partner", "full_name": "Lise Roy"},
            by=world["intake"],
            submission_key=keys["named"],
        )
    after = {model: count(model, world.agency) for model in before}
    assert {model.__name__: after[model] - before[model] for model in before} == {
        "Concern": 1,
        "Contact": 1,
        "RiskAlert": 1,
        "Victim": 1,
    }
    # Positive control: a new key (a new form) is a new concern.
    tasks.concern_raise(
        referral=referral, by=world["facilitator"], note="Again.", submission_key=uuid.uuid4()
    )
    assert count(Concern, world.agency) == before[Concern] + 2


@pytest.mark.django_db(transaction=True)
def test_a_concern_sent_twice_at_the_same_moment_is_one(world):
    referral = named(world, name="Olivier Gagné", people=[SOPHIE])
    key = uuid.uuid4()

    def send():
        return tasks.concern_raise(
            referral=referral, by=world["facilitator"], note="A threat.", submission_key=key
        )

    results = at_once(send, send)
    assert sorted(result is None for result in results) == [False, True]
    assert count(Concern, world.agency) == 1
