from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from directory.models import RETENTION_BOUNDS, Agency
from ipv.accounts.models import LiaisonProfile, Role, User
from ipv.core.forms import PlainTextForm
from ipv.core.validators import validate_name


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Role.choices, label=_("Roles"), **kwargs)


class InviteForm(PlainTextForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, validators=[validate_name]
    )
    roles = RolesField()
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=User.Language.choices
    )


class RolesForm(PlainTextForm):
    roles = RolesField()


def _setting(name):
    field = Agency._meta.get_field(name)
    return forms.BooleanField(
        label=capfirst(field.verbose_name), help_text=field.help_text, required=False
    )


def _number(name, low, high):
    return Agency._meta.get_field(name).formfield(min_value=low, max_value=high)


def _time(name):
    field = Agency._meta.get_field(name)
    return forms.TimeField(
        label=capfirst(field.verbose_name),
        help_text=field.help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


# Each retention period's province default, shown beside the agency's own choice.
RETENTION_DEFAULTS = {
    "retain_closed_referral_years": "IPV_RETAIN_CLOSED_REFERRAL_YEARS",
    "retain_victim_contact_months": "IPV_RETAIN_VICTIM_CONTACT_MONTHS",
    "retain_outbox_days": "IPV_RETAIN_OUTBOX_DAYS",
}


def _retention(name):
    low, high = RETENTION_BOUNDS[name]
    return Agency._meta.get_field(name).formfield(min_value=low, max_value=high, required=False)


class AgencySettingsForm(PlainTextForm):
    """The agency's own settings; the service compares them with the saved ones."""

    allow_facilitator_partner_contact = _setting("allow_facilitator_partner_contact")
    managers_see_confidential = _setting("managers_see_confidential")
    fees_hold_completion = _setting("fees_hold_completion")
    contact_within_days = _number("contact_within_days", 1, 60)
    intake_within_days = _number("intake_within_days", 1, 120)
    start_within_days = _number("start_within_days", 1, 180)
    late_threshold_minutes = _number("late_threshold_minutes", 0, 120)
    unexcused_absence_limit = _number("unexcused_absence_limit", 1, 12)
    absence_limit = _number("absence_limit", 1, 12)
    quiet_hours_start = _time("quiet_hours_start")
    quiet_hours_end = _time("quiet_hours_end")
    session_reminder_time = _time("session_reminder_time")
    retain_closed_referral_years = _retention("retain_closed_referral_years")
    retain_victim_contact_months = _retention("retain_victim_contact_months")
    retain_outbox_days = _retention("retain_outbox_days")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if start is not None and end is not None and start >= end:
            self.add_error("quiet_hours_end", _("Reminders must start before they end in the day."))
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, setting in RETENTION_DEFAULTS.items():
            low, high = RETENTION_BOUNDS[name]
            self.fields[name].help_text = _(
                "Empty: the province's default, %(default)s. Otherwise from %(low)s to %(high)s."
            ) % {"default": getattr(settings, setting), "low": low, "high": high}

    @classmethod
    def for_agency(cls, agency, data=None):
        initial = {name: getattr(agency, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class InvitationAcceptForm(PlainTextForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150, validators=[validate_name])
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            person = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class NotificationsForm(PlainTextForm):
    """The emails a person chooses to get; the court's only for a court liaison officer."""

    digest_enabled = forms.BooleanField(
        label=capfirst(User._meta.get_field("digest_enabled").verbose_name),
        help_text=_(
            "Each morning, what waits for you in each agency where you work: counts and links, "
            "never a person's name."
        ),
        required=False,
    )
    court_messages = forms.ChoiceField(
        label=capfirst(LiaisonProfile._meta.get_field("court_messages").verbose_name),
        choices=LiaisonProfile.CourtMessages.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, liaison: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not liaison:
            del self.fields["court_messages"]
