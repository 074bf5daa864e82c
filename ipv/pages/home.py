"""Home pages: the public one (the directory's summary) and each agency's, which counts what
waits in several apps."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from directory.selectors import directory_summary
from fees import selectors as fee_selectors
from ipv.core.permissions import public, requires
from referrals import selectors as referral_selectors
from sessions_app import selectors as session_selectors
from victims.selectors import risk_alerts_unseen, risk_alerts_unseen_count


@public
@require_GET
def home(request):
    return render(request, "core/home.html", {"summary": directory_summary()})


@requires("agency.view")
@require_GET
def agency_home(request):
    """Each person's way in, and what waits for them: each count only for who may act on it
    (fee figures never without fees.view), one query per count."""
    agency, membership, context = request.agency, request.membership, {}
    if membership.can("referrals.view"):
        context.update(referral_selectors.queue_counts(agency=agency))
        context["transfers_waiting"] = referral_selectors.transfers_waiting_count(agency=agency)
        # The one thing outreach tells the case team, listed to lead straight to the referral.
        context["risk_alerts_unseen"] = risk_alerts_unseen_count(agency=agency)
        context["risk_alerts"] = (
            risk_alerts_unseen(agency=agency) if context["risk_alerts_unseen"] else []
        )
    if membership.can("fees.approve"):
        context["approvals_waiting"] = fee_selectors.approvals_waiting_count(
            agency=agency, decider=request.user
        )
    if membership.can("documents.manage"):
        context["documents_waiting"] = session_selectors.court_documents_waiting_count(
            agency=agency
        )
    if membership.can("groups.view"):
        context["next_sessions"] = session_selectors.upcoming_sessions(
            agency=request.agency, user=request.user, membership=request.membership
        )
    return render(request, "accounts/agency_home.html", context)
