from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from directory.models import Agency, Court, Region, SupportService


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_fr", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_en", "name_fr", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["name_en", "city", "region", "has_dv_court_program"]
    list_filter = ["region", "has_dv_court_program"]
    search_fields = ["name_en", "name_fr", "city", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name_en", "city", "region", "programs", "indigenous_led", "published"]
    list_filter = ["published", "region", "indigenous_led", "courts"]
    search_fields = ["name_en", "name_fr", "city", "slug", "email"]
    prepopulated_fields = {"slug": ["name_en"]}
    filter_horizontal = ["courts"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["region"]
    fieldsets = [
        (None, {"fields": ["slug", "name_fr", "name_en", "published"]}),
        (_("Description"), {"fields": ["description_fr", "description_en"]}),
        (
            _("Contact"),
            {
                "fields": [
                    "street_address",
                    "city",
                    "postal_code",
                    "region",
                    "phone",
                    "email",
                    "website",
                ]
            },
        ),
        (
            _("Services"),
            {
                "fields": [
                    "programs",
                    "languages",
                    "indigenous_led",
                    "courts",
                    "accessibility_notes_fr",
                    "accessibility_notes_en",
                ]
            },
        ),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(SupportService)
class SupportServiceAdmin(admin.ModelAdmin):
    list_display = ["name_en", "kind", "city", "region", "open_24h", "published"]
    list_filter = ["kind", "published", "open_24h", "region"]
    search_fields = ["name_en", "name_fr", "city"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["region"]
