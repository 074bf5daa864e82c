"""Every form renders with Bootstrap's classes and Django's accessible markup (labels, help
and errors tied to their field with aria-describedby, aria-invalid on errors)."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


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


def posted(request):
    """The form data of a POST (even an empty one: unticked boxes send nothing), else None."""
    return request.POST if request.method == "POST" else None


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: next to the field it names, if the form has that
    field, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


class MoneyField(forms.DecimalField):
    """An amount in dollars, typed the French or the English way: 1 234,50 or 1,234.50 (a
    dollar sign and spaces allowed). Refused: more than two decimals, or a negative amount."""

    default_error_messages = {
        "invalid": _("Enter an amount such as 1 234,50 or 1,234.50."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        # Shown as the page's language writes it (40000,00 on French pages).
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
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
