"""The demo's outbox: a text reminder that could not go (no provider was configured), for the
manager's Outgoing messages page; the sweeps write the rest as the demo's days go by."""

from datetime import timedelta

from django.utils import timezone

from directory.models import Agency
from ipv.notifications.models import Audience, Channel, Kind, OutboxMessage, State
from ipv.pages.demo.outreach import FIRST
from referrals.models import Referral, Status


def load() -> None:
    agency = Agency.objects.get(slug=FIRST)
    referral = (
        Referral.objects.filter(agency=agency, status=Status.ENROLLED)
        .select_related("participant")
        .order_by("pk")
        .first()
    )
    if referral is None or not referral.participant.phone:
        return
    written = timezone.now() - timedelta(hours=3)
    OutboxMessage.objects.get_or_create(
        key=f"participant:{referral.participant_id}:sms:demo:failed",
        defaults={
            "kind": Kind.SESSION_REMINDER,
            "audience": Audience.PARTICIPANT,
            "channel": Channel.SMS,
            "to": str(referral.participant.phone),
            "agency": agency,
            "state": State.FAILED,
            "created_at": written,
            "send_after": written,
            "attempts": 8,
            "last_error": "NoTextProvider",
        },
    )
