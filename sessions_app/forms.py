from datetime import timedelta
from functools import partial

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from directory.models import Program
from ipv.accounts.models import Role, User
from ipv.core.forms import BoundedDateField, PlainTextForm, PlainTextModelForm, ReasonForm
from referrals.forms import DATE
from sessions_app.models import LONGEST_SESSION, MODULE_COUNT, Attendance, Group, Module
from sessions_app.services.groups import AHEAD, TOO_FAR

# A day from today to a year ahead, each refusal in the program's words.
DAY_TO_COME = partial(
    BoundedDateField,
    past=timedelta(0),
    ahead=AHEAD,
    error_messages={"too_early": _("Choose today or a day to come."), "too_late": TOO_FAR},
)

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _facilitators(agency):
    return User.objects.filter(
        memberships__agency=agency, memberships__role=Role.FACILITATOR, memberships__is_active=True
    ).order_by("full_name")


class GroupForm(PlainTextModelForm):
    class Meta:
        model = Group
        fields = [
            "name",
            "program",
            "language",
            "format",
            "facilitators",
            "weekday",
            "start_time",
            "duration_minutes",
            "start_date",
            "capacity",
            "location",
            "video_link",
        ]
        widgets = {
            "start_time": TIME,
            "start_date": DATE,
            "facilitators": forms.CheckboxSelectMultiple,
            "format": forms.RadioSelect,
        }
        field_classes = {"start_date": DAY_TO_COME}
        help_texts = {
            "start_date": _("The first session: the first such weekday from this date."),
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = _facilitators(agency)
        self.fields["facilitators"].required = False
        self.fields["program"].choices = [
            choice for choice in Program.choices if choice[0] in agency.programs
        ]


class GroupEditForm(PlainTextModelForm):
    """What can change in a running group; its day, time and start stay (they made its
    schedule: open another group for another time)."""

    class Meta:
        model = Group
        fields = ["name", "facilitators", "capacity", "location", "video_link", "is_active"]
        widgets = {"facilitators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = _facilitators(agency)
        self.fields["facilitators"].required = False


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, group):
        return _("%(name)s — %(day)s %(time)s, %(free)s of %(places)s places free") % {
            "name": group.name,
            "day": group.get_weekday_display(),
            "time": group.start_time.strftime("%H:%M"),
            "free": max(group.capacity - group.enrolled, 0),
            "places": group.capacity,
        }


class EnrolForm(PlainTextForm):
    group = GroupChoiceField(label=_("Group"), queryset=Group.objects.none(), empty_label="—")
    start_date = DAY_TO_COME(label=_("Starts on"))

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class MoveGroupForm(EnrolForm):
    reason = ReasonForm.base_fields["reason"]


class SessionMoveForm(PlainTextForm):
    date = DAY_TO_COME(label=_("New date"))
    start_time = forms.TimeField(label=_("New time"), widget=TIME)
    reason = ReasonForm.base_fields["reason"]


class MakeupSearchForm(PlainTextForm):
    q = forms.CharField(
        label=_("Name or court file number"),
        min_length=3,
        max_length=100,
        help_text=_("Someone enrolled in another group of the same program."),
    )


class MakeupChoiceForm(PlainTextForm):
    referral = forms.ModelChoiceField(
        label=_("Who came?"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = candidates
        self.fields["referral"].label_from_instance = lambda referral: (
            f"{referral.participant.display_name} — {referral.home_group}"
        )


class ModuleForm(PlainTextModelForm):
    class Meta:
        model = Module
        fields = ["title_fr", "title_en", "description_fr", "description_en"]
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 2}),
            "description_en": forms.Textarea(attrs={"rows": 2}),
        }


ModuleFormSet = forms.modelformset_factory(
    Module,
    form=ModuleForm,
    extra=0,
    min_num=MODULE_COUNT,
    max_num=MODULE_COUNT,
    validate_min=True,
    validate_max=True,
    can_delete=False,
)


class RevokeForm(ReasonForm):
    pass


class ReportConfirmForm(PlainTextForm):
    """The confirmation of a preview: what it showed, to issue exactly that."""

    previewed = forms.CharField(widget=forms.HiddenInput, max_length=64)


class VerifyForm(forms.Form):
    # A look-up, not a record: whatever is typed is simply a code that no certificate has.
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("Printed under the QR code, like 7KQF-3XWM-PA9C."),
    )


class RosterRowForm(PlainTextForm):
    """One person's line on the roster. Its fields are prefixed with the referral's id."""

    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=Attendance.Status.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    minutes_late = forms.IntegerField(
        label=_("Minutes late"),
        min_value=1,
        max_value=LONGEST_SESSION,
        required=False,
        error_messages={
            "max_value": _("At most %(limit_value)s minutes: no session lasts longer."),
        },
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, referral, **kwargs):
        self.referral = referral
        super().__init__(*args, prefix=f"r{referral.pk}", **kwargs)

    def fields_html(self) -> dict | None:
        """The line's three fields, written as the form templates write them (the status's
        radio buttons as {{ row.status }}, the others as as_field_group; see
        templates/django/forms/), straight from Python: a roster of twenty rendered widget by
        widget through the templates spent most of its time there. None when the line has
        errors: the templates then say them, with aria-invalid and aria-describedby."""
        if self.is_bound and self.errors:
            return None
        status = self["status"]
        chosen = status.value()
        options = [
            format_html(
                '<div class="form-check"><input type="radio" name="{}" value="{}" '
                'class="form-check-input" id="{}_{}"{}>'
                '<label class="form-check-label" for="{}_{}">{}</label></div>',
                status.html_name,
                value,
                status.auto_id,
                index,
                mark_safe(" checked") if str(value) == str(chosen) else "",
                status.auto_id,
                index,
                label,
            )
            for index, (value, label) in enumerate(self.fields["status"].choices)
        ]
        return {
            "status": format_html(
                '<div id="{}" class="form-check-input-group">{}</div>',
                status.auto_id,
                mark_safe("".join(options)),  # noqa: S308 (each made by format_html)
            ),
            "minutes_late": self._group(
                "minutes_late", "number", f'min="1" max="{LONGEST_SESSION}"'
            ),
            "note": self._group("note", "text", 'maxlength="500"'),
        }

    def _group(self, name, kind, attributes):
        field = self[name]
        value = field.value()
        shown = format_html(' value="{}"', value) if value not in (None, "") else ""
        return format_html(
            '<div class="mb-3"><label class="form-label" for="{}">{}</label>'
            '<input type="{}" name="{}"{} {} class="form-control" id="{}"></div>',
            field.auto_id,
            field.label,
            kind,
            field.html_name,
            shown,
            mark_safe(attributes),  # noqa: S308 (fixed text)
            field.auto_id,
        )

    def clean(self):
        cleaned = super().clean()
        late = cleaned.get("status") == Attendance.Status.LATE
        if late and not cleaned.get("minutes_late") and "minutes_late" not in self.errors:
            self.add_error("minutes_late", _("Say how many minutes late."))
        return cleaned
