"""The documents a partner-contact worker prints for a person: a version of their safety plan,
discreet, and the letters of the program notices. Both in the person's language; each download
audited as an export of the person's record."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from ipv.audit.services import audit_read
from ipv.core import downloads
from ipv.core.pdf import render_pdf
from ipv.core.permissions import requires
from victims import selectors
from victims.models.outreach import LetterKind
from victims.rls import confidential
from victims.services import outreach


def _no_store(response: HttpResponse) -> HttpResponse:
    # What outreach prints must not stay in a shared computer's cache.
    patch_cache_control(response, no_store=True, private=True)
    return response


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    return downloads.file_response(pdf, filename=f"{name}.pdf", content_type=downloads.PDF)


@requires("victims.view")
@require_GET
def outreach_plan_pdf(request, pk, number):
    """A version of the person's safety plan, printed discreetly: nothing in it, its metadata
    or its file name says whose plan it is, who made it with them or why — unless the worker
    asks for the agency's name and phone (?agency=1)."""
    with confidential(request.agency):
        victim = selectors.victim_get(agency=request.agency, pk=pk)
        plan = selectors.plan_version(victim=victim, number=number)
        context = {
            "title": pgettext_lazy("safety plan, as printed for the person", "My plan"),
            "plan": plan,
            "sections": plan.sections(),
            "agency": request.agency if request.GET.get("agency") == "1" else None,
        }
        pdf = render_pdf("victims/plan.html", context, language=victim.language)
        audit_read(reader=request.user, agency=request.agency, record=victim, exported=1)
    return _pdf(pdf, f"plan-{timezone.localdate(plan.saved_at):%Y-%m-%d}")


def _letter(request, victim, kind) -> dict:
    """What a letter says: from the agency, about the participant's program, to the person."""
    return {
        "title": pgettext_lazy("a letter mailed to a person", "Letter"),
        "kind": kind,
        "agency": request.agency,
        "today": timezone.localdate(),
        "victim": victim,
        "participant": victim.referral.participant.legal_name,
        "program": victim.referral.program,
        "worker": request.user.get_full_name(),
    }


@requires("victims.view")
@require_GET
def outreach_letter(request, pk, kind):
    """A program notice (start, discharge, completion) mailed to the person, in their language,
    where their safe-contact rules allow a letter; otherwise the reason, and no letter."""
    if kind not in LetterKind.values:
        raise Http404
    try:
        with confidential(request.agency):
            victim = selectors.victim_get(agency=request.agency, pk=pk)
            outreach.letter_printed(
                victim=victim, by=request.user, kind=kind, language=victim.language
            )
            context = _letter(request, victim, kind)
            pdf = render_pdf("victims/letter.html", context, language=victim.language)
            audit_read(reader=request.user, agency=request.agency, record=victim, exported=1)
    except ValidationError as refusal:
        # The reason says something of the person's rules: a read of their record.
        audit_read(reader=request.user, agency=request.agency, record=victim)
        context = {"victim": victim, "letter": LetterKind(kind), "reasons": refusal.messages}
        return _no_store(render(request, "victims/letter_refused.html", context))
    return _pdf(pdf, f"letter-{timezone.localdate():%Y-%m-%d}")
