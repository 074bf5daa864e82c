from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from ipv.core.validators import validate_name
from victims.models import Relationship

MAX_NAMED_PEOPLE = 10


class NamedPersonForm(forms.Form):
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


NamedPeopleFormSet = forms.formset_factory(
    NamedPersonForm, extra=2, max_num=MAX_NAMED_PEOPLE, validate_max=True
)


def named_people(formset) -> list[dict]:
    """The filled rows of a valid formset (blank rows are left out)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
