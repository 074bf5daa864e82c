import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError

from ipv.accounts import demo
from ipv.accounts.models import User

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


def test_loading_the_demo_twice_leaves_the_same_rows(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    before = list(User.objects.order_by("email").values())
    call_command("load_demo", verbosity=0)
    assert list(User.objects.order_by("email").values()) == before


def test_demo_accounts_are_refused_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        demo.load()
    assert not User.objects.exists()


def test_emails_are_unique_whatever_their_case():
    User.objects.create_user("Dana@Example.org", "correct-horse-battery", full_name="Dana")
    with pytest.raises(IntegrityError, match="accounts_user_email_ci_unique"):
        User.objects.create(email="dana@example.org", full_name="Other")
