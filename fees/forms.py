from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fees.models import HOUSEHOLD_SIZES, MAX_FEE, MAX_INCOME, MAX_PAYMENT, FeeAssessment, Method
from fees.services import PLAN_AHEAD, dependants_refused
from ipv.core.forms import (
    REASON_MAX_LENGTH,
    BoundedDateField,
    MoneyField,
    PlainTextForm,
    PlainTextModelForm,
)
from referrals.forms import YEAR


class ScheduleForm(PlainTextForm):
    effective_from = BoundedDateField(label=_("In effect from"), past=YEAR, ahead=YEAR)
    minimum_fee = MoneyField(label=_("Minimum fee"), max_value=MAX_FEE)
    individual_session_fee = MoneyField(
        label=_("Fee for an individual (one-to-one) session"), max_value=MAX_FEE
    )
    free_of_charge = forms.CharField(
        label=_("Never charged"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Interpreters are never charged; say what else is free."),
    )


class BandRowForm(PlainTextForm):
    """One income band of the scale, with the fee for each household size."""

    income_min = MoneyField(label=_("Income from"), max_value=MAX_INCOME)
    income_max = MoneyField(
        label=_("Income under"),
        max_value=MAX_INCOME,
        required=False,
        help_text=_("Empty for the last band (and above)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for size in HOUSEHOLD_SIZES:
            label = (
                _("Fee, household of %(size)s") % {"size": size}
                if size < HOUSEHOLD_SIZES[-1]
                else _("Fee, household of %(size)s or more") % {"size": size}
            )
            self.fields[f"fee_{size}"] = MoneyField(label=label, max_value=MAX_FEE)

    def row(self) -> dict:
        data = self.cleaned_data
        return {
            "income_min": data["income_min"],
            "income_max": data["income_max"],
            "fees": {size: data[f"fee_{size}"] for size in HOUSEHOLD_SIZES},
        }


BandFormSet = forms.formset_factory(BandRowForm, extra=2, min_num=1, validate_min=True)


class AssessmentForm(PlainTextModelForm):
    household_income = MoneyField(label=_("Annual household income"), max_value=MAX_INCOME)
    monthly_debt_payments = MoneyField(
        label=_("Monthly debt payments"), max_value=MAX_INCOME, required=False
    )

    class Meta:
        model = FeeAssessment
        fields = [
            "household_income",
            "household_size",
            "dependants",
            "monthly_debt_payments",
            "employment",
            "benefits",
            "circumstances",
            "evidence_seen",
        ]
        widgets = {"circumstances": forms.Textarea(attrs={"rows": 3})}

    def clean_monthly_debt_payments(self):
        return self.cleaned_data["monthly_debt_payments"] or 0

    def clean(self):
        cleaned = super().clean()
        size, dependants = cleaned.get("household_size"), cleaned.get("dependants")
        if size and dependants is not None and (refused := dependants_refused(size, dependants)):
            self.add_error("dependants", refused)
        return cleaned


class ProposalForm(PlainTextForm):
    amount = MoneyField(label=_("Fee for the whole program"), max_value=MAX_FEE)
    reason = forms.CharField(
        label=_("Why this fee"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required below or above the scale: a manager reads it before approving."),
    )
    counter_offer = MoneyField(
        label=_("The participant's counter-offer"), max_value=MAX_FEE, required=False
    )
    counter_note = forms.CharField(
        label=_("About the counter-offer"), max_length=500, required=False
    )


class DecisionForm(PlainTextForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve this fee")), ("no", _("Decline it"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the intake worker"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when declining, and to approve a fee you proposed yourself."),
    )


class InstalmentForm(PlainTextForm):
    due_on = BoundedDateField(
        label=_("Due on"),
        past=timedelta(0),
        ahead=PLAN_AHEAD,
        error_messages={"too_early": _("An instalment falls due today or later.")},
    )
    amount = MoneyField(label=_("Amount"), max_value=MAX_FEE)


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=4, max_num=24)


WITHOUT_WAIVER = [choice for choice in Method.choices if choice[0] != Method.WAIVER]


class PaymentForm(PlainTextForm):
    """A payment; the waiver is offered to those who approve fees only."""

    amount = MoneyField(label=_("Amount"), max_value=MAX_PAYMENT)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    received_on = BoundedDateField(
        label=_("Date"),
        initial=timezone.localdate,
        past=YEAR,
        ahead=timedelta(0),
        error_messages={"too_late": _("A payment cannot be dated in the future.")},
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, waiver: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not waiver:
            self.fields["method"].choices = WITHOUT_WAIVER


class VoidForm(PlainTextForm):
    note = forms.CharField(
        label=_("Why void this payment"),
        max_length=500,
        help_text=_("The payment stays in the ledger, cancelled by this void."),
    )


class RefundForm(PlainTextForm):
    amount = MoneyField(label=_("Amount refunded"), max_value=MAX_PAYMENT)
    method = forms.ChoiceField(label=_("Method"), choices=WITHOUT_WAIVER)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
