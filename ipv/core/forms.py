"""Every form renders with Bootstrap's classes and Django's accessible markup (labels, help
and errors tied to their field with aria-describedby, aria-invalid on errors)."""

from django import forms
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
