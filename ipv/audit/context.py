"""Where the current request comes from, for events recorded deep inside services."""

import contextvars
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    path: str = ""
    request_id: str = ""


current_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar(
    "audit_origin", default=None
)


def client_ip(request) -> str | None:
    """The client's address; behind a proxy, the one it saw (IPV_TRUSTED_PROXIES hops). What
    the proxies pass on is the caller's to write where fewer proxies than that stand in front:
    anything there that is not an address is not taken for one (the proxy's own is)."""
    from django.conf import settings

    hops = settings.IPV_TRUSTED_PROXIES
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops and (address := _address(forwarded[-hops])):
            return address
    return _address(request.META.get("REMOTE_ADDR") or "")


def _address(text: str) -> str | None:
    """`text` as an IP address is written, or None if it is not one."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
