import pytest
from django.core.management import call_command
from django.utils import timezone

from directory.models import Agency
from ipv.accounts.models import User
from ipv.pages.tasks import milestones_consume
from victims.models import (
    Assignment,
    ConsentRecord,
    Contact,
    OutreachTask,
    SafetyPlanVersion,
    Victim,
)
from victims.rls import confidential

pytestmark = pytest.mark.django_db

OUTREACH_TABLES = [Victim, Assignment, OutreachTask, Contact, SafetyPlanVersion, ConsentRecord]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)


def _counts():
    agencies = list(Agency.objects.values_list("pk", flat=True))
    with confidential(*agencies):
        return {model.__name__: model.objects.count() for model in OUTREACH_TABLES}


def test_the_partner_contact_worker_has_a_caseload_with_tasks_late_and_due_today(demo):
    partner = User.objects.get(email="partner@demo.ipv.test")
    agency = Agency.objects.get(slug="riviere-des-outaouais")
    today = timezone.localdate()
    with confidential(agency):
        assert Assignment.objects.filter(agency=agency, worker=partner).count() >= 5
        mine = OutreachTask.objects.filter(assignee=partner, state="open")
        assert mine.filter(due_on__lt=today).count() >= 2
        assert mine.filter(due_on=today).exists()
        assert mine.filter(due_on__gt=today).exists()
        assert OutreachTask.objects.filter(
            agency=agency, assignee__isnull=True, state="open"
        ).exists()
        contacts = Contact.objects.filter(by=partner)
        assert contacts.count() >= 8
        assert len(set(contacts.values_list("channel", flat=True))) >= 4
        assert len(set(contacts.values_list("outcome", flat=True))) >= 4
        assert contacts.filter(support_service__published=True).exists()


def test_the_demo_has_a_versioned_plan_a_withdrawn_consent_and_safe_contact_rules(demo):
    agency = Agency.objects.get(slug="riviere-des-outaouais")
    with confidential(agency):
        versions = SafetyPlanVersion.objects.filter(agency=agency)
        assert max(versions.values_list("number", flat=True)) >= 2
        withdrawn = Victim.objects.get(agency=agency, consent_contact="withdrawn")
        assert withdrawn.consents.filter(topic="contact", given=False).exists()
        # Only the mandatory discharge notice still asks to contact her.
        assert set(withdrawn.tasks.filter(state="open").values_list("mandatory", flat=True)) <= {
            True
        }
        people = Victim.objects.filter(agency=agency)
        assert people.filter(rules_updated_at__isnull=False).count() > people.count() / 2
        assert people.filter(do_not_contact=True).count() == 1
        assert people.filter(channels__contains=["letter"]).exclude(address="").exists()
        texted = people.get(channels__contains=["text"])
        assert texted.phone.startswith("+1613555")


def test_the_indigenous_agency_reaches_a_family_and_a_community_member(demo):
    agency = Agency.objects.get(slug="lakehead-healing")
    with confidential(agency):
        people = Victim.objects.filter(agency=agency, referral__program="ipiv")
        family = people.get(relationship="family")
        community = people.get(relationship="community")
        assert family.contacts.filter(cultural_supports__contains=["elder"]).exists()
        assert community.contacts.filter(cultural_supports__contains=["ceremony"]).exists()


def test_the_outreach_consumer_after_the_demo_makes_no_task_twice(demo):
    before = _counts()
    milestones_consume()
    milestones_consume()
    assert _counts() == before


def test_loading_the_demo_twice_leaves_the_same_outreach_rows(demo, settings):
    before = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == before
