"""The confidential store in the admin: which records exist, never what they say. Reading a
victim's details is for the agency's partner-contact workers, each read audited. The admin's
pages name every agency to the row-level security policies (victims.rls)."""

from django.contrib import admin

from ipv.core.admin import ReadOnlyAdmin
from victims.models import Victim
from victims.rls import every_agency


@admin.register(Victim)
class VictimAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "relationship", "agency", "referral", "created_at"]
    list_filter = ["relationship", "agency"]
    list_select_related = ["agency", "referral"]
    fields = ["agency", "referral", "relationship", "created_by", "created_at"]
    readonly_fields = fields

    def changeform_view(self, *args, **kwargs):
        with every_agency():
            return _rendered(super().changeform_view(*args, **kwargs))

    def changelist_view(self, *args, **kwargs):
        with every_agency():
            return _rendered(super().changelist_view(*args, **kwargs))

    def history_view(self, *args, **kwargs):
        with every_agency():
            return _rendered(super().history_view(*args, **kwargs))


def _rendered(response):
    """The admin answers with a TemplateResponse, rendered later: render it while the rows
    are admitted."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response
