"""Every form renders with Bootstrap's classes and Django's accessible markup (labels, help
and errors tied to their field with aria-describedby, aria-invalid on errors)."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorDict
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ipv.core.fields import FIRST_DAY, FIRST_MOMENT, LAST_DAY, LAST_MOMENT
from ipv.core.i18n import format_money
from ipv.core.validators import hidden_mark


def _css_class(widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class StyledBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if not widget.is_hidden:
            attrs["class"] = f"{attrs.get('class', '')} {_css_class(widget)}".strip()
        return attrs


class FormRenderer(TemplatesSetting):
    """Project templates first (templates/django/forms/…), Bootstrap classes on widgets."""

    bound_field_class = StyledBoundField


class PlainText:
    """Every text typed in the project's forms is plain: see hidden_mark. A field refused for
    another reason keeps that error alone."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not isinstance(value, str) or name in self._errors:
                continue
            problem = hidden_mark(value, multiline=isinstance(field.widget, forms.Textarea))
            if problem is not None:
                self.add_error(name, problem)


class PlainTextForm(PlainText, forms.Form):
    pass


class PlainTextModelForm(PlainText, forms.ModelForm):
    pass


def submission_key(request) -> uuid.UUID | None:
    """The one-time key of a form that records something (a hidden field): the one sent back
    with it, or a new one for a blank form. A sent form without a valid key has none."""
    if request.method != "POST":
        return uuid.uuid4()
    try:
        return uuid.UUID(request.POST.get("submission", ""))
    except ValueError:
        return None


def submission_key_shown(request) -> uuid.UUID:
    """The key a form page carries: the one sent, else a new one (a form sent without a valid
    key is shown again with one, so its next send is recorded once)."""
    return submission_key(request) or uuid.uuid4()


def posted(request):
    """The form data of a POST (even an empty one: unticked boxes send nothing), else None."""
    return request.POST if request.method == "POST" else None


def shown_without_errors(*forms) -> None:
    """Show bound forms (and formsets) again as typed but without their errors: the worker only
    asked for a row more or less, and half-filled sections are not mistakes yet."""
    for form in forms:
        if hasattr(form, "forms"):  # a formset
            shown_without_errors(*form.forms)
            form._errors, form._non_form_errors = [], form.error_class()
        else:
            form._errors = ErrorDict()


def form_page(request, template, context, *forms):
    """Render a form page: 400 when a submitted form was refused, so tests and tools see it."""
    refused = any(_refused(form) for form in forms if form is not None)
    return render(request, template, context, status=400 if refused else 200)


def _refused(form) -> bool:
    if hasattr(form, "total_error_count"):  # a formset
        return form.is_bound and form.total_error_count() > 0
    return bool(form.errors)


# The longest reason a person may give for a change (a status, a fee, a group).
REASON_MAX_LENGTH = 2000


class ReasonForm(PlainTextForm):
    """Why: asked of whoever makes a change that the history keeps with its reason."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the referral's history."),
    )


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: next to the field it names, if the form has that
    field, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


# The most a money column (9 digits, 2 of them cents) holds.
LARGEST_AMOUNT = Decimal("9999999.99")


class _AmountAtMost(validators.MaxValueValidator):
    """The limit said as money in the page's language ($10,000,000.00, 10 000 000,00 $)."""

    message = _("Enter an amount of %(limit_value)s or less.")

    def __call__(self, value):
        if self.compare(self.clean(value), self.limit_value):
            params = {"limit_value": format_money(self.limit_value), "value": value}
            raise ValidationError(self.message, code=self.code, params=params)


class _AmountAtLeast(_AmountAtMost):
    message = _("Enter an amount of %(limit_value)s or more.")
    code = "min_value"

    def compare(self, a, b):
        return a < b


class MoneyField(forms.DecimalField):
    """An amount in dollars, typed the French or the English way: 1 234,50 or 1,234.50 (a
    dollar sign and spaces allowed). Refused: more than two decimals, a negative amount, or
    more than `max_value` (at most what a money column holds), each limit said as money."""

    default_error_messages = {
        "invalid": _("Enter an amount such as 1 234,50 or 1,234.50."),
    }

    def __init__(self, **kwargs):
        # The limit is max_value, said as money: no second message counting digits.
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("max_value", LARGEST_AMOUNT)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        # Shown as the page's language writes it (40000,00 on French pages).
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(
                validator, (validators.MinValueValidator, validators.MaxValueValidator)
            )
        ]
        if self.max_value is not None:
            self.validators.append(_AmountAtMost(self.max_value))
        if self.min_value is not None:
            self.validators.append(_AmountAtLeast(self.min_value))
        self.widget.input_type = "text"
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if isinstance(value, str):
            value = _normalize_amount(value)
        return super().to_python(value)


def _normalize_amount(text: str) -> str:
    """'1 234,50 $' → '1234.50'; '$1,234.50' → '1234.50'; anything unclear stays as it is
    (and is then refused as invalid)."""
    cleaned = re.sub(r"[\s\u00a0\u202f$]", "", text)
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal, ".")
    elif "," in cleaned:
        if re.fullmatch(r"-?[1-9]\d{0,2}(,\d{3})+", cleaned):
            cleaned = cleaned.replace(",", "")  # 1,234: a thousands separator
        elif re.fullmatch(r"-?\d+,\d{1,2}", cleaned):
            cleaned = cleaned.replace(",", ".")  # 12,50: a decimal comma
    return cleaned


class _Bounded:
    """Limits counted from today (or now): at most `past` back and `ahead` forward (a
    timedelta; zero: not after today; None: only the bounds every date of case data keeps). A
    refusal says the limit, written the page's way; a form may say it in its own words with
    `error_messages={"too_early": …, "too_late": …}` (with or without `%(limit)s`)."""

    first = last = None

    def __init__(self, *, past: timedelta | None = None, ahead: timedelta | None = None, **kw):
        self.past, self.ahead = past, ahead
        super().__init__(**kw)

    def limits(self):
        now = self.now()
        earliest = self.first if self.past is None else max(self.first, now - self.past)
        latest = self.last if self.ahead is None else min(self.last, now + self.ahead)
        return earliest, latest

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        earliest, latest = self.limits()
        if value < earliest:
            limit, code = earliest, "too_early"
        elif value > latest:
            limit, code = latest, "too_late"
        else:
            return
        raise ValidationError(
            self.error_messages[code], code=code, params={"limit": self.shown(limit)}
        )


class BoundedDateField(_Bounded, forms.DateField):
    """A day within limits from today (see _Bounded)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "too_early": _("Enter a date from %(limit)s on."),
        "too_late": _("Enter a date up to %(limit)s."),
    }
    first, last = FIRST_DAY, LAST_DAY

    def now(self):
        return timezone.localdate()

    def shown(self, limit) -> str:
        return formats.date_format(limit, "DATE_FORMAT")


class BoundedDateTimeField(_Bounded, forms.DateTimeField):
    """A moment within limits from now (see _Bounded), in the agency's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "too_early": _("Enter a moment from %(limit)s on."),
        "too_late": _("Enter an earlier moment (%(limit)s at the latest)."),
    }
    first, last = FIRST_MOMENT, LAST_MOMENT - timedelta(minutes=1)

    def now(self):
        return timezone.now()

    def shown(self, limit) -> str:
        return formats.date_format(limit, "DATETIME_FORMAT")

    def limits(self):
        # In the agency's time zone, like the value typed: year 9999 never reaches UTC.
        return tuple(timezone.localtime(limit) for limit in super().limits())
