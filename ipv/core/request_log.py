"""The request id on every line a request writes, and in its response."""

import structlog
from django_structlog.middlewares import RequestMiddleware


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request log, first of all the middleware, so that every line written
    while a request is served carries its request_id — Django's own lines too, even the one it
    writes after the middleware have answered (a server error). The id is made here, never
    taken from the client, and given back in the X-Request-ID header, for a person to quote."""

    def prepare(self, request):
        super().prepare(request)
        request.request_id = structlog.contextvars.get_contextvars()["request_id"]

    def handle_response(self, request, response):
        super().handle_response(request, response)
        # django-structlog forgets the request here; it is forgotten when it is finished.
        structlog.contextvars.bind_contextvars(request_id=request.request_id)
        response.headers["X-Request-ID"] = request.request_id


def forget_request(**kwargs):
    """At request_finished: the next lines of this thread belong to no request."""
    structlog.contextvars.clear_contextvars()
