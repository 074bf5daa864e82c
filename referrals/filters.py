"""The intake queue's and the court portal's filters (django-filter). An unknown value is
reported next to its field and left out; the other criteria still apply."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Agency, Court, Program
from ipv.core.choices import Language
from referrals import selectors
from referrals.models import Referral, Status, Stream

TEXT_MAX_LENGTH = 100
STATUS_GROUPS = [
    ("open", _("Open referrals")),
    ("closed", _("Closed referrals")),
    ("all", _("All referrals")),
    *Status.choices,
]


class ReferralFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or court file number"),
        method="search",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("The start of any word is enough: “trem” finds Tremblay."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_GROUPS, method="by_status", empty_label=None
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        # With no status chosen, the open referrals: the work still to do.
        data = data.copy() if data is not None else None
        if data is not None and not data.get("status"):
            data["status"] = "open"
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def by_status(self, queryset, name, value):
        return selectors.with_status_group(queryset, value)


class QueueFilter(ReferralFilter):
    """The agency's intake queue."""

    stream = django_filters.ChoiceFilter(
        label=_("Court stream"), choices=Stream.choices, empty_label=_("All streams")
    )
    program = django_filters.ChoiceFilter(
        label=_("Program"), choices=Program.choices, empty_label=_("Both programs")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language of service"),
        field_name="participant__language",
        choices=Language.choices,
        empty_label=_("Both languages"),
    )
    court = django_filters.ModelChoiceFilter(
        label=_("Court"), queryset=Court.objects.order_by("name_en"), empty_label=_("All courts")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"),
        method="only_overdue",
        widget=forms.CheckboxInput,
        help_text=_("No contact yet within the agency's delay, or a complete-by date at risk."),
    )

    def __init__(self, *args, agency, **kwargs):
        self.agency = agency
        super().__init__(*args, **kwargs)

    def only_overdue(self, queryset, name, value):
        return selectors.needing_attention(queryset, agency=self.agency) if value else queryset


class CourtReferralFilter(ReferralFilter):
    """The court liaison officer's referrals, across agencies."""

    court = django_filters.ModelChoiceFilter(
        label=_("Court"), queryset=Court.objects.none(), empty_label=_("All your courts")
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("All agencies")
    )

    def __init__(self, *args, officer, **kwargs):
        super().__init__(*args, **kwargs)
        courts = officer.liaison.courts.order_by("name_en")
        self.filters["court"].queryset = courts
        self.filters["agency"].queryset = (
            Agency.objects.filter(courts__in=courts).distinct().order_by("name_en")
        )
