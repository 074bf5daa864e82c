import sys

from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from ipv.core.outage import database_unreachable, unavailable
from ipv.core.permissions import public


@public
@require_GET
def root(request):
    """`/` opens the home page in the visitor's language (remembered, else the browser's):
    a redirect of its own, so the request log says 302 rather than the 404 of a missing page."""
    response = redirect("home")
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


ERRORS = {
    400: (
        _("The request could not be understood"),
        _("Something in the address or the form sent was not valid. Go back and try again."),
    ),
    403: (
        _("Access denied"),
        _("You do not have permission to see this page."),
    ),
    404: (
        _("Page not found"),
        _("The page you asked for does not exist or is no longer available."),
    ),
    500: (
        _("Something went wrong"),
        _("The error has been recorded. Please try again in a few minutes."),
    ),
}


def _error_context(status: int) -> dict:
    heading, message = ERRORS[status]
    return {"status": status, "heading": heading, "message": message}


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "core/error.html", _error_context(400), status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "core/error.html", _error_context(403), status=403)


def csrf_failure(request, reason=""):
    return render(request, "core/error.html", _error_context(403), status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "core/error.html", _error_context(404), status=404)


@requires_csrf_token
def server_error(request):
    # Called while the exception is being handled: the database down answers its own 503.
    if database_unreachable(sys.exc_info()[1]):
        return unavailable(request)
    # No context processors: whatever failed may be what they would call.
    template = loader.get_template("core/error.html")
    context = {"request": request, "error_page": True, **_error_context(500)}
    return HttpResponseServerError(template.render(context))
