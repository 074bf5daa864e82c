"""Forms of the referrals app. They check what one field or the dates together can tell; the
services check the rest (programs offered, courts served, statuses) and their errors come back
next to the field they concern."""

from datetime import date, timedelta
from functools import partial

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from directory.models import Agency, Court, Program
from ipv.core.forms import (
    REASON_MAX_LENGTH,
    BoundedDateField,
    BoundedDateTimeField,
    PlainTextForm,
    PlainTextModelForm,
    ReasonForm,
)
from referrals.models import (
    ORDER_DETAILS,
    PARTICIPANT_DETAILS,
    SOURCE_DETAILS,
    Consent,
    DischargeReason,
    Intake,
    Participant,
    Referral,
    RiskFlag,
)
from referrals.services.intake import INTAKE_AHEAD, INTAKE_TOO_FAR

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# How far from today the order's dates may be. A probation order lasts three years at most:
# an older order has run out, and a date further off is a typing mistake.
YEAR = timedelta(days=365)
ORDER_AGE = 5 * YEAR


class ParticipantForm(PlainTextModelForm):
    """The person: who they are, how to reach them, what they need."""

    class Meta:
        model = Participant
        fields = PARTICIPANT_DETAILS
        widgets = {
            "date_of_birth": DATE,
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
        }
        # localflavor's own message is not in our catalog, so French pages showed it in English.
        error_messages = {
            "postal_code": {"invalid": _("Enter a Canadian postal code, such as K1K 0V4.")}
        }

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate():
            raise forms.ValidationError(_("A date of birth must be in the past."))
        if born <= date(1900, 1, 1):
            raise forms.ValidationError(_("Enter a date of birth after 1900."))
        return born

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("interpreter_needed") and not cleaned.get("interpreter_language"):
            self.add_error("interpreter_language", _("Say which language the interpreter speaks."))
        if cleaned.get("consent_email") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", _("An email address is needed for email reminders."))
        if cleaned.get("consent_sms") and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("A phone number is needed for text message reminders."))
        return cleaned


ORDER_FIELDS = list(ORDER_DETAILS)
SOURCE_FIELDS = [*SOURCE_DETAILS, "received_on"]


class OrderForm(PlainTextModelForm):
    """The court order and who sent it. The dates are checked against each other, each
    error next to the date to correct."""

    class Meta:
        model = Referral
        fields = ORDER_FIELDS + SOURCE_FIELDS
        widgets = {
            "order_date": DATE,
            "return_court_date": DATE,
            "complete_by": DATE,
            "received_on": DATE,
            "charges": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {
            "order_date": partial(BoundedDateField, past=ORDER_AGE, ahead=timedelta(0)),
            "return_court_date": partial(BoundedDateField, past=ORDER_AGE, ahead=2 * YEAR),
            "complete_by": partial(BoundedDateField, past=ORDER_AGE, ahead=3 * YEAR),
            "received_on": partial(BoundedDateField, past=ORDER_AGE, ahead=timedelta(0)),
        }
        error_messages = {
            "order_date": {
                "too_late": _("An order cannot be dated in the future."),
                "too_early": _("An order older than five years has run out: check the date."),
            },
            "return_court_date": {
                "too_late": _("A return court date is within two years: by %(limit)s."),
            },
            "complete_by": {
                "too_late": _("A complete-by date is within three years: by %(limit)s."),
            },
            "received_on": {"too_late": _("A referral cannot be received in the future.")},
        }
        help_texts = {
            "stream": _(
                "Early Intervention: first offence, before any plea. Coordinated Prosecution: "
                "after a finding of guilt, usually a probation condition."
            ),
            "complete_by": _("The date by which the court expects the program to be done."),
        }

    def __init__(self, *args, programs=None, courts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts if courts is not None else Court.objects.all()
        self.fields["court"].empty_label = "—"
        if programs is not None:
            self.fields["program"].choices = [
                (value, label) for value, label in Program.choices if value in programs
            ]

    @property
    def order_section(self):
        return [self[name] for name in ["agency", *ORDER_FIELDS] if name in self.fields]

    @property
    def source_section(self):
        return [self[name] for name in SOURCE_FIELDS if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        ordered = cleaned.get("order_date")
        if ordered:
            later_than_order = {
                "complete_by": _("The complete-by date must come after the order."),
                "return_court_date": _("The return court date cannot come before the order."),
                "received_on": _("A referral cannot arrive before the order was made."),
            }
            for name, message in later_than_order.items():
                value = cleaned.get(name)
                if value and (value <= ordered if name == "complete_by" else value < ordered):
                    self.add_error(name, message)
        return cleaned


class ReferralEditForm(OrderForm):
    """Corrections to the order after it was recorded (the date received stays)."""

    class Meta(OrderForm.Meta):
        fields = ORDER_FIELDS + SOURCE_FIELDS[:-1]


class EReferralForm(OrderForm):
    """What a court liaison officer sends: the order, to an agency serving their court."""

    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        empty_label="—",
        help_text=_("Agencies that serve your courts."),
    )

    class Meta(OrderForm.Meta):
        fields = ["agency", *ORDER_FIELDS, *SOURCE_FIELDS[:-1]]

    def __init__(self, *args, officer, **kwargs):
        courts = officer.liaison.courts.all()
        super().__init__(*args, courts=courts, **kwargs)
        self.fields["agency"].queryset = (
            Agency.objects.filter(courts__in=courts).distinct().order_by("name_en")
        )

    def clean(self):
        cleaned = super().clean()
        agency, program = cleaned.get("agency"), cleaned.get("program")
        if agency and program and program not in agency.programs:
            self.add_error("program", _("This agency does not offer this program."))
        return cleaned


class IntakeBookForm(PlainTextModelForm):
    class Meta:
        model = Intake
        fields = ["scheduled_at", "mode", "location", "interpreter_booked"]
        widgets = {"scheduled_at": DATETIME, "mode": forms.RadioSelect}
        field_classes = {
            "scheduled_at": partial(BoundedDateTimeField, past=timedelta(0), ahead=INTAKE_AHEAD)
        }
        error_messages = {
            "scheduled_at": {
                "too_early": _("Choose a moment in the future."),
                "too_late": INTAKE_TOO_FAR,
            }
        }


class IntakeRescheduleForm(IntakeBookForm):
    reason = ReasonForm.base_fields["reason"]


def _court_reason(*, required):
    """The reason the court reads on its notice, apart from what the team writes for itself."""
    printed = _(
        "Printed on the notice sent to the court: write nothing a victim or a partner said, "
        "no intake note and no risk flag."
    )
    return forms.CharField(
        label=_("Reason for the court"),
        max_length=REASON_MAX_LENGTH,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=printed
        if required
        else format_lazy("{} {}", _("Required when the person is not eligible."), printed),
    )


INTERNAL_REASON = forms.CharField(
    label=_("Internal note on the outcome"),
    max_length=REASON_MAX_LENGTH,
    required=False,
    widget=forms.Textarea(attrs={"rows": 2}),
    help_text=_("Kept in the referral's history for the team; never shown to the court."),
)


class DischargeForm(ReasonForm):
    """Discharge from the program: why, as one of the reasons counted in the statistics, and
    the worker's own words (printed on the report to the court)."""

    discharge_reason = forms.ChoiceField(
        label=_("Reason for the discharge"),
        choices=[("", "---------"), *DischargeReason.choices],
    )

    field_order = ["discharge_reason", "reason"]


class ReturnToCourtForm(PlainTextForm):
    """Return the referral to the court: the reason for the court, and the team's own note."""

    court_reason = _court_reason(required=True)
    reason = INTERNAL_REASON


def _consent_field(kind):
    return BoundedDateField(
        label=kind.label,
        required=False,
        past=ORDER_AGE,
        ahead=timedelta(0),
        error_messages={"too_late": _("A consent cannot be signed in the future.")},
        help_text=_("The date it was signed; empty if not signed."),
    )


class IntakeRecordForm(PlainTextForm):
    """What the intake found. The consent fields are named after the consents they record."""

    held_on = BoundedDateField(
        label=_("Held on"),
        past=YEAR,
        ahead=timedelta(0),
        error_messages={"too_late": _("An intake cannot be recorded before it is held.")},
    )
    eligibility = forms.ChoiceField(
        label=_("Eligibility"), choices=Intake.Eligibility.choices, widget=forms.RadioSelect
    )
    court_reason = _court_reason(required=False)
    reason = INTERNAL_REASON
    program_agreement = _consent_field(Consent.Kind.PROGRAM_AGREEMENT)
    release_court = _consent_field(Consent.Kind.RELEASE_COURT)
    release_probation = _consent_field(Consent.Kind.RELEASE_PROBATION)
    release_partner = _consent_field(Consent.Kind.RELEASE_PARTNER)
    risk_flags = forms.MultipleChoiceField(
        label=_("Risk flags"),
        choices=RiskFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For the team only: never shown to the court."),
    )
    notes = forms.CharField(
        label=_("Intake notes"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the team only: never shown to the court."),
    )

    CONSENT_FIELDS = ("program_agreement", "release_court", "release_probation", "release_partner")

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["consents"] = {name: data.pop(name) for name in self.CONSENT_FIELDS}
        return data


class TransferRequestForm(PlainTextForm):
    to_agency = forms.ModelChoiceField(
        label=_("Agency that takes the referral over"), queryset=Agency.objects.none()
    )
    consent_signed_on = BoundedDateField(
        label=_("The participant consented to the transfer on"),
        past=YEAR,
        ahead=timedelta(0),
        error_messages={"too_late": _("A consent cannot be signed in the future.")},
    )
    reason = ReasonForm.base_fields["reason"]

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = (
            Agency.objects.filter(programs__contains=[referral.program])
            .exclude(pk=referral.agency_id)
            .order_by("name_en")
        )


class TransferAnswerForm(PlainTextForm):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Accept the transfer")), ("no", _("Decline it"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the other agency"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when declining."),
    )
