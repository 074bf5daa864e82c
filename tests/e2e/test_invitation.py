import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD, totp_code

NEW_PASSWORD = "une-phrase-de-passe-solide"


def _sign_in(page, base, email, password, code):
    page.goto(f"{base}/fr/account/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name=re.compile("Se connecter|Valider|Connexion")).click()


def test_a_manager_invites_an_intake_worker_who_joins_with_mfa_in_french(
    page, new_page, live_server, world, assert_accessible
):
    base = live_server.url
    _sign_in(page, base, "manager@riviere.test", PASSWORD, totp_code())
    expect(page).to_have_url(f"{base}/fr/a/riviere/")
    assert_accessible(page)

    page.get_by_role("navigation", name="Organisme").get_by_role("link", name="Personnel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personnel")
    assert_accessible(page)
    page.get_by_label("Adresse courriel").fill("dana@riviere.test")
    page.get_by_label("Nom complet").fill("Dana Côté")
    page.get_by_label("Intervenant ou intervenante à l'accueil").check()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Invitation envoyée à dana@riviere.test.")).to_be_visible()
    assert_accessible(page)

    link = re.search(r"http://\S+/fr/invitation/[\w-]+/", mail.outbox[-1].body).group(0)
    link = base + link[link.index("/fr/") :]
    invitee = new_page(locale="fr-CA")
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Accepter l'invitation")
    assert_accessible(invitee)
    invitee.get_by_label("Nom complet").fill("Dana Côté")
    invitee.locator("#id_password1").fill(NEW_PASSWORD)
    invitee.get_by_label("Mot de passe (confirmation)").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Créer mon compte").click()

    # Straight to two-factor setup: nothing else is reachable before it.
    expect(invitee).to_have_url(f"{base}/fr/account/2fa/totp/activate/")
    assert_accessible(invitee)
    secret = invitee.locator("#authenticator_secret").input_value()
    invitee.get_by_label("Code de l'application d'authentification").fill(totp_code(secret))
    invitee.get_by_role("button", name="Activer").click()
    expect(invitee.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(invitee)

    invitee.locator("summary", has_text="Dana Côté").click()
    invitee.get_by_role("button", name="Se déconnecter").click()
    if invitee.get_by_role("button", name="Se déconnecter").count():
        invitee.get_by_role("button", name="Se déconnecter").click()  # allauth's confirmation

    later = totp_code(secret, at=timezone.now() + timedelta(seconds=30))
    _sign_in(invitee, base, "dana@riviere.test", NEW_PASSWORD, later)
    expect(invitee).to_have_url(f"{base}/fr/a/riviere/")
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Services Rivière")
    expect(invitee.get_by_text("Intervenant ou intervenante à l'accueil")).to_be_visible()
    assert_accessible(invitee)
