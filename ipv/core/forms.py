"""Form helpers shared by every app."""

from django import forms


def style_widgets(form: forms.BaseForm) -> None:
    """Give each widget the Bootstrap class that matches its kind."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(
            widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
