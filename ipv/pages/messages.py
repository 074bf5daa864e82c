"""The Outgoing messages page: the agency's messages that failed or wait too long, for its
managers to see why and send again. It writes the audit trail (ipv.audit) about the outbox
(ipv.notifications), so it lives above both."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ipv.audit.services import Action, Event, audit_record
from ipv.core.permissions import requires
from ipv.core.tenancy import get_scoped_or_404
from ipv.notifications import selectors
from ipv.notifications.models import OutboxMessage
from ipv.notifications.services import message_retry as retry

PAGE_SIZE = 50
# The late ones are few unless the worker is down; the page shows the longest waiting.
LATE_SHOWN = 50


def _rows(page_messages, *, sees_victims: bool) -> list[dict]:
    return [
        {
            "message": message,
            "recipient": selectors.recipient_shown(message, sees_victims=sees_victims),
            "reason": selectors.failure_reason(message.last_error),
        }
        for message in page_messages
    ]


@requires("messages.manage")
@require_GET
def outgoing_messages(request):
    sees_victims = request.membership.can("victims.view")
    page = Paginator(selectors.failed_messages(agency=request.agency), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    late = selectors.late_messages(agency=request.agency)[:LATE_SHOWN]
    context = {
        "page": page,
        "failed": _rows(page, sees_victims=sees_victims),
        "late": _rows(late, sees_victims=sees_victims),
    }
    return render(request, "notifications/outgoing_messages.html", context)


@requires("messages.manage")
@require_POST
def message_send_again(request, pk):
    message = get_scoped_or_404(
        OutboxMessage.objects.only("pk", "agency_id"), agency=request.agency, pk=pk
    )
    try:
        with transaction.atomic():
            retry(message=message, by=request.user)
            audit_record(
                action=Action.RECORD_CHANGED,
                actor=request.user,
                agency=request.agency,
                target=message,
                label=lambda: f"{capfirst(OutboxMessage._meta.verbose_name)} #{message.pk}",
                details={"event": Event.MESSAGE_RETRIED},
            )
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, _("The message will be sent again in a moment."))
    return redirect("agency:outgoing_messages", agency_slug=request.agency.slug)
