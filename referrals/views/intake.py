"""The intake's pages: book (or move) the appointment, record a miss, record the outcome;
return a referral to the court, with the reason written for it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ipv.core.forms import apply_errors, posted
from ipv.core.permissions import requires
from referrals import selectors
from referrals.forms import (
    IntakeBookForm,
    IntakeRescheduleForm,
    ReasonForm,
)
from referrals.models import Status
from referrals.services import intake as intake_services
from referrals.views.agency import action_page, not_now, to_referral

# Statuses in which an intake can be booked (or, when booked, moved).
BOOKABLE = (Status.RECEIVED, Status.CONTACTED, Status.INTAKE_BOOKED)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def intake_book(request, pk):
    """Book the intake; when one is booked already, move it (with a reason)."""
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if referral.status not in BOOKABLE:
        return not_now(request, referral)
    moving = referral.status == Status.INTAKE_BOOKED
    if moving:
        form = IntakeRescheduleForm(posted(request), instance=referral.intake)
    else:
        form = IntakeBookForm(posted(request), initial={"location": referral.agency.street_address})
    if form.is_valid():
        arguments = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if moving:
                intake_services.intake_reschedule(
                    referral=referral,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    **arguments,
                )
            else:
                intake_services.intake_book(referral=referral, by=request.user, **arguments)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Intake moved.") if moving else _("Intake booked."))
            return to_referral(referral)
    title = _("Move the intake") if moving else _("Book the intake")
    intro = _("The person is reminded by email the day before, if they agreed to reminders.")
    return action_page(request, referral, form, title=title, intro=intro)


@requires("referrals.manage")
@require_http_methods(["GET", "POST"])
def intake_missed(request, pk):
    referral = selectors.referral_get(agency=request.agency, pk=pk)
    if referral.status != Status.INTAKE_BOOKED:
        return not_now(request, referral)
    form = ReasonForm(posted(request))
    if form.is_valid():
        try:
            intake_services.intake_missed(
                referral=referral, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Missed intake recorded: book another one."))
            return to_referral(referral)
    title = _("The person missed the intake")
    intro = _("The referral goes back to “contacted”, for another intake to be booked.")
    return action_page(
        request, referral, form, title=title, submit=_("Record the miss"), intro=intro
    )
