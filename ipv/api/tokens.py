"""Issuing, revoking and checking API tokens, and counting each token's calls.

A token reads `ipv_<prefix>_<secret>`: the prefix finds the row, the whole token's SHA-256 is
compared in constant time with the one kept.
"""

import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from ipv.api.models import ApiToken
from ipv.audit.context import client_ip

STARTS_WITH = "ipv_"
PREFIX = re.compile(r"[0-9a-f]{8}")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_issue(*, token: ApiToken, by, courts) -> str:
    """Save a new token (its fields set by the admin's form) and return the secret, which is
    kept nowhere: the administrator copies it now or issues another."""
    token.prefix = secrets.token_hex(4)
    raw = f"{STARTS_WITH}{token.prefix}_{secrets.token_urlsafe(32)}"
    token.secret_hash = _digest(raw)
    token.created_by = by
    token.created_at = timezone.now()
    token.full_clean(exclude=["courts"])
    token.save()
    token.courts.set(courts)
    return raw


def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Stop a token at once; the row stays, for the trail."""
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


@dataclass
class Refusal(Exception):
    """Why a token was refused, as a code for the trail (never shown to the caller)."""

    reason: str
    token: ApiToken | None = None


def token_check(raw: str) -> ApiToken:
    """The live token `raw` names, or Refusal: unknown, revoked, expired, or its officer gone."""
    prefix = raw.removeprefix(STARTS_WITH).split("_", 1)[0] if raw.startswith(STARTS_WITH) else ""
    if not PREFIX.fullmatch(prefix):  # not one we issue (and no NUL byte for PostgreSQL)
        prefix = ""
    token = (
        ApiToken.objects.select_related("officer__liaison").filter(prefix=prefix).first()
        if prefix
        else None
    )
    # Compared even when no row matched, so the time taken says nothing about prefixes.
    expected = token.secret_hash if token else "0" * 64
    if not hmac.compare_digest(expected, _digest(raw)) or token is None:
        raise Refusal("unknown")
    if token.revoked_at is not None:
        raise Refusal("revoked", token)
    if token.expires_at <= timezone.now():
        raise Refusal("expired", token)
    officer = token.officer
    if not officer.is_active or not hasattr(officer, "liaison"):
        raise Refusal("officer", token)
    return token


def token_court_ids(token: ApiToken) -> list[int]:
    """The courts the token reaches: those it names that are still its officer's. Read on the
    primary even where the call's reads go to the replica: a court just taken away from the
    token or its officer is refused at once, not once the replica has caught up."""
    return list(
        token.courts.using(DEFAULT_DB_ALIAS)
        .filter(liaison_officers__user=token.officer_id)
        .values_list("pk", flat=True)
    )


class ThrottleUnavailable(Exception):
    """Redis cannot count calls: refuse rather than let calls through uncounted."""


def throttle_check(token: ApiToken) -> int:
    """Count a call of `token` in the current minute: 0 when it may go on, otherwise the
    seconds until the next minute. Raises ThrottleUnavailable when Redis does not answer."""
    now = time.time()
    window = int(now // 60)
    key = f"api:calls:{token.pk}:{window}"
    calls = _count(key)
    if calls > settings.IPV_API_CALLS_PER_MINUTE:
        return max(1, 60 - int(now % 60))
    return 0


def _count(key: str, add: int = 1, store: str = "redis") -> int:
    """Add `add` to the counter `key` of the current minute (kept two minutes) in the cache
    `store` and return it; ThrottleUnavailable when the cache does not answer, or answers
    nonsense."""
    cache = caches[store]
    try:
        cache.add(key, 0, timeout=120)
        calls = cache.incr(key, add) if add else cache.get(key, 0)
    except (RedisError, OSError, ValueError, TypeError) as error:
        raise ThrottleUnavailable from error
    if not isinstance(calls, int):
        raise ThrottleUnavailable
    return calls


def client_address(request) -> str:
    """The caller's address: behind the proxies in front (IPV_TRUSTED_PROXIES), the one they
    saw, as the audit trail and the sign-in throttle read it; never the proxy's own, which every
    caller would share."""
    return (client_ip(request) or "")[:64]


# Refusals are counted in the security store (PostgreSQL), as sign-in failures are: the limit
# holds while Redis is down.
REFUSALS_STORE = "default"


def _refusals_key(address: str) -> str:
    digest = hashlib.sha256(_caller(address).encode()).hexdigest()[:32]
    return f"api:refused:{digest}:{int(time.time() // 60)}"


def _caller(address: str) -> str:
    """Whose refusals an address counts with: an IPv6 address's /64, which one subscriber
    holds whole (a new address for every call would otherwise never be held back); an IPv4
    address alone."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def refusal_count(address: str) -> None:
    """Count a refused call (401, 403) from `address` this minute."""
    _count(_refusals_key(address), store=REFUSALS_STORE)


def refusals_over(address: str) -> int:
    """0 while `address` has been refused fewer than IPV_API_REFUSALS_PER_MINUTE times this
    minute, otherwise the seconds until the next minute."""
    refused = _count(_refusals_key(address), add=0, store=REFUSALS_STORE)
    if refused >= settings.IPV_API_REFUSALS_PER_MINUTE:
        return max(1, 60 - int(time.time() % 60))
    return 0
