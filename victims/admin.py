"""The confidential store in the admin: which records exist, never what they say. Reading a
victim's details is for the agency's partner-contact workers, each read audited."""

from django.contrib import admin

from ipv.core.admin import ReadOnlyAdmin
from victims.models import Victim


@admin.register(Victim)
class VictimAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "relationship", "agency", "referral", "created_at"]
    list_filter = ["relationship", "agency"]
    list_select_related = ["agency", "referral"]
    fields = ["agency", "referral", "relationship", "created_by", "created_at"]
    readonly_fields = fields
