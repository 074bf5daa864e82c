from datetime import UTC, date, datetime

from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core import validators
from django.db import models
from django.db.models import Q
from django.db.models.query_utils import DeferredAttribute
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


class Decrypted(str):
    """Plain text read from an encrypted column, holding the ciphertext it was read from.

    Saved again with the same words, it is written as that same ciphertext: a new encryption
    of unchanged words never matches the old one (Fernet tokens are randomised), and the row
    history tells which confidential fields a change touched by comparing the columns."""

    token: str

    @classmethod
    def read(cls, text: str, token: str) -> "Decrypted":
        value = cls(text)
        value.token = token
        return value


class _KeepsCiphertext(DeferredAttribute):
    """Setting a field to the words it already holds keeps what was read (and its ciphertext);
    a value read from another row is taken as plain words, encrypted afresh."""

    def __set__(self, instance, value):
        data = instance.__dict__
        name = self.field.attname
        if name in data:
            kept = data[name]
            if isinstance(kept, Decrypted) and value == kept:
                return
            if isinstance(value, Decrypted):
                value = str(value)
        data[name] = value


class _KeyedEncryption:
    """django-fernet-encrypted-fields, with three changes for the confidential store.

    The keys are IPV_FIELD_ENCRYPTION_KEYS (not derived from SECRET_KEY): the first encrypts,
    each decrypts. Values are decrypted once, on their way out of the database: in Python a
    value is always plain text, so there is no shared "already decrypted" flag to race on
    between threads, and a value that does not decrypt (a wrong key) raises instead of
    showing its ciphertext. And unchanged words keep their ciphertext (`Decrypted`).
    """

    descriptor_class = _KeepsCiphertext

    @cached_property
    def keys(self) -> list[bytes]:
        return [key.encode() for key in settings.IPV_FIELD_ENCRYPTION_KEYS]

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        # A new row never shares a ciphertext with another (a copy made on a transfer).
        return str(value) if add and isinstance(value, Decrypted) else value

    @cached_property
    def first_key(self) -> Fernet:
        return Fernet(self.keys[0])

    def get_prep_value(self, value):
        if isinstance(value, Decrypted) and self._under_first_key(value.token):
            return value.token
        # Blank stays blank (the library would store NULL): nothing to hide in an empty value.
        if value in ("", None):
            return value
        return super().get_prep_value(value)

    def _under_first_key(self, token: str) -> bool:
        # Read before a rotation wrote it again: the words are encrypted afresh, never
        # written back under a key about to be removed.
        try:
            self.first_key.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return Decrypted.read(self.f.decrypt(value.encode()).decode(), value)

    def to_python(self, value):
        return super(EncryptedFieldMixin, self).to_python(value)

    def clean(self, value, model_instance):
        return super(EncryptedFieldMixin, self).clean(value, model_instance)


def encrypted_fields_of(model) -> list[models.Field]:
    """The columns of `model` that hold ciphertext."""
    return [f for f in model._meta.concrete_fields if isinstance(f, _KeyedEncryption)]


def forget_keys() -> None:
    """Read IPV_FIELD_ENCRYPTION_KEYS again (each field caches its keys on first use)."""
    for model in apps.get_models():
        for field in encrypted_fields_of(model):
            field.__dict__.pop("keys", None)
            field.__dict__.pop("f", None)
            field.__dict__.pop("first_key", None)


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
