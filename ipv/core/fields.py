from datetime import UTC, date, datetime

from django import forms
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core import validators
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from encrypted_fields import fields as encrypted_fields
from encrypted_fields.fields import EncryptedFieldMixin

# The days any date of case data may take, whatever the path that writes it: wide enough for
# every real order, payment or session, narrow enough that every page can show it and count
# weeks from it (year 9999 plus a time zone is year 10000, which Python cannot read back).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
FIRST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
LAST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)


def within_bounds(*fields: str, name: str, moments: bool = False) -> models.CheckConstraint:
    """A database check that each of `fields` (dates, or moments) is empty or between the
    bounds above."""
    low, high = (FIRST_MOMENT, LAST_MOMENT) if moments else (FIRST_DAY, LAST_DAY)
    condition = Q()
    for field in fields:
        inside = Q(**{f"{field}__gte": low}) & (
            Q(**{f"{field}__lt": high}) if moments else Q(**{f"{field}__lte": high})
        )
        condition &= Q(**{f"{field}__isnull": True}) | inside
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message=_("Enter a date from the year 2000 to the year 2099."),
    )


class ChoiceArrayField(ArrayField):
    """An array of choices, edited as a list of checkboxes rather than comma-separated text."""

    def formfield(self, **kwargs):
        return super(ArrayField, self).formfield(
            form_class=forms.TypedMultipleChoiceField,
            choices=self.base_field.choices,
            coerce=self.base_field.to_python,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


class WebsiteField(models.URLField):
    """A web address; typed without a scheme, it is taken to be https://."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class _KeyedEncryption:
    """django-fernet-encrypted-fields, with two changes for the confidential store.

    The key is IPV_FIELD_ENCRYPTION_KEYS (not one derived from SECRET_KEY). And values are
    decrypted once, on their way out of the database: in Python a value is always plain text,
    so there is no shared "already decrypted" flag to race on between threads, and a value
    that does not decrypt (a wrong key) raises instead of showing its ciphertext.
    """

    @cached_property
    def keys(self) -> list[bytes]:
        return [key.encode() for key in settings.IPV_FIELD_ENCRYPTION_KEYS]

    def get_prep_value(self, value):
        # Blank stays blank (the library would store NULL): nothing to hide in an empty value.
        if value in ("", None):
            return value
        return super().get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return self.f.decrypt(value.encode()).decode()

    def to_python(self, value):
        return super(EncryptedFieldMixin, self).to_python(value)

    def clean(self, value, model_instance):
        return super(EncryptedFieldMixin, self).clean(value, model_instance)


class EncryptedCharField(_KeyedEncryption, encrypted_fields.EncryptedCharField):
    pass


class EncryptedTextField(_KeyedEncryption, encrypted_fields.EncryptedTextField):
    @cached_property
    def validators(self):
        # A TextField's max_length only sizes the form's box; here it is a limit full_clean
        # holds, as a CharField's is (a validator, not part of the migrations).
        limit = [validators.MaxLengthValidator(self.max_length)] if self.max_length else []
        return [*super().validators, *limit]


class EncryptedEmailField(_KeyedEncryption, EncryptedFieldMixin, models.EmailField):
    pass
