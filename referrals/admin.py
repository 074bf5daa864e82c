"""Case records in the admin: for platform administrators to look, not to change. Changes go
through the agency's pages, where each one is a service with its rules and its history."""

from django.contrib import admin

from ipv.core.admin import ReadOnlyAdmin
from referrals.models import (
    Consent,
    Intake,
    Participant,
    PossibleDuplicate,
    Referral,
    TimelineEntry,
    Transfer,
)


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    fields = ["at", "kind", "from_status", "to_status", "by", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["number", "participant", "agency", "court", "status", "received_on"]
    list_filter = ["status", "program", "stream", "via", "agency", "court"]
    search_fields = ["court_file_number", "participant__legal_name", "participant__preferred_name"]
    list_select_related = ["participant", "agency", "court"]
    date_hierarchy = "received_on"
    exclude = ["participant_names", "search_document"]
    inlines = [TimelineInline]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "preferred_name", "date_of_birth", "agency", "language"]
    list_filter = ["agency", "language", "interpreter_needed", "indigenous_identity"]
    search_fields = ["legal_name", "preferred_name", "email"]
    list_select_related = ["agency"]
    exclude = ["search_text"]


@admin.register(Intake)
class IntakeAdmin(ReadOnlyAdmin):
    list_display = ["referral", "agency", "scheduled_at", "mode", "eligibility", "completed_at"]
    list_filter = ["agency", "mode", "eligibility"]
    search_fields = ["referral__court_file_number", "referral__participant__legal_name"]
    list_select_related = ["referral", "agency"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["participant", "kind", "signed_on", "withdrawn_on", "agency"]
    list_filter = ["kind", "agency"]
    search_fields = ["participant__legal_name"]
    list_select_related = ["participant", "agency"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["referral", "agency", "to_agency", "status", "requested_at", "decided_at"]
    list_filter = ["status", "agency", "to_agency"]
    search_fields = ["referral__court_file_number", "referral__participant__legal_name"]
    list_select_related = ["referral", "agency", "to_agency"]


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(ReadOnlyAdmin):
    list_display = ["participant", "existing", "name_similarity", "same_birth_date", "resolution"]
    list_filter = ["resolution", "same_birth_date", "agency"]
    search_fields = ["participant__legal_name", "existing__legal_name"]
    list_select_related = ["participant", "existing"]
