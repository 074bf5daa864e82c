"""Pages without a sign-in: the link in a participant's reminder email that stops them (the
signed token is its key; the page names nobody, since an email may be forwarded)."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ipv.core.permissions import public
from referrals.models import Participant
from referrals.services import consent


@public
@require_http_methods(["GET", "POST"])
@never_cache
def reminders_stop(request, token):
    """GET says what stops and asks; only the POST changes anything (mail scanners open links)."""
    found = consent.stop_token_read(token)
    if found is None or not Participant.objects.filter(pk=found[0]).exists():
        return render(request, "referrals/reminders_stop.html", {"invalid": True}, status=404)
    if request.method == "POST":
        consent.email_reminders_stop(participant_id=found[0])
        return redirect(f"{request.path}?done=1")
    context = {"done": request.GET.get("done") == "1"}
    return render(request, "referrals/reminders_stop.html", context)
