"""The project writes select boxes, radio buttons and checkboxes with one template each
(templates/django/forms/widgets/), not a template per option: the markup must stay what the
per-option templates write, whatever the options (groups, a choice made, one disabled, text
to escape)."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.utils import translation

from ipv.core.forms import FormRenderer


def _same(html) -> str:
    """The markup with the layout's whitespace taken out."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", html).strip()


CHOICES = [
    ("", "—"),
    ("a", 'Alpha "one" <b>'),
    ("Groupe", [("b", "Bêta & co"), ("c", "Gamma")]),
    (4, "Quatre"),
]


class Disabling(forms.Select):
    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if option["value"] == "c":
            option["attrs"]["disabled"] = True
        option["attrs"]["data-x"] = "y'z"
        return option


class Choices(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    odd = forms.ChoiceField(choices=CHOICES, required=False, widget=Disabling)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    radio = forms.ChoiceField(choices=CHOICES, required=False, widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


# The per-option way the project wrote radio buttons and checkboxes before.
PER_OPTION = """{% with id=widget.attrs.id %}<div{% if id %} id="{{ id }}"{% endif %}{% if widget.attrs.class %} class="{{ widget.attrs.class }}-group"{% endif %}>{% for group, options, index in widget.optgroups %}{% for option in options %}<div class="form-check">{% include option.template_name with widget=option %}</div>{% endfor %}{% endfor %}</div>{% endwith %}"""  # noqa: E501


def _context(bound):
    attrs = bound.build_widget_attrs({"id": bound.auto_id, "class": "form-select"})
    return bound.field.widget.get_context(bound.html_name, bound.value(), attrs)


@pytest.mark.parametrize(
    "data",
    [{}, {"one": "b", "odd": "a", "many": ["a", "4"], "radio": "4", "boxes": ["b", "c"]}],
)
def test_choices_are_written_as_the_per_option_templates_write_them(data):
    ours, per_option = FormRenderer(), engines["django"].from_string(PER_OPTION)
    with translation.override("fr"):
        form = Choices(data or None)
        form.is_valid()
        for name in ("one", "odd", "many"):
            context = _context(form[name])
            written = ours.render("django/forms/widgets/select.html", context)
            assert _same(written) == _same(
                DjangoTemplates().render("django/forms/widgets/select.html", context)
            )
            assert "<option" in written
        for name in ("radio", "boxes"):
            context = _context(form[name])
            template = form.fields[name].widget.template_name
            written = ours.render(template, context)
            assert _same(written) == _same(per_option.render(context))
            assert 'class="form-check"' in written and "form-check-label" in written
    # The form's own fields are written by the project's templates.
    assert "</option><optgroup" in _same(form["one"].as_widget())
