import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError

from fees.models import FeeProposal, FeeSchedule, LedgerEntry
from ipv.accounts import demo
from ipv.accounts.models import User
from referrals.models import Referral, TimelineEntry
from sessions_app.models import (
    Attendance,
    Certificate,
    CourtReport,
    Enrollment,
    Group,
    Session,
)
from victims.models import Victim

pytestmark = pytest.mark.django_db


def test_demo_people_sign_in_with_the_demo_password_in_debug(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    assert sorted(User.objects.values_list("email", flat=True)) == sorted(
        email for email, *_ in demo.PERSONAS
    )
    assert User.objects.get(email="admin@demo.ipv.test").is_superuser
    assert not User.objects.get(email="intake@demo.ipv.test").is_staff
    assert User.objects.get(email="intake@demo.ipv.test").check_password(demo.DEMO_PASSWORD)
    intake = User.objects.get(email="intake@demo.ipv.test")
    assert list(intake.memberships.values_list("agency__slug", "role")) == [
        ("riviere-des-outaouais", "intake")
    ]
    liaison = User.objects.get(email="liaison@demo.ipv.test")
    assert list(liaison.liaison.courts.values_list("slug", flat=True)) == ["ottawa"]


# What the demo writes besides people, counted before and after a second load.
DEMO_TABLES = [
    Referral,
    TimelineEntry,
    Victim,
    Group,
    Session,
    Enrollment,
    Attendance,
    Certificate,
    CourtReport,
    FeeSchedule,
    FeeProposal,
    LedgerEntry,
]


def test_loading_the_demo_twice_leaves_the_same_rows(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    before = list(User.objects.order_by("email").values())
    counts = {model.__name__: model.objects.count() for model in DEMO_TABLES}
    call_command("load_demo", verbosity=0)
    assert list(User.objects.order_by("email").values()) == before
    assert {model.__name__: model.objects.count() for model in DEMO_TABLES} == counts


def test_the_demo_has_referrals_at_every_stage_and_groups_running(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses >= {
        "received",
        "contacted",
        "intake_booked",
        "intake_done",
        "waitlisted",
        "enrolled",
        "non_compliant",
        "completed",
        "discharged",
        "withdrawn",
        "returned_to_court",
    }
    assert Certificate.objects.count() == 1
    assert CourtReport.objects.filter(kind="non_compliance").count() == 1
    assert Group.objects.filter(agency__slug="riviere-des-outaouais").count() == 2
    assert LedgerEntry.objects.exists()


def test_demo_accounts_are_refused_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        demo.load()
    assert not User.objects.exists()


def test_emails_are_unique_whatever_their_case():
    User.objects.create_user("Dana@Example.org", "correct-horse-battery", full_name="Dana")
    with pytest.raises(IntegrityError, match="accounts_user_email_ci_unique"):
        User.objects.create(email="dana@example.org", full_name="Other")
