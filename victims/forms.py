from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from ipv.core.forms import PlainTextForm
from ipv.core.validators import validate_name
from victims.models import Relationship


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
