import uuid

import structlog
from pghistory.middleware import HistoryMiddleware

from ipv.audit.context import Origin, client_ip, current_origin
from ipv.audit.services import Action, audit_record
from ipv.core.logging import mask_secrets
from ipv.core.permissions import AccessDenied


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

    def process_exception(self, request, exception):
        """A view's declared access refused the person: the trail says who, where, and what
        was needed. Django then answers 403 as usual."""
        if isinstance(exception, AccessDenied):
            audit_record(
                action=Action.PERMISSION_DENIED,
                actor=request.user,
                subject=request.user,
                agency=getattr(request, "agency", None),
                label=request.path[:200],
                details={"needed": exception.needed},
            )
        return None

    def __call__(self, request):
        token = current_origin.set(self._origin(request))
        try:
            return super().__call__(request)
        finally:
            current_origin.reset(token)
