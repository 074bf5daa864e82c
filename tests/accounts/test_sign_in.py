from datetime import timedelta

import pytest
from django.utils import timezone

from ipv.accounts.demo import DEMO_PASSWORD
from ipv.audit.models import AuditEvent
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

WRONG = "L’adresse courriel ou le mot de passe sont incorrects."


def test_password_then_authenticator_code_lands_on_the_agency(client, world):
    response = client.post(
        "/fr/account/login/", {"login": "intake@riviere.test", "password": PASSWORD}
    )
    assert response["Location"] == "/fr/account/2fa/authenticate/"
    assert client.get(f"/fr/a/{world.agency.slug}/").status_code == 302  # not signed in yet
    response = client.post("/fr/account/2fa/authenticate/", {"code": totp_code()})
    assert response["Location"] == "/fr/app/"
    assert client.get("/fr/app/")["Location"] == f"/fr/a/{world.agency.slug}/"
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert (event.actor, event.ip, event.path) == (
        world["intake"],
        "127.0.0.1",
        "/fr/account/2fa/authenticate/",
    )


def test_a_wrong_code_is_refused_and_recorded(client, world):
    client.post("/fr/account/login/", {"login": "intake@riviere.test", "password": PASSWORD})
    wrong = totp_code(at=timezone.now() + timedelta(minutes=5))
    response = client.post("/fr/account/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert client.get(f"/fr/a/{world.agency.slug}/").status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MFA_FAILED, subject=world["intake"]
    ).exists()


def test_a_wrong_password_and_an_unknown_address_look_the_same(client, world):
    wrong_password = client.post(
        "/fr/account/login/", {"login": "intake@riviere.test", "password": "not-the-password"}
    )
    unknown = client.post(
        "/fr/account/login/", {"login": "nobody@riviere.test", "password": "not-the-password"}
    )
    assert wrong_password.status_code == unknown.status_code == 200
    assert WRONG in wrong_password.content.decode()
    assert WRONG in unknown.content.decode()
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).order_by("id")
    assert [event.subject for event in failed] == [world["intake"], None]
    assert all(event.ip == "127.0.0.1" for event in failed)


def test_repeated_failures_slow_the_account_down_whether_it_exists_or_not(client, world):
    for email in ("intake@riviere.test", "nobody@riviere.test"):
        for _ in range(5):
            client.post("/en/account/login/", {"login": email, "password": "wrong-password"})
        response = client.post("/en/account/login/", {"login": email, "password": PASSWORD})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Too many failed sign-in attempts for this email address. Try again in " in html
        assert "If an account uses this address, it has been emailed a link to unlock" in html
    # Even the right password waits: no session was opened.
    assert client.get(f"/fr/a/{world.agency.slug}/").status_code == 302


def test_the_demo_password_is_refused_outside_debug(client, world):
    world["intake"].set_password(DEMO_PASSWORD)
    world["intake"].save()
    response = client.post(
        "/fr/account/login/", {"login": "intake@riviere.test", "password": DEMO_PASSWORD}
    )
    assert WRONG in response.content.decode()


def test_there_is_no_public_sign_up(client, world):
    response = client.get("/fr/account/signup/")
    assert "Les comptes sont créés sur invitation" in response.content.decode()
    client.post(
        "/fr/account/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    from ipv.accounts.models import User

    assert not User.objects.filter(email="new@example.org").exists()
