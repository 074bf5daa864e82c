"""The partner-contact worker's home: their tasks, the tasks nobody holds, their caseload, and
a search for a referral no task leads to."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ipv.audit.models import AuditEvent
from ipv.audit.services import audit_record
from ipv.core.permissions import requires
from victims import selectors
from victims.forms import HomeFilterForm, SearchForm
from victims.models import Victim
from victims.rls import confidential


@requires("victims.view")
@require_GET
def outreach_home(request):
    filters = HomeFilterForm(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    search = SearchForm(request.GET)
    text = search.cleaned_data["q"].strip() if search.is_valid() else ""
    with confidential(request.agency):
        home = selectors.outreach_home(
            agency=request.agency,
            user=request.user,
            filters=selectors.TaskFilters(**{k: v for k, v in chosen.items() if v}),
        )
        context = {
            "home": home,
            "concerns": selectors.concerns_without_task(agency=request.agency),
            "today": timezone.localdate(),
            "rows": selectors.HOME_ROWS,
            "urls": {
                "person": _prefix(request, "agency:outreach_person"),
                "referral": _prefix(request, "agency:outreach_referral"),
            },
            "filters": filters,
            "filtered": any(chosen.values()),
            "search": search,
            "searched": bool(text),
            "found": selectors.outreach_referrals_search(agency=request.agency, text=text)
            if text
            else [],
        }
        _audit_listed(request, home, context["found"])
        return render(request, "victims/home.html", context)


def _prefix(request, name: str) -> str:
    """The address of `name` for any id: what comes before the id (the rows add `<id>/`)."""
    return reverse(name, args=[request.agency.slug, 0]).removesuffix("0/")


def _audit_listed(request, home, found) -> None:
    """The home names people (the tasks' rows): one event for the page, with how many rows it
    listed, rather than one per name."""
    rows = len(home.overdue) + len(home.today) + len(home.upcoming) + len(home.unassigned)
    audit_record(
        action=AuditEvent.Action.RECORD_READ,
        actor=request.user,
        agency=request.agency,
        kind=Victim,
        label=lambda: gettext("Outreach home"),
        details={"rows": rows, "referrals_found": len(found)},
    )
