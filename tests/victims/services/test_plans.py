"""The safety plan: each save a new version, numbered after the last — two saves at once
included — and a version saved is never changed."""

import pytest
from django.db import DatabaseError, transaction

from tests.conftest import at_once
from tests.victims.services.conftest import SOPHIE, named, person
from victims.models import SafetyPlanVersion, Victim
from victims.rls import confidential
from victims.services.outreach import plan_save

pytestmark = pytest.mark.django_db


def versions(victim) -> list[tuple[int, str]]:
    with confidential(victim.agency_id):
        return list(
            SafetyPlanVersion.objects.filter(victim=victim)
            .order_by("number")
            .values_list("number", "warning_signs")
        )


def test_each_save_is_a_new_version_numbered_after_the_last(world):
    sophie = person(named(world, name="Marc-André Poirier", people=(SOPHIE,)), "Sophie Lachance")
    for signs in ("He drinks.", "He drinks; he checks her phone.", "He bought a gun."):
        plan_save(victim=sophie, by=world["partner_contact"], warning_signs=signs, children="")
    assert versions(sophie) == [
        (1, "He drinks."),
        (2, "He drinks; he checks her phone."),
        (3, "He bought a gun."),
    ]
    with confidential(world.agency):
        latest = SafetyPlanVersion.objects.filter(victim=sophie).first()
    assert (latest.number, latest.saved_by, latest.code_word) == (3, world["partner_contact"], "")


def test_a_saved_version_is_never_changed_nor_removed(world):
    sophie = person(named(world, name="Marc-André Poirier", people=(SOPHIE,)), "Sophie Lachance")
    plan = plan_save(victim=sophie, by=world["partner_contact"], safe_places="Her sister's.")
    with pytest.raises(DatabaseError), confidential(world.agency), transaction.atomic():
        SafetyPlanVersion.objects.filter(pk=plan.pk).update(safe_places="Nowhere.")
    with pytest.raises(DatabaseError), confidential(world.agency), transaction.atomic():
        SafetyPlanVersion.objects.filter(pk=plan.pk).delete()
    assert versions(sophie) == [(1, "")]
    with confidential(world.agency):
        assert SafetyPlanVersion.objects.get(pk=plan.pk).safe_places == "Her sister's."


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_take_versions_1_and_2(world):
    sophie = person(named(world, name="Marc-André Poirier", people=(SOPHIE,)), "Sophie Lachance")

    def saving(signs):
        def call():
            with confidential(world.agency):
                victim = Victim.objects.get(pk=sophie.pk)
            return plan_save(victim=victim, by=world["partner_contact"], warning_signs=signs).number

        return call

    numbers = at_once(saving("First tab."), saving("Second tab."))
    assert sorted(numbers) == [1, 2]
    assert sorted(signs for _number, signs in versions(sophie)) == ["First tab.", "Second tab."]
