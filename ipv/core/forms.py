"""Every form renders with Bootstrap's classes and Django's accessible markup (labels, help
and errors tied to their field with aria-describedby, aria-invalid on errors)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


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
