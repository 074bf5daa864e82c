"""`manage.py createadmin`: the first platform administrator, with a single-use link valid 24
hours to choose a password (or a password read from a file, never from the command line),
audited, and made to set up a second factor at first sign-in."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from ipv.accounts.models import User
from ipv.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CHOSEN = "un-mot-de-passe-bien-choisi"


def _create(*args):
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def _link(output):
    return re.search(r"http://127\.0\.0\.1:8000(/fr/account/password/reset/key/\S+/)", output)[1]


def _choose_password(client, link, password=CHOSEN):
    form = client.get(link, follow=True)
    assert form.status_code == 200
    action = form.redirect_chain[-1][0] if form.redirect_chain else link
    return client.post(action, {"password1": password, "password2": password})


def test_it_creates_a_platform_administrator_with_no_password_and_audits_it():
    output = _create("--email", "Admin@Example.org", "--name", "Camille Côté")

    admin = User.objects.get(email__iexact="admin@example.org")
    assert admin.full_name == "Camille Côté"
    assert admin.is_staff and admin.is_superuser and admin.is_active
    assert not admin.has_usable_password()
    assert "/fr/account/password/reset/key/" in output
    event = AuditEvent.objects.get(action="platform_admin_created")
    assert event.subject_id == admin.pk
    assert event.actor_id is None


def test_it_refuses_an_address_already_in_use(english):
    User.objects.create_user("taken@example.org", "some-password-1234", full_name="Déjà Là")
    with pytest.raises(CommandError, match="already exists"):
        _create("--email", "TAKEN@example.org")
    assert not User.objects.get(email="taken@example.org").is_staff
    assert not AuditEvent.objects.filter(action="platform_admin_created").exists()


def test_the_link_sets_the_password_once_then_mfa_setup_is_forced(client, settings):
    settings.IPV_REQUIRE_MFA = True
    link = _link(_create("--email", "admin@example.org", "--name", "Camille Côté"))

    assert _choose_password(client, link).status_code == 302
    assert User.objects.get(email="admin@example.org").check_password(CHOSEN)
    # Used once: the same link no longer sets a password.
    _choose_password(client, link, "une-autre-tentative-123")
    assert User.objects.get(email="admin@example.org").check_password(CHOSEN)

    # Signed in with the password alone, the administration site sends them to set up a
    # second factor first (positive control: the setup page itself answers).
    response = client.post("/fr/account/login/", {"login": "admin@example.org", "password": CHOSEN})
    assert response.status_code == 302
    admin_page = client.get("/fr/admin/")
    assert admin_page.status_code == 302
    assert admin_page["Location"] == "/fr/account/2fa/totp/activate/"
    setup = client.get(admin_page["Location"], follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain == [] or setup.redirect_chain[-1][0].startswith("/fr/account/2fa/")


def test_the_link_no_longer_works_after_24_hours(client):
    link = _link(_create("--email", "admin@example.org", "--name", "Camille Côté"))
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        _choose_password(client, link)
    assert not User.objects.get(email="admin@example.org").has_usable_password()
    # Positive control: within the day, the same kind of link works.
    _choose_password(client, _link(_create("--email", "second@example.org", "--name", "B")))
    assert User.objects.get(email="second@example.org").check_password(CHOSEN)


def test_a_password_is_read_from_standard_input_and_checked(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(CHOSEN + "\n"))
    output = _create("--email", "admin@example.org", "--password-file", "-")
    assert User.objects.get(email="admin@example.org").check_password(CHOSEN)
    assert "reset/key" not in output
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError):
        _create("--email", "weak@example.org", "--password-file", "-")
    assert not User.objects.filter(email="weak@example.org").exists()


def test_the_password_is_never_an_argument():
    with pytest.raises(CommandError):
        _create("--email", "admin@example.org", "--password", CHOSEN)
