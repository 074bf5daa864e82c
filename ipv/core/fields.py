from django import forms
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.functional import cached_property
from encrypted_fields import fields as encrypted_fields
from encrypted_fields.fields import EncryptedFieldMixin


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
    pass


class EncryptedEmailField(_KeyedEncryption, EncryptedFieldMixin, models.EmailField):
    pass
