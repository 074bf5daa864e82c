"""`get_FOO_display()` without translating every choice on every call.

Django builds the value → label dictionary anew on each call, and building it hashes each label:
a lazy label is translated to be hashed. A list of 200 groups showing weekday, program and
language translated some 12,000 labels for 600 look-ups, a sixth of the page's time. The
dictionary here is built once per field, keyed by the values only; the label found is then
translated once, in the reader's language, exactly as Django's own does.
"""

from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _labels(field) -> dict | None:
    """The field's labels by value, kept on the field when its choices are fixed (a list),
    else None. On the field itself: a field made for a migration goes with its own."""
    found = field.__dict__.get("_labels_by_value")
    if found is None and isinstance(field.choices, (list, tuple)):
        found = field.__dict__["_labels_by_value"] = {
            make_hashable(value): label for value, label in field.flatchoices
        }
    return found


def _get_FIELD_display(self, field):  # Django's own name
    labels = _labels(field)
    if labels is None:  # choices given by a callable: as Django does, every time
        labels = dict(make_hashable(field.flatchoices))
    value = getattr(self, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


def install() -> None:
    Model._get_FIELD_display = _get_FIELD_display
