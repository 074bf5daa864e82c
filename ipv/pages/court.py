"""The court liaison portal (/<lang>/court/…): referrals from the officer's courts across
agencies, and e-referrals. Never shown here: victims, intake notes, risk flags, fees, and the
reasons written in a referral's history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ipv.core.forms import (
    apply_errors,
    form_page,
    posted,
    shown_without_errors,
    submission_key,
    submission_key_shown,
)
from ipv.core.permissions import liaison
from ipv.pages.referrals import progress_of, with_progress
from referrals import selectors
from referrals.filters import CourtReferralFilter
from referrals.forms import EReferralForm, ParticipantForm
from referrals.services.referrals import AlreadySent
from referrals.views.agency import PAGE_SIZE
from sessions_app import selectors as session_selectors
from victims.forms import NamedPeopleFormSet, named_people
from victims.services import e_referral_submit_naming


@liaison
@require_GET
def court_home(request):
    """The officer's referrals, newest first, with their courts beside them."""
    officer = request.user
    filterset = CourtReferralFilter(
        request.GET, queryset=selectors.liaison_referrals(officer=officer), officer=officer
    )
    page = with_progress(Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page")))
    template = "referrals/court_home.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    courts = officer.liaison.courts.select_related("region").prefetch_related("agencies")
    return render(request, template, {"filter": filterset, "page": page, "courts": courts})


@liaison
@require_GET
def court_referral(request, pk):
    referral = selectors.liaison_referral_get(officer=request.user, pk=pk)
    context = {
        "referral": referral,
        "timeline": selectors.liaison_timeline(referral=referral),
        "progress": progress_of(referral),
        **session_selectors.referral_documents(referral=referral, for_court=True),
    }
    return render(request, "referrals/court_referral.html", context)


@liaison
@require_http_methods(["GET", "POST"])
def court_referral_new(request):
    """An e-referral: the order, the person, the people it names, to an agency of the court."""
    data = posted(request)
    person = ParticipantForm(data, prefix="person")
    order = EReferralForm(data, prefix="order", officer=request.user)
    people = NamedPeopleFormSet(data, prefix="named")
    forms = (person, order, people)
    if data is not None and all(form.is_valid() for form in forms):
        details = dict(order.cleaned_data)
        agency = details.pop("agency")
        try:
            referral = e_referral_submit_naming(
                officer=request.user,
                agency=agency,
                participant=person.cleaned_data,
                order=details,
                named_people=named_people(people),
                submission_key=submission_key(request),
            )
        except AlreadySent as sent:
            return redirect("court:referral", pk=sent.referral.pk)
        except ValidationError as error:
            apply_errors(order, error)
        else:
            messages.success(
                request,
                _("Referral sent to %(agency)s. You will see here when they accept it.")
                % {"agency": agency.name},
            )
            return redirect("court:referral", pk=referral.pk)
    if people.rearranged:
        shown_without_errors(person, order, people)
    context = {"person_form": person, "order_form": order, "people_formset": people}
    context["submission"] = submission_key_shown(request)
    return form_page(request, "referrals/court_referral_new.html", context, person, order, people)
