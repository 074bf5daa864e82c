"""The database down: pages answer a bilingual 503, the worker's tasks wait and try again.

Nothing is half-written meanwhile: each write is one transaction (the services' atomic blocks),
and PostgreSQL rolls back whatever a lost connection left open. When the server is back, the
next request or task reconnects (CONN_HEALTH_CHECKS, and Django closes a connection that failed
at the end of each request and task), with no restart.
"""

import psycopg
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30
# SQLSTATE classes that mean the server is gone or going: connection exceptions (08), a
# shutdown or a server starting up (57P01, 57P02, 57P03).
UNREACHABLE_STATES = ("08", "57P")


def database_unreachable(exc: BaseException | None) -> bool:
    """True when `exc` says the database cannot be reached (refused, closed, shutting down),
    not that a query was wrong, cancelled or lost a race (those stay server errors)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if not isinstance(cause, psycopg.Error):
        return True
    # psycopg gives no SQLSTATE when the server never answered (refused, reset, closed).
    return cause.sqlstate is None or cause.sqlstate.startswith(UNREACHABLE_STATES)


def unavailable(request) -> HttpResponse:
    """The bilingual 503 page, rendered without the database: no context processor, no
    session, no user. The language is not known (it may be in the session): both are shown."""
    # Nothing after this may reach for the database on the way out: the session is left as it
    # is (not saved, its cookie kept), the person is anonymous for the rest of the response.
    request.__dict__.pop("session", None)
    request.user = AnonymousUser()
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
