"""Where the current request comes from, for events recorded deep inside services."""

import contextvars
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
    """The client's address; behind a proxy, the one it saw (IPV_TRUSTED_PROXIES hops)."""
    from django.conf import settings

    hops = settings.IPV_TRUSTED_PROXIES
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
