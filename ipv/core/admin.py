"""What every app's admin shares."""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Case records in the admin: for platform administrators to look, not to change. Changes
    go through the agency's pages, where each one is a service with its rules and history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, which re-renders a refused value by looking it up: a value
    that is not even a key ("abc" for a number) made that look-up fail with a server error.
    Such a value is left out of the re-rendered choice, and the field's own error says why."""

    def optgroups(self, name, value, attr=None):
        key = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        kept = []
        for one in value:
            try:
                key.to_python(one)
            except ValidationError:
                continue
            kept.append(one)
        return super().optgroups(name, kept, attr)


class SafeAutocompleteAdmin(admin.ModelAdmin):
    """A model admin whose autocomplete fields re-render any value sent (SafeAutocompleteSelect);
    the admin site mixes it into every admin (ipv.audit.admin_site)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
