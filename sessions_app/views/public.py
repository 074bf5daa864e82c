"""Pages without a sign-in: checking a certificate, and a facilitator's calendar feed (its
private address is its key)."""

from datetime import date

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from directory.models import Program
from ipv.core import downloads
from ipv.core.permissions import public
from sessions_app import selectors
from sessions_app.forms import VerifyForm
from sessions_app.services import calendar


@public
@require_GET
def verify_form(request):
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = selectors.certificate_code(form.cleaned_data["code"])
        if code is None:
            # Not the shape of a code (a slash, a host, another alphabet): no certificate has it.
            return _verify_page(request, form.cleaned_data["code"], certificate=None)
        return redirect("verify", code=code)
    return render(
        request, "sessions_app/verify.html", {"form": form}, status=400 if form.errors else 200
    )


@public
@require_GET
def verify(request, code):
    """Whether a certificate of that code exists and stands, with no more than the holder's
    initials, the program, the agency and the date."""
    return _verify_page(request, code, certificate=selectors.certificate_by_code(code))


def _verify_page(request, code, *, certificate):
    context = {
        "looked_up": True,
        # As typed, less what no one can read (a NUL, a direction override).
        "code": "".join(char for char in code if char.isprintable())[:20],
        "certificate": certificate,
        "form": VerifyForm(),
    }
    if certificate is not None:
        context["program"] = Program(certificate.details["program"]).label
        context["completed_on"] = date.fromisoformat(certificate.details["completed_on"])
    return render(request, "sessions_app/verify.html", context, status=200 if certificate else 404)


@public
@require_GET
@never_cache  # A private address: no proxy or shared computer keeps a copy of the schedule.
def calendar_ics(request, token):
    feed = calendar.feed_for_token(token)
    if feed is None:
        raise Http404
    title = _("IPV sessions — %(agency)s") % {"agency": feed.agency.name}
    return downloads.file_response(
        calendar.feed_ics(feed, title=title),
        filename="ipv-sessions.ics",
        content_type=downloads.ICS,
        inline=True,
    )
