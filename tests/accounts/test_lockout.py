"""Failed sign-ins: growing waits per source address and per account, an emailed link that
lets the owner back in at once, and each client its own address behind a trusted proxy."""

import re
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from ipv.accounts.models import SignInThrottle, SignInUnlock
from ipv.accounts.tasks import sweep_sign_in_throttles
from ipv.accounts.throttle import DEVICE_COOKIE, account_bucket
from ipv.audit.models import AuditEvent
from ipv.core.logging import mask_secrets
from ipv.notifications.models import OutboxMessage
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# After the test's people join (they are made at the real time): their trail shows the events.
START = timezone.datetime(2030, 1, 14, 8, 0, 5, tzinfo=timezone.get_fixed_timezone(-300))
INTAKE = "intake@riviere.test"
WRONG = "wrong-password"
ACCOUNT_HELD = "Too many failed sign-in attempts for this email address."
ADDRESS_HELD = "Too many failed sign-in attempts from your network."
SIGNED_IN = "/en/account/2fa/authenticate/"  # the password was right: on to the second factor


def _attempt(client, email, password=WRONG, **extra):
    return client.post("/en/account/login/", {"login": email, "password": password}, **extra)


def _text(response):
    return response.content.decode()


def _unlock_path():
    (message,) = [m for m in OutboxMessage.objects.all() if m.to == INTAKE]
    return re.search(r"https?://[^/]+(/\w\w/account/unlock/[^/\s]+/)", message.body_text).group(1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_the_account_waits_longer_after_each_failure_past_five(client, world, clock):
    # From five different addresses: it is the account that is held, not an address.
    for n in range(5):
        _attempt(client, INTAKE, REMOTE_ADDR=f"203.0.113.{n}")
    held = _attempt(client, INTAKE, PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert held.status_code == 200
    assert f"{ACCOUNT_HELD} Try again in 30 seconds." in _text(held)
    clock.shift(timedelta(seconds=29))
    assert "Try again in 1 second." in _text(_attempt(client, INTAKE, PASSWORD))
    clock.shift(timedelta(seconds=1))
    # The sixth failure doubles the wait, the seventh doubles it again.
    _attempt(client, INTAKE)
    assert "Try again in 1 minute." in _text(_attempt(client, INTAKE, PASSWORD))
    clock.shift(timedelta(minutes=1))
    _attempt(client, INTAKE)
    assert "Try again in 2 minutes." in _text(_attempt(client, INTAKE, PASSWORD))
    # Attempts refused while held are not counted: hammering does not lengthen the wait.
    for _ in range(10):
        _attempt(client, INTAKE)
    clock.shift(timedelta(minutes=2))
    assert _attempt(client, INTAKE, PASSWORD)["Location"] == SIGNED_IN
    # The right password starts the account again from zero.
    assert not SignInThrottle.objects.filter(bucket=account_bucket(INTAKE)).exists()


def test_before_the_fifth_failure_the_right_password_signs_in(client, world, clock):
    for _ in range(4):
        _attempt(client, INTAKE)
    assert _attempt(client, INTAKE, PASSWORD)["Location"] == SIGNED_IN


def test_one_address_waits_after_twenty_failures_whatever_the_accounts(client, world, clock):
    spray = {"REMOTE_ADDR": "198.51.100.7"}
    for n in range(20):
        _attempt(client, f"person{n % 5}@riviere.test", **spray)  # four tries per account
    held = _attempt(client, INTAKE, PASSWORD, **spray)
    assert f"{ADDRESS_HELD} Try again in 30 seconds." in _text(held)
    # Another address is not held, and the account was never tried: it signs in.
    assert _attempt(client, INTAKE, PASSWORD, REMOTE_ADDR="198.51.100.8")["Location"] == SIGNED_IN
    client.cookies.clear()  # leaves the half-done sign-in
    clock.shift(timedelta(seconds=30))
    _attempt(client, "person9@riviere.test", **spray)
    assert "Try again in 1 minute." in _text(_attempt(client, INTAKE, PASSWORD, **spray))


def test_a_right_password_does_not_clear_the_address(client, world, clock):
    """A valid account of one's own must not buy more guesses at others."""
    for n in range(19):
        _attempt(client, f"person{n % 4}@riviere.test")
    assert _attempt(client, INTAKE, PASSWORD)["Location"] == SIGNED_IN
    client.cookies.clear()  # leaves the half-done sign-in
    _attempt(client, "person5@riviere.test")
    assert ADDRESS_HELD in _text(_attempt(client, INTAKE, PASSWORD))


def test_the_owner_is_emailed_an_unlock_link_once_in_their_language(client, world, clock):
    world["intake"].preferred_language = "en"
    world["intake"].save()
    for _ in range(8):
        _attempt(client, INTAKE)
        clock.shift(timedelta(minutes=5))
    (message,) = [m for m in OutboxMessage.objects.all() if m.to == INTAKE]
    assert message.sensitive
    assert message.subject == "Your sign-in is held back: unlock it"
    assert "Hello Isabelle Roy," in message.body_text
    assert f"{django_settings.IPV_BASE_URL}/en/account/unlock/" in message.body_text
    assert "/en/account/unlock/" in message.body_html
    held = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_HELD)
    assert (held.subject, held.actor, held.details) == (world["intake"], None, {"failures": 5})
    # The agency's managers see it in their trail.
    client.force_login(world["manager"])
    trail = _text(client.get(f"/en/a/{world.agency.slug}/audit/"))
    assert "Sign-in held back after failed attempts" in trail
    assert "5 failed attempts" in trail


def test_an_unknown_address_is_held_alike_and_nobody_is_emailed(client, world, clock):
    for _ in range(5):
        _attempt(client, "nobody@riviere.test")
    held = _attempt(client, "nobody@riviere.test", PASSWORD)
    assert f"{ACCOUNT_HELD} Try again in 30 seconds." in _text(held)
    assert not OutboxMessage.objects.exists()
    assert not SignInUnlock.objects.exists()


def test_the_unlock_link_lets_the_owner_in_once(client, world, clock):
    for _ in range(5):
        _attempt(client, INTAKE)
    assert ACCOUNT_HELD in _text(_attempt(client, INTAKE, PASSWORD))
    path = _unlock_path()
    assert path.startswith("/fr/account/unlock/")  # Isabelle reads French
    page = client.get(path)  # opening the link (a mail scanner would) does not use it
    assert page.status_code == 200
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response["Location"] == "/fr/account/login/"
    assert _attempt(client, INTAKE, PASSWORD)["Location"] == SIGNED_IN
    unlocked = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_UNLOCKED)
    assert unlocked.subject == world["intake"]
    assert unlocked.path == "/fr/account/unlock/…/"  # the secret is not in the trail
    again = client.post(path)
    assert again.status_code == 410
    assert client.get(path).status_code == 410


def test_a_stranger_who_holds_the_account_again_does_not_hold_the_owners_browser(
    client, world, clock
):
    stranger = Client(REMOTE_ADDR="198.51.100.66")
    for _ in range(5):
        _attempt(stranger, INTAKE)
    assert client.post(_unlock_path())["Location"] == "/fr/account/login/"
    for _ in range(5):  # the stranger, at once, holds the account again
        _attempt(stranger, INTAKE)
    assert ACCOUNT_HELD in _text(_attempt(stranger, INTAKE, PASSWORD))
    # Another browser, or a forged mark, is not let in; the browser that used the link is.
    forged = Client(REMOTE_ADDR="203.0.113.5")
    forged.cookies[DEVICE_COOKIE] = client.cookies[DEVICE_COOKIE].value + "x"
    assert ACCOUNT_HELD in _text(_attempt(forged, INTAKE, PASSWORD))
    assert _attempt(client, INTAKE, PASSWORD)["Location"] == SIGNED_IN


def test_the_unlock_link_expires_after_24_hours(client, world, clock):
    for _ in range(5):
        _attempt(client, INTAKE)
    path = _unlock_path()
    clock.shift(timedelta(hours=24, seconds=1))
    assert client.post(path).status_code == 410
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_UNLOCKED).exists()


def test_a_tampered_unlock_link_is_refused(client, world, clock):
    for _ in range(5):
        _attempt(client, INTAKE)
    path = _unlock_path()
    token = path.rstrip("/").rsplit("/", 1)[1]
    secret, stamp, signature = token.split(":")
    flipped = ("A" if secret[0] != "A" else "B") + secret[1:]
    for forged in (f"{flipped}:{stamp}:{signature}", f"{secret}:{stamp}:{signature[:-1]}x"):
        response = client.post(f"/fr/account/unlock/{forged}/")
        assert response.status_code == 404
    assert ACCOUNT_HELD in _text(_attempt(client, INTAKE, PASSWORD))
    # The genuine link still works.
    assert client.post(path).status_code == 302


def test_unlock_links_are_masked_in_logs():
    path = "/fr/account/unlock/abc:1x2y:sig/"
    assert mask_secrets(path) == "/fr/account/unlock/…/"


def test_forgotten_buckets_and_expired_links_are_swept(client, world, clock):
    for _ in range(5):
        _attempt(client, INTAKE)
    clock.shift(timedelta(hours=23))
    _attempt(client, "nobody@riviere.test", REMOTE_ADDR="203.0.113.50")
    clock.shift(timedelta(hours=1, seconds=1))
    sweep_sign_in_throttles()
    assert set(SignInThrottle.objects.values_list("bucket", flat=True)) == {
        account_bucket("nobody@riviere.test"),
        "address:203.0.113.50",
    }
    assert not SignInUnlock.objects.exists()
    sweep_sign_in_throttles()  # twice: the same


def _from_behind_proxy(client, email, password, client_address, claimed="192.0.2.77"):
    """Through the proxy at 10.0.0.2, which appends the address it saw to what the client
    claimed in its own X-Forwarded-For."""
    return _attempt(
        client,
        email,
        password,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"{claimed}, {client_address}",
    )


def test_behind_one_trusted_proxy_each_client_has_its_own_bucket(client, world, settings, clock):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(20):
        _from_behind_proxy(
            client, f"person{n % 5}@riviere.test", "wrong", "203.0.113.10", claimed=f"192.0.2.{n}"
        )
    # What the client claims does not matter: the address the proxy saw is held.
    assert ADDRESS_HELD in _text(_from_behind_proxy(client, INTAKE, PASSWORD, "203.0.113.10"))
    other = _from_behind_proxy(client, INTAKE, PASSWORD, "203.0.113.11")
    assert other["Location"] == SIGNED_IN
    assert SignInThrottle.objects.filter(bucket="address:203.0.113.10").exists()


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, world, settings, clock):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(20):
        _from_behind_proxy(client, f"person{n % 5}@riviere.test", "wrong", f"203.0.113.{n}")
    # Changing the header does not escape the wait: the bucket is the connection's address.
    spoofed = _from_behind_proxy(client, INTAKE, PASSWORD, "203.0.113.99")
    assert ADDRESS_HELD in _text(spoofed)
    assert SignInThrottle.objects.filter(bucket="address:10.0.0.2", failures=20).exists()


@pytest.mark.parametrize(("variable", "count"), [({"IPV_TRUSTED_PROXIES": "1"}, "1"), ({}, "0")])
def test_the_trusted_proxy_count_reaches_allauth(variable, count):
    code = (
        "import django; django.setup(); from allauth import app_settings;"
        "print(app_settings.TRUSTED_PROXY_COUNT)"
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": django_settings.DATABASE_URL,
        "REDIS_URL": django_settings.REDIS_URL,
        **variable,
    }
    output = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.strip() == count


def test_a_password_reset_lifts_the_wait_too(client, world, django_capture_on_commit_callbacks):
    new = "un-tout-nouveau-mot-de-passe"
    for _ in range(5):
        _attempt(client, INTAKE)
    assert ACCOUNT_HELD in _text(_attempt(client, INTAKE, PASSWORD))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/account/password/reset/", {"email": INTAKE})
    link = re.search(
        r"http://testserver(/en/account/password/reset/key/\S+/)", mail.outbox[-1].body
    )
    form = client.get(link.group(1), follow=True)
    client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    client.logout()
    assert _attempt(client, INTAKE, new)["Location"] == SIGNED_IN
