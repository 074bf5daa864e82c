"""The sign-in screens and emails (allauth) in the project's own Canadian French: « courriel »,
no space before « ? », no « sûr(e) », no user name and no sign-up, which the application does
not have."""

import html
import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# France's French and allauth's defaults that do not fit the application.
FOREIGN = ["e-mail", "email", "sûr(e)", "inscri", "nom d'utilisateur", "spam", "Mauvais jeton"]

PUBLIC = [
    "account/login/",
    "account/password/reset/",
    "account/password/reset/done/",
    "account/password/reset/key/done/",
    "account/password/reset/key/1-set-password/",
    "account/inactive/",
    "account/confirm-email/",
    "account/signup/",
]
SIGNED_IN = [
    "account/reauthenticate/",
    "account/password/change/",
    "account/2fa/",
    "account/2fa/reauthenticate/",
    "account/2fa/totp/deactivate/",
    "account/2fa/recovery-codes/generate/",
    "account/sessions/",
    "account/email/",
    "account/logout/",
]


def _words(response) -> str:
    page = response.content.decode()
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _foreign(text: str) -> list[str]:
    found = [term for term in FOREIGN if term in text.lower()]
    return found + re.findall(r"\w\s[?!;]", text)


def test_every_sign_in_page_is_in_canadian_french(client, world):
    for path in PUBLIC:
        response = client.get(f"/fr/{path}", follow=True)
        assert response.status_code == 200, path
        assert _foreign(_words(response)) == [], path
    client.force_login(world["intake"])
    client.post("/fr/account/reauthenticate/", {"password": PASSWORD})
    for path in SIGNED_IN:
        response = client.get(f"/fr/{path}", follow=True)
        assert response.status_code == 200, path
        assert _foreign(_words(response)) == [], path
    # A positive control: the words checked are those of the page.
    client.logout()
    login = _words(client.get("/fr/account/login/"))
    assert "Courriel" in login and "Mot de passe oublié?" in login


def test_a_wrong_password_and_a_wrong_code_are_said_in_canadian_french(client, world):
    response = client.post("/fr/account/login/", {"login": "intake@riviere.test", "password": "x"})
    assert "L’adresse courriel ou le mot de passe sont incorrects." in _words(response)
    response = client.post(
        "/fr/account/login/", {"login": "intake@riviere.test", "password": PASSWORD}, follow=True
    )
    words = _words(response)
    assert "application d'authentification\xa0:" in words
    assert _foreign(words) == []


def test_the_signup_page_says_accounts_come_by_invitation(client):
    assert "Les comptes sont créés sur invitation" in _words(client.get("/fr/account/signup/"))
    assert "Accounts are created by invitation" in _words(client.get("/en/account/signup/"))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sign_in_emails_are_the_projects_own(
    client, world, language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{language}/account/password/reset/", {"email": "intake@riviere.test"})
        client.post(f"/{language}/account/password/reset/", {"email": "nobody@riviere.test"})
        client.force_login(world["intake"])
        client.post(
            f"/{language}/account/password/change/",
            {
                "oldpassword": PASSWORD,
                "password1": "a-new-long-password",
                "password2": "a-new-long-password",
            },
        )
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        text = message.subject + "\n" + message.body
        # allauth's greeting and sign-off name a site the application does not set.
        assert "c'est" not in text and "Hello from" not in text
        assert "/account/signup/" not in text
        if language == "fr":
            assert _foreign(text) == [], text
            assert "courriel" in text.lower() or "Adresse IP\xa0:" in text
    reset, unknown, changed = mail.outbox
    if language == "fr":
        assert reset.subject == "IPV — Réinitialisation de votre mot de passe"
        assert "Les comptes sont créés sur invitation" in unknown.body
        assert "Adresse IP\xa0: 127.0.0.1" in changed.body
    else:
        assert reset.subject == "IPV — Resetting your password"
        assert "Accounts are created by invitation" in unknown.body
