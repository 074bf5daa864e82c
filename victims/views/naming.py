"""A person the participant names once the referral exists (a new current partner), recorded
by the intake worker for outreach: write-only, never shown back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ipv.core.forms import apply_errors, form_page, posted, submission_key, submission_key_shown
from ipv.core.permissions import requires
from referrals import selectors as referral_selectors
from referrals.views.agency import not_now
from victims.forms import NamedPersonForm
from victims.services import person_named_later


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def referral_named_person(request, referral):
    referral = referral_selectors.referral_get(agency=request.agency, pk=referral)
    if not referral.is_open:
        return not_now(request, referral, _("A closed referral cannot be changed."))
    form = NamedPersonForm(posted(request))
    if form.is_valid():
        try:
            person_named_later(
                referral=referral,
                person=form.cleaned_data,
                by=request.user,
                submission_key=submission_key(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Recorded for the partner-contact team."))
            return redirect(
                "agency:referral_detail", agency_slug=request.agency.slug, pk=referral.pk
            )
    context = {"referral": referral, "form": form}
    context["submission"] = submission_key_shown(request)
    return form_page(request, "victims/named_person_new.html", context, form)
