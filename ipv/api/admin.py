"""Platform administrators issue and revoke API tokens. The secret is shown once, on the page
that follows the creation, and kept nowhere."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.api.models import LONGEST_LIFE, ApiToken
from ipv.api.tokens import token_issue, token_revoke


class TokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["kind", "name", "officer", "courts", "scopes", "expires_at"]

    def clean_expires_at(self):
        expires = self.cleaned_data["expires_at"]
        now = timezone.now()
        if expires <= now:
            raise ValidationError(_("Choose a moment in the future."))
        if expires > now + LONGEST_LIFE:
            raise ValidationError(_("A token expires within a year of its creation."))
        return expires

    def clean(self):
        cleaned = super().clean()
        officer, courts = cleaned.get("officer"), cleaned.get("courts")
        if officer is not None and courts is not None:
            theirs = set(officer.liaison.courts.values_list("pk", flat=True))
            if any(court.pk not in theirs for court in courts):
                self.add_error("courts", _("Choose among the officer's own courts."))
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "kind", "officer", "expires_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["name", "prefix", "officer__email"]
    filter_horizontal = ["courts"]
    autocomplete_fields = ["officer"]
    actions = ["revoke"]
    readonly_fields = [
        "kind",
        "name",
        "officer",
        "courts",
        "scopes",
        "prefix",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def lookup_allowed(self, lookup, value, request=None):
        # The hash is never shown: no filter on it either, which would give it away a digit at
        # a time (?secret_hash__startswith=…).
        if lookup.split("__")[0] == "secret_hash":
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the trail names tokens by their prefix

    def save_model(self, request, obj, form, change):
        if not change:
            request._api_secret = token_issue(
                token=obj, by=request.user, courts=form.cleaned_data["courts"]
            )

    def save_related(self, request, form, formsets, change):
        """The courts are set by token_issue; a token never changes afterwards."""

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "token": obj,
            "secret": request._api_secret,
            "opts": self.model._meta,
            "title": _("Copy the token now"),
        }
        return TemplateResponse(request, "admin/api/token_created.html", context)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, by=request.user)
            count += 1
        self.message_user(
            request, _("Tokens revoked: %(count)d.") % {"count": count}, messages.SUCCESS
        )
