"""The two narrow doors between the case team and outreach, seen from the case team's side:
a concern for someone's safety raised about a participant (by a facilitator from the roster,
or by a case worker), and the risk alerts outreach sends, marked as seen. Neither shows
anything of the people outreach works with."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ipv.core.forms import apply_errors, form_page, posted, submission_key, submission_key_shown
from ipv.core.permissions import requires
from referrals import selectors as referral_selectors
from victims import selectors
from victims.forms import ConcernForm
from victims.services import alerts, tasks


def _next(request) -> str | None:
    """Where the person came from, when it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return None


def _back(request, referral):
    """Back where the concern was raised from; else the referral, or the groups for a
    facilitator (who has no referral page)."""
    if target := _next(request):
        return redirect(target)
    if request.membership.can("referrals.view"):
        return redirect("agency:referral_detail", agency_slug=request.agency.slug, pk=referral.pk)
    return redirect("agency:group_list", agency_slug=request.agency.slug)


@requires("concerns.raise")
@require_http_methods(["GET", "POST"])
def concern_raise(request, referral):
    referral = selectors.concern_referral_get(
        agency=request.agency, user=request.user, membership=request.membership, pk=referral
    )
    form = ConcernForm(posted(request))
    if form.is_valid():
        try:
            tasks.concern_raise(
                referral=referral,
                by=request.user,
                submission_key=submission_key(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your concern was sent to the partner-contact team."))
            return _back(request, referral)
    context = {"referral": referral, "form": form, "next": _next(request)}
    context["submission"] = submission_key_shown(request)
    return form_page(request, "victims/concern_raise.html", context, form)


@requires("referrals.manage")
@require_POST
def risk_alert_seen(request, referral, pk):
    referral = referral_selectors.referral_get(agency=request.agency, pk=referral)
    alert = selectors.risk_alert_get(agency=request.agency, referral=referral, pk=pk)
    alerts.risk_alert_seen(alert=alert, by=request.user)
    messages.success(request, _("Risk alert marked as seen."))
    return redirect("agency:referral_detail", agency_slug=request.agency.slug, pk=referral.pk)
