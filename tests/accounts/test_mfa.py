import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.utils import timezone

from ipv.audit.models import AuditEvent
from tests.accounts.test_sessions import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _code_for(secret):
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def test_without_a_second_factor_only_its_setup_and_sign_out_are_reachable(client, world):
    client.force_login(world["no_mfa"])
    for url in (f"/fr/a/{world.agency.slug}/", "/fr/app/", "/fr/court/", "/fr/account/sessions/"):
        assert client.get(url)["Location"] == "/fr/account/2fa/totp/activate/", url
    # Setting it up asks for the password once more (allauth's reauthentication).
    setup = client.get("/fr/account/2fa/totp/activate/")
    assert setup["Location"].startswith("/fr/account/reauthenticate/")
    assert client.get(setup["Location"]).status_code == 200
    assert client.get("/fr/directory/").status_code == 200  # the public pages stay public
    assert client.post("/fr/account/logout/").status_code == 302


def test_setting_up_the_authenticator_opens_the_agency(
    client, world, django_capture_on_commit_callbacks
):
    assert sign_in(client, "new@riviere.test").status_code == 302
    client.post("/fr/account/reauthenticate/", {"password": PASSWORD})
    page = client.get("/fr/account/2fa/totp/activate/").content.decode()
    secret = re.search(r'value="([A-Z2-7]{32})"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/account/2fa/totp/activate/", {"code": _code_for(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=world["no_mfa"], type="totp").exists()
    assert client.get(f"/fr/a/{world.agency.slug}/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MFA_ADDED, actor=world["no_mfa"]
    ).exists()
    # The person is told by email, in case it was not them.
    assert mail.outbox[-1].to == ["new@riviere.test"]


def test_administrators_need_a_second_factor_for_the_admin_too(client, world):
    Authenticator.objects.filter(user=world["admin"]).delete()
    client.force_login(world["admin"])
    assert client.get("/fr/admin/")["Location"] == "/fr/account/2fa/totp/activate/"


def test_the_requirement_can_be_switched_off(client, world, settings):
    settings.IPV_REQUIRE_MFA = False
    client.force_login(world["no_mfa"])
    assert client.get(f"/fr/a/{world.agency.slug}/").status_code == 200
