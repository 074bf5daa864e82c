from django.contrib import admin

from ipv.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Administrators read the whole trail; nobody edits or deletes it."""

    list_display = ["at", "action", "actor", "subject", "agency", "target_label", "ip"]
    list_filter = ["action", "agency", ("at", admin.DateFieldListFilter)]
    search_fields = ["target_label", "actor__email", "subject__email", "ip", "request_id"]
    list_select_related = ["actor", "subject", "agency"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
