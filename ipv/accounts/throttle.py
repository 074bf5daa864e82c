"""Failed sign-ins slow down the source address and the account typed, with growing waits,
and the account's owner can lift their own wait with a link emailed to the account's address.

Two buckets per attempt: the source address (its own bucket behind a proxy: allauth reads the
client's address with ALLAUTH_TRUSTED_PROXY_COUNT) and the account, named by a keyed hash of the
address typed, so that an unknown address is slowed down exactly like a real one. A wrong
password counts in both; an attempt refused because of a wait is not checked and not counted,
so hammering a held account does not lengthen the owner's wait. The right password clears the
account's bucket (not the address's: a valid account of one's own must not buy more guesses at
others). Kept in PostgreSQL: it holds while Redis is down.
"""

import hashlib
import ipaddress
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ipv.accounts.models import SignInThrottle, SignInUnlock, User
from ipv.audit.services import Action, audit_record
from ipv.notifications.models import Kind
from ipv.notifications.services import email_enqueue


@dataclass(frozen=True)
class Policy:
    free: int  # failures before the first wait
    first_wait: timedelta
    longest_wait: timedelta

    def wait(self, failures: int) -> timedelta:
        """The wait after `failures` failures: none, then doubling up to the longest."""
        if failures < self.free:
            return timedelta(0)
        return min(self.first_wait * 2 ** min(failures - self.free, 16), self.longest_wait)


ACCOUNT = Policy(free=5, first_wait=timedelta(seconds=30), longest_wait=timedelta(hours=1))
# An office behind one address has many people: more room before the first wait.
ADDRESS = Policy(free=20, first_wait=timedelta(seconds=30), longest_wait=timedelta(hours=1))
# A bucket with no failure for this long starts again from zero.
FORGET_AFTER = timedelta(hours=24)

ACCOUNT_SALT = "ipv.accounts.throttle.account"
UNLOCK_SALT = "ipv.accounts.throttle.unlock"
UNLOCK_VALID = timedelta(hours=24)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def address_bucket(request) -> str:
    """The client's address as allauth sees it (trusted proxies counted); IPv6 by its /64,
    the block one subscriber holds."""
    address = ipaddress.ip_address(get_adapter(request).get_client_ip(request))
    if address.version == 6:
        address = ipaddress.ip_network(f"{address}/64", strict=False).network_address
    return f"address:{address}"


def account_bucket(email: str) -> str:
    # Keyed, not a bare hash: what was typed can be a password, and addresses are guessable.
    digest = salted_hmac(ACCOUNT_SALT, email.strip().lower(), algorithm="sha256").hexdigest()
    return f"account:{digest}"


# The browser that used an unlock link is its owner's: a stranger who holds the account again
# with more wrong passwords does not hold that browser out (the address still counts).
DEVICE_COOKIE = "ipv_unlocked"
DEVICE_SALT = "ipv.accounts.throttle.device"


def device_cookie_value(user: User) -> str:
    return signing.TimestampSigner(salt=DEVICE_SALT).sign(account_bucket(user.email))


def _owners_browser(request, email: str) -> bool:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        bucket = signing.TimestampSigner(salt=DEVICE_SALT).unsign(value, max_age=UNLOCK_VALID)
    except signing.BadSignature:
        return False
    return bool(email) and bucket == account_bucket(email)


def _buckets(request, email: str) -> dict[str, Policy]:
    buckets = {address_bucket(request): ADDRESS}
    if email and not _owners_browser(request, email):
        buckets[account_bucket(email)] = ACCOUNT
    return buckets


def _wait_words(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def refuse_if_held(request, *, email: str) -> None:
    """Raise ValidationError, saying how long to wait, if the address or the account waits."""
    now = timezone.now()
    held = dict(
        SignInThrottle.objects.filter(
            bucket__in=_buckets(request, email), blocked_until__gt=now
        ).values_list("bucket", "blocked_until")
    )
    address = address_bucket(request)
    if address in held:
        raise ValidationError(
            _("Too many failed sign-in attempts from your network. Try again in %(wait)s.")
            % {"wait": _wait_words(held[address] - now)},
            code="address_held",
        )
    if held:
        (until,) = held.values()
        raise ValidationError(
            _(
                "Too many failed sign-in attempts for this email address. Try again in "
                "%(wait)s. If an account uses this address, it has been emailed a link to "
                "unlock its sign-in right away."
            )
            % {"wait": _wait_words(until - now)},
            code="account_held",
        )


@transaction.atomic
def _count_failure(bucket: str, policy: Policy, now) -> SignInThrottle:
    throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(
        bucket=bucket, defaults={"last_failure_at": now}
    )
    if throttle.last_failure_at <= now - FORGET_AFTER:
        throttle.failures, throttle.unlock_sent_at = 0, None
    throttle.failures += 1
    throttle.last_failure_at = now
    wait = policy.wait(throttle.failures)
    throttle.blocked_until = now + wait if wait else None
    throttle.save()
    return throttle


def failure_record(request, *, email: str) -> None:
    """Count a wrong password against the address and the account. When the account's wait
    begins, its owner (if the account exists) gets a link to lift it, once per run."""
    now = timezone.now()
    for bucket, policy in _buckets(request, email).items():
        throttle = _count_failure(bucket, policy, now)
        if policy is ACCOUNT and throttle.blocked_until and throttle.unlock_sent_at is None:
            _offer_unlock(throttle, email=email, now=now)


def _offer_unlock(throttle: SignInThrottle, *, email: str, now) -> None:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    with transaction.atomic():
        sent = SignInThrottle.objects.filter(
            bucket=throttle.bucket, unlock_sent_at__isnull=True
        ).update(unlock_sent_at=now)
        if not sent or user is None:
            return  # another request sent it, or nobody to send it to (the page says "if")
        _unlock_link_send(user, now=now)
        audit_record(
            action=Action.SIGN_IN_HELD,
            subject=user,
            target=user,
            details={"failures": throttle.failures},
        )


def _unlock_link_send(user: User, *, now) -> None:
    secret = secrets.token_urlsafe(32)
    SignInUnlock.objects.create(
        user=user, secret_hash=_hash(secret), created_at=now, expires_at=now + UNLOCK_VALID
    )
    token = signing.TimestampSigner(salt=UNLOCK_SALT).sign(secret)
    language = user.preferred_language
    with translation.override(language):
        path = reverse("accounts:sign_in_unlock", kwargs={"token": token})
    email_enqueue(
        to=user.email,
        template="sign_in_unlock",
        context={
            "user": user,
            "url": settings.IPV_BASE_URL + path,
            "hours": int(UNLOCK_VALID.total_seconds() // 3600),
        },
        language=language,
        kind=Kind.SIGN_IN_UNLOCK,
        sensitive=True,
    )


def success_record(*, email: str) -> None:
    """The right password: the account starts again from zero (the address does not)."""
    if email:
        SignInThrottle.objects.filter(bucket=account_bucket(email)).delete()


def _unusable(reason: str) -> ValidationError:
    return ValidationError(reason, code=reason)


def unlock_for_token(token: str) -> SignInUnlock:
    """The unlock a link names, still usable; ValidationError with code "invalid", "expired"
    or "used" otherwise. A tampered link is invalid: its signature does not match."""
    try:
        secret = signing.TimestampSigner(salt=UNLOCK_SALT).unsign(token, max_age=UNLOCK_VALID)
    except signing.SignatureExpired:
        raise _unusable("expired") from None
    except signing.BadSignature:
        raise _unusable("invalid") from None
    unlock = SignInUnlock.objects.select_related("user").filter(secret_hash=_hash(secret)).first()
    if unlock is None:
        raise _unusable("invalid")
    if unlock.used_at is not None:
        raise _unusable("used")
    if unlock.expires_at <= timezone.now():
        raise _unusable("expired")
    return unlock


@transaction.atomic
def unlock_use(token: str) -> User:
    """Use the link once: the account's wait is lifted and its count starts from zero."""
    unlock = unlock_for_token(token)
    used = SignInUnlock.objects.filter(pk=unlock.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:  # the same link, used at the same moment in another request
        raise _unusable("used")
    user = unlock.user
    SignInThrottle.objects.filter(bucket=account_bucket(user.email)).delete()
    audit_record(action=Action.SIGN_IN_UNLOCKED, actor=None, subject=user, target=user)
    return user


def sweep() -> int:
    """Delete buckets left alone long enough to start from zero, and unlock links past their
    expiry (the audit trail keeps that they were sent and used). Idempotent."""
    now = timezone.now()
    buckets, _by_model = SignInThrottle.objects.filter(
        last_failure_at__lte=now - FORGET_AFTER
    ).delete()
    unlocks, _by_model = SignInUnlock.objects.filter(expires_at__lte=now).delete()
    return buckets + unlocks
