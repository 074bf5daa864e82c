import uuid

import structlog
from pghistory.middleware import HistoryMiddleware

from ipv.audit.context import Origin, client_ip, current_origin
from ipv.core.logging import mask_secrets


class AuditContextMiddleware(HistoryMiddleware):
    """Tags every change (pghistory) and every audit event with who, from where, which request."""

    def get_context(self, request):
        origin = self._origin(request)
        # pghistory's "url" is the raw path: an invitation or password-reset link is a secret.
        return {**super().get_context(request), "url": origin.path, **origin.__dict__}

    def _origin(self, request) -> Origin:
        if not hasattr(request, "_audit_origin"):
            request_id = structlog.contextvars.get_contextvars().get("request_id")
            request._audit_origin = Origin(
                ip=client_ip(request),
                path=mask_secrets(request.path)[:300],
                request_id=str(request_id or uuid.uuid4()),
            )
        return request._audit_origin

    def __call__(self, request):
        token = current_origin.set(self._origin(request))
        try:
            return super().__call__(request)
        finally:
            current_origin.reset(token)
