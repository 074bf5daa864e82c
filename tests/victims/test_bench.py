"""The outreach bench at a small scale: its rows are valid and readable, a second seed adds
none, and the consumer it times makes each milestone's tasks once."""

import pytest

from directory import bench as directory_bench
from directory.models import Agency
from referrals import bench as referrals_bench
from referrals.services.milestones import consume
from victims import bench
from victims.bench import data, timed
from victims.consumers import OUTREACH_TASKS
from victims.models import Contact, OutreachTask, SafetyPlanVersion, Victim
from victims.rls import confidential

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(directory_bench, "AGENCIES", 3)
    monkeypatch.setattr(directory_bench, "SERVICES", 3)
    monkeypatch.setattr(referrals_bench, "REFERRALS", 40)
    monkeypatch.setattr(referrals_bench, "AGENCY_REFERRALS", 40)
    monkeypatch.setattr(timed, "MILESTONES", 30)
    return bench.seed()


def test_the_seed_names_two_people_per_referral_with_five_contacts_each(small):
    assert small["victims"] == 80
    assert small["outreach_contacts"] == 400
    agency = Agency.objects.get(slug=referrals_bench.AGENCY)
    with confidential(agency):
        names = set(Victim.objects.values_list("full_name", flat=True))
        notes = set(Contact.objects.values_list("note", flat=True))
        plan = SafetyPlanVersion.objects.order_by("pk").first()
        assert OutreachTask.objects.filter(assignee__email=data.PARTNER_BUSY).exists()
    # Pooled ciphertext reads back as the values encrypted.
    assert names <= set(data.NAMES)
    assert notes <= set(data.NOTES)
    assert plan.safe_places in data.PLAN_TEXT


def test_a_second_seed_adds_nothing(small):
    assert bench.seed() == small


# Outside a transaction, as the bench runs: putting the data set back ends with a VACUUM.
@pytest.mark.django_db(transaction=True)
def test_the_timed_consumer_makes_the_milestones_tasks_once_and_they_go_after(small):
    agency = Agency.objects.get(slug=referrals_bench.AGENCY)
    with confidential(agency):
        before = OutreachTask.objects.count()
    _name, work, options = timed.work()[0]
    options["setup"]()
    work()
    with confidential(agency):
        made = OutreachTask.objects.filter(milestone__isnull=False).count()
        assert OutreachTask.objects.count() == before + made
    assert made > 0
    assert consume(OUTREACH_TASKS) == 0
    # Afterwards the data set is as it was: the next run's pages list the same tasks.
    last = timed._seeded["task"]
    with confidential(agency):
        assert OutreachTask.objects.filter(pk__gt=last).exists()
    options["cleanup"]()
    with confidential(agency):
        assert not OutreachTask.objects.filter(pk__gt=last).exists()
        assert OutreachTask.objects.filter(pk__lte=last).count() == OutreachTask.objects.count()
