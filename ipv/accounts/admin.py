from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ipv.accounts import services
from ipv.accounts.models import Invitation, LiaisonProfile, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ["agency", "role", "is_active", "created_at", "ended_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "preferred_language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: roles change on the agency's staff page, where each change is audited."""

    list_display = ["user", "agency", "role", "is_active", "created_at", "ended_at"]
    list_filter = ["agency", "role", "is_active"]
    search_fields = ["user__email", "user__full_name", "agency__name_en"]
    list_select_related = ["user", "agency"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LiaisonProfile)
class LiaisonProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__full_name"]
    filter_horizontal = ["courts"]
    autocomplete_fields = ["user"]


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "full_name", "language", "agency", "roles", "courts"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Administrators invite an agency's first manager, or a court liaison officer."""

    list_display = ["email", "agency", "roles", "created_at", "expires_at", "accepted_at"]
    list_filter = ["agency", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "full_name"]
    filter_horizontal = ["courts"]
    readonly_fields = ["invited_by", "created_at", "expires_at", "accepted_at", "accepted_by"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return InvitationAddForm.Meta.fields
        return [*InvitationAddForm.Meta.fields, *self.readonly_fields, "revoked_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                email=data["email"],
                full_name=data["full_name"],
                language=data["language"],
                agency=data["agency"],
                roles=data["roles"],
                courts=list(data["courts"]),
                invited_by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            raise
        obj.pk = invitation.pk

    def save_related(self, request, form, formsets, change):
        """The service has set the courts already."""
