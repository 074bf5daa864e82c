"""Figures read beyond one agency: a court liaison officer's (their courts, across agencies)
and the province's (every agency, for platform administrators). Neither lists cases: small
counts are hidden (selectors.dashboard, rollup.rollups)."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ipv.core.permissions import liaison, platform_admin
from ipv.core.replica import reads_from_replica, replica_reads
from ipv.figures import selectors, snapshots
from ipv.figures.periods import period_from
from ipv.figures.rollup import rollup_figures
from ipv.figures.scope import Scope

# What a court reads: its own section, never the victims', outreach's or the fees'.
COURT_AUDIENCES = {"court"}
# The province reads every section that is counted beyond one agency: the platform
# administrators oversee every agency, and the ministry that funds the program asks for its
# referrals, outcomes and fees. What leaves the agencies here is counts and sums, small ones
# hidden; outreach's figures stay with each agency (Section.one_agency).
PROVINCE_AUDIENCES = {"cases", "fees", "court"}
DEFAULT_ROLLUP = "received"


@liaison
@require_GET
def court_dashboard(request):
    """The figures of the officer's courts, across the agencies that serve them."""
    form, period = period_from(request.GET)
    # Which courts the officer covers is read on the primary, as every access decision.
    courts = list(request.user.liaison.courts.values_list("pk", flat=True))
    sections = []
    if period is not None:
        with replica_reads():
            sections = selectors.dashboard(
                scope=Scope.of_courts(courts),
                period=period,
                audiences=COURT_AUDIENCES,
                now=selectors.counted_now(request),
            )
    if waiting := selectors.waiting_answer(request, sections):
        return waiting
    context = {
        "form": form,
        "period": period,
        "previous": period.previous() if period else None,
        "sections": sections,
        "lists": False,
    }
    return render(request, "figures/court_dashboard.html", context)


class RollupForm(forms.Form):
    """Which referral count the roll-up by region shows, and which region it opens to show
    its agencies (one at a time: a thousand agencies in one table read as none)."""

    figure = forms.ChoiceField(label=_("Figure by region and agency"), required=False)
    # Compared with the regions' codes, nothing more: anything else opens no region.
    region = forms.CharField(required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["figure"].choices = [
            (figure.key, figure.label) for figure in rollup_figures().values()
        ]

    def _value(self, name) -> str:
        """The field's value if it is valid, whatever the other field's is."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name) or ""

    def chosen(self):
        return rollup_figures()[self._value("figure") or DEFAULT_ROLLUP]

    def opened(self) -> str:
        """The code of the region whose agencies are shown ("" for none)."""
        return self._value("region")


@platform_admin
@require_GET
@reads_from_replica
def province_dashboard(request):
    """Every section at the province's scope, and one figure by region then agency."""
    form, period = period_from(request.GET)
    chooser = RollupForm(request.GET or None)
    sections, regions, figure = [], [], chooser.chosen()
    if period is not None:
        previous = period.previous()
        sections = selectors.dashboard(
            scope=Scope.province(),
            period=period,
            audiences=PROVINCE_AUDIENCES,
            now=selectors.counted_now(request),
        )
        if not sections.counting:
            regions = snapshots.rollups([figure], period, previous, sections.hidden)[figure.key]
    if waiting := selectors.waiting_answer(request, sections):
        return waiting
    context = {
        "form": form,
        "chooser": chooser,
        "figure": figure,
        "period": period,
        "previous": period.previous() if period else None,
        "sections": sections,
        "regions": regions,
        "opened": chooser.opened(),
        "lists": False,
    }
    return render(request, "figures/province_dashboard.html", context)
