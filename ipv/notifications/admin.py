from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ipv.core.admin import ReadOnlyAdmin
from ipv.notifications.models import Audience, OutboxMessage, State
from ipv.notifications.services import message_retry

# What the list and the filters show: codes and counts, never an address or what a message says
# (those fields are encrypted, and cannot be searched in any case).
LISTED = ["key", "kind", "audience", "channel", "state", "created_at", "attempts", "last_error"]
# What a message says and to whom: never shown for a victim or partner (the confidential store).
CONTENT = ["to", "subject", "body_text", "body_html"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = LISTED
    list_filter = ["state", "channel", "audience", "kind"]
    search_fields = ["key"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*CONTENT)

    def get_fields(self, request, obj=None):
        hidden = {"claim"}
        if obj is None or obj.audience == Audience.VICTIM:
            hidden |= set(CONTENT)
        return [field.name for field in OutboxMessage._meta.fields if field.name not in hidden]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        sent_again = 0
        for message in queryset.filter(state=State.FAILED).only("pk"):
            try:
                message_retry(message=message, by=request.user)
            except ValidationError:  # sent again by someone else meanwhile
                continue
            sent_again += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                sent_again,
            )
            % {"count": sent_again},
            messages.SUCCESS if sent_again else messages.WARNING,
        )
