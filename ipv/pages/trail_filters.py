import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ipv.accounts.models import User
from ipv.audit.models import AuditEvent


class TrailForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            # Said next to the field rather than answering an empty trail; the results then
            # leave out the end date, as with any value that cannot be used.
            self.add_error("until", _("The end date comes before the start date."))
        return cleaned


class TrailFilter(django_filters.FilterSet):
    person = django_filters.ModelChoiceFilter(
        label=_("Person"),
        queryset=User.objects.none(),
        method="by_person",
        empty_label=_("Everyone"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Event"), choices=AuditEvent.Action.choices, empty_label=_("All events")
    )
    target_type = django_filters.ChoiceFilter(
        label=_("Type of record"),
        choices=[
            ("accounts.user", _("Person")),
            ("accounts.invitation", _("Invitation")),
            ("directory.agency", _("Agency")),
            ("referrals.referral", _("Referral")),
            ("referrals.participant", _("Participant")),
            ("referrals.transfer", _("Transfer")),
        ],
        empty_label=_("All records"),
    )
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("To"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = TrailForm

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["person"].queryset = (
            User.objects.filter(memberships__agency=agency).distinct().order_by("full_name")
        )

    def by_person(self, queryset, name, value):
        return queryset.filter(Q(actor=value) | Q(subject=value))
