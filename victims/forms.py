from datetime import timedelta

from django import forms
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from directory.models import Program, SupportService
from ipv.core.choices import Language
from ipv.core.forms import BoundedDateField, BoundedDateTimeField, PlainTextForm
from ipv.core.validators import validate_name
from victims.models import ConsentRecord, OutreachTask, Relationship, SafetyPlanVersion
from victims.models.outreach import PLAN_SECTIONS, CulturalSupport, Outcome, Service, TaskKind
from victims.models.people import Channel, ClosedBecause, Weekday
from victims.models.safety import Abuse, FeelsSafe


class NamedPersonForm(PlainTextForm):
    """One person named in the order. What is typed here goes to the confidential store and is
    not shown again on the referral."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A shared computer's browser must not offer these back in another form.
        for field in self.fields.values():
            field.widget.attrs["autocomplete"] = "off"

    full_name = forms.CharField(label=_("Full name"), max_length=200, validators=[validate_name])
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=[("", "—"), *Relationship.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As the participant's")), *Language.choices],
        required=False,
    )
    phone = PhoneNumberField(label=_("Phone"), region="CA", required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    safe_contact_notes = forms.CharField(
        label=_("When and how it is safe to make contact"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BaseNamedPeopleFormSet(forms.BaseFormSet):
    """As many people as the order names. Its "Add a person" and "Remove" buttons send the
    page back with a row more or less, everything typed kept, and nothing saved: the worker
    finishes the form first (no JavaScript needed)."""

    def __init__(self, data=None, *args, prefix=None, **kwargs):
        self.rearranged = False
        if data is not None:
            data, self.rearranged = _rearranged(
                data, prefix or self.get_default_prefix(), most=self.absolute_max
            )
        super().__init__(data, *args, prefix=prefix, **kwargs)

    @property
    def add_name(self) -> str:
        return f"{self.prefix}-add"

    @property
    def remove_name(self) -> str:
        return f"{self.prefix}-remove"

    def is_valid(self):
        # A row added or removed is not a request to save.
        return not self.rearranged and super().is_valid()


def _rearranged(data: QueryDict, prefix: str, *, most: int) -> tuple[QueryDict, bool]:
    """The submitted rows with one added (blank, at the end) or one removed (the later ones
    move up), and whether the worker asked for either."""
    total_key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(total_key, ""))
    except ValueError:
        return data, False  # a broken management form: the formset says so
    if not 0 <= total < most:
        return data, False  # more rows than a formset takes: refused, not rearranged
    if f"{prefix}-add" in data:
        data = data.copy()
        data[total_key] = str(total + 1)
        return data, True
    removed = data.get(f"{prefix}-remove")
    if removed is None:
        return data, False
    data = data.copy()
    if removed.isdigit() and int(removed) < total:
        fields = list(NamedPersonForm.base_fields)
        for row in range(int(removed), total - 1):
            for field in fields:
                data.setlist(f"{prefix}-{row}-{field}", data.getlist(f"{prefix}-{row + 1}-{field}"))
        for field in fields:
            data.pop(f"{prefix}-{total - 1}-{field}", None)
        data[total_key] = str(total - 1)
    return data, True


NamedPeopleFormSet = forms.formset_factory(NamedPersonForm, formset=BaseNamedPeopleFormSet, extra=1)


def named_people(formset) -> list[dict]:
    """The filled rows of a valid formset (blank rows are left out)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class ConcernForm(PlainTextForm):
    """What a facilitator (or a case worker) heard or saw that makes them fear for someone."""

    note = forms.CharField(
        label=_("What was said or seen"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who said it, when, and the words used, as far as you remember them."),
    )


# The outreach workspace's forms. Each keeps what was typed when it is refused.


def _no_autocomplete(form):
    # A shared computer's browser must not offer these back in another form.
    for field in form.fields.values():
        field.widget.attrs["autocomplete"] = "off"


class PersonForm(PlainTextForm):
    """Who a person is and how to reach them."""

    full_name = forms.CharField(label=_("Full name"), max_length=200, validators=[validate_name])
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=[("", "—"), *Relationship.choices]
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    interpreter = forms.CharField(
        label=_("Interpreter needed (language)"),
        max_length=60,
        required=False,
        validators=[validate_name],
        help_text=_("Leave empty when no interpreter is needed."),
    )
    phone = PhoneNumberField(label=_("Phone"), region="CA", required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    address = forms.CharField(
        label=_("Mailing address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_autocomplete(self)

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        return phone.as_e164 if phone else ""


class RulesForm(PlainTextForm):
    """The person's safe-contact rules."""

    channels = forms.MultipleChoiceField(
        label=_("Channels allowed"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    safe_days = forms.TypedMultipleChoiceField(
        label=_("Safe days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    safe_from = forms.TimeField(
        label=_("Safe from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    safe_until = forms.TimeField(
        label=_("Safe until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "Leave both times empty when any hour of a safe day is safe. Hours may run past "
            "midnight (22:00 until 02:00)."
        ),
    )
    voicemail_ok = forms.BooleanField(label=_("A voicemail may be left"), required=False)
    message_ok = forms.BooleanField(label=_("A text or email may be left"), required=False)
    may_name_program = forms.BooleanField(
        label=_("Messages may say they come from the program"),
        required=False,
        help_text=_(
            "Only when the person said it is safe. Otherwise a text or email asks them to call "
            "the agency, and names neither the program nor the participant."
        ),
    )
    code_word = forms.CharField(label=_("Code word"), max_length=100, required=False)
    do_not_contact = forms.BooleanField(label=_("Do not contact"), required=False)
    safe_contact_notes = forms.CharField(
        label=_("When and how it is safe to make contact"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_autocomplete(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("safe_from"), cleaned.get("safe_until")
        if (start is None) != (end is None) and not self.has_error("safe_from"):
            if not self.has_error("safe_until"):
                self.add_error(
                    "safe_until" if end is None else "safe_from",
                    _("Enter both times, or neither."),
                )
        elif start is not None and end is not None and end == start:
            # Hours may run past midnight (22:00 until 02:00), never start and end together.
            self.add_error("safe_until", _("The safe hours cannot start and end at the same time."))
        return cleaned


class ConsentForm(PlainTextForm):
    """One answer about consent, as the person gave it."""

    topic = forms.ChoiceField(label=_("Consent"), choices=ConsentRecord.Topic.choices)
    given = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Given")), ("no", _("Withdrawn or refused"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    how = forms.ChoiceField(label=_("How"), choices=ConsentRecord.How.choices)
    on = BoundedDateField(
        label=_("Date"),
        ahead=timedelta(0),
        error_messages={"too_late": _("The date cannot be in the future.")},
    )


class SafetyViewForm(PlainTextForm):
    """What the person says of their safety, in their own answer to two fixed questions."""

    feels_safe = forms.TypedChoiceField(
        label=_("How safe do they feel?"),
        choices=FeelsSafe.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    abuse = forms.ChoiceField(
        label=_("Has the abuse stopped, reduced or continued?"),
        choices=Abuse.choices,
        widget=forms.RadioSelect,
    )
    on = BoundedDateField(
        label=_("Date they said it"),
        ahead=timedelta(0),
        error_messages={"too_late": _("The date cannot be in the future.")},
    )


class ContactForm(PlainTextForm):
    """One attempt or contact. Cultural supports are offered for the Indigenous program only;
    the task is one of the person's open tasks, if any."""

    at = BoundedDateTimeField(
        label=_("When"),
        ahead=timedelta(0),
        error_messages={"too_late": _("A contact cannot be logged in the future.")},
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    inbound = forms.BooleanField(
        label=_("They contacted us"),
        required=False,
        help_text=_(
            "A call or a visit of theirs: the safe-contact rules say how the agency may reach "
            "them, not when they may reach it."
        ),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    services = forms.MultipleChoiceField(
        label=_("Services given"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cultural_supports = forms.MultipleChoiceField(
        label=_("Cultural supports"),
        choices=CulturalSupport.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_service = forms.ModelChoiceField(
        label=_("Referred to"), queryset=SupportService.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    task = forms.ModelChoiceField(
        label=_("Task this contact does"),
        queryset=OutreachTask.objects.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, support_services, tasks, indigenous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_service"].queryset = support_services
        self.fields["task"].queryset = tasks
        self.fields["task"].label_from_instance = _task_label
        if not indigenous:
            del self.fields["cultural_supports"]
        _no_autocomplete(self)


def _task_label(task) -> str:
    return f"{task.get_kind_display()} ({formats.date_format(task.due_on, 'SHORT_DATE_FORMAT')})"


class CloseForm(PlainTextForm):
    because = forms.ChoiceField(
        label=_("Why outreach ends"), choices=[("", "—"), *ClosedBecause.choices]
    )


class PlanForm(PlainTextForm):
    """The sections of a safety plan; saving makes a new version."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PLAN_SECTIONS:
            model_field = SafetyPlanVersion._meta.get_field(name)
            self.fields[name] = forms.CharField(
                label=model_field.verbose_name,
                max_length=model_field.max_length,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
            )


class TaskForm(PlainTextForm):
    """A follow-up the worker sets themselves."""

    due_on = BoundedDateField(
        label=_("Due"),
        past=timedelta(0),
        ahead=timedelta(days=366),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody yet")
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = workers


class AssignForm(PlainTextForm):
    """The partner-contact worker who carries a referral's outreach (or a task)."""

    worker = forms.ModelChoiceField(
        label=pgettext_lazy("a person", "Partner-contact worker"), queryset=None
    )

    def __init__(self, *args, workers, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].required = required
        self.fields["worker"].empty_label = None if required else _("Nobody yet")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Participant's name or court file number"), required=False)


class HomeFilterForm(forms.Form):
    """The home page's filters, by GET."""

    kind = forms.ChoiceField(
        label=_("Task"), choices=[("", _("Every task")), *TaskKind.choices], required=False
    )
    due = forms.ChoiceField(
        label=_("Due"),
        choices=[
            ("", _("Any time")),
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("upcoming", _("Upcoming")),
        ],
        required=False,
    )
    program = forms.ChoiceField(
        label=_("Program"), choices=[("", _("Both programs")), *Program.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Both languages")), *Language.choices], required=False
    )
