"""`get_FOO_display()` (ipv.core.display) says what Django's own says, for every field with
choices, every value and a value outside them, in both languages."""

from django.apps import apps
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from ipv.core import display


def _django_display(instance, field):
    """Django's own, as written in django.db.models.base.Model._get_FIELD_display."""
    value = getattr(instance, field.attname)
    choices_dict = dict(make_hashable(field.flatchoices))
    return force_str(choices_dict.get(make_hashable(value), value), strings_only=True)


def test_every_choice_of_every_model_is_displayed_as_django_displays_it():
    compared = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            values = [value for value, _label in field.flatchoices] + ["not-a-choice"]
            for value in values:
                instance = model()
                # As loaded: a protected state field takes no assignment.
                instance.__dict__[field.attname] = value
                for language in ("fr", "en"):
                    with translation.override(language):
                        shown = getattr(instance, f"get_{field.name}_display")()
                        assert shown == _django_display(instance, field), (field, value)
                        compared += 1
    assert compared > 500  # the control: the walk met the project's choices


def test_the_display_is_the_one_installed_and_reads_the_readers_language():
    from sessions_app.models import Group

    assert Group.get_weekday_display._partialmethod.func is display._get_FIELD_display
    group = Group(weekday=0)
    with translation.override("fr"):
        french = group.get_weekday_display()
    with translation.override("en"):
        english = group.get_weekday_display()
    assert (french, english) == ("lundi", "Monday")
