"""The participant's agreement to reminders: the link in every email that stops them, and
what a change of agreement does to the messages already written."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from ipv.notifications.models import Audience, Channel
from ipv.notifications.services import Draft, messages_cancel
from ipv.notifications.texts import canadian_mobile_number
from referrals import reasons
from referrals.models import OPEN_STATUSES, EventKind, Participant
from referrals.reasons import Reason
from referrals.services.referrals import event_record

# A stop link names one participant and one channel; signed so it cannot be changed into
# another person's. It does not expire: a reminder read months later still works.
STOP_SALT = "referrals.reminders.stop"
CHANNELS = ("email", "sms")
# Where a token goes in the link, once per language (a link per message costs a reverse()).
_MARK = "TOKEN-MARK"


def stop_token(participant_id: int, channel: str = "email") -> str:
    return signing.dumps({"p": participant_id, "c": channel}, salt=STOP_SALT, compress=False)


def stop_token_read(token: str) -> tuple[int, str] | None:
    """(participant id, channel) of a genuine token, or None."""
    try:
        value = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("c") not in CHANNELS:
        return None
    if not isinstance(value.get("p"), int):
        return None
    return value["p"], value["c"]


class StopLinks:
    """The stop link of each participant's emails, in the participant's language."""

    def __init__(self):
        self._patterns = {}

    def __call__(self, participant_id: int, language: str) -> str:
        if language not in self._patterns:
            with translation.override(language):
                path = reverse("reminders_stop", kwargs={"token": _MARK})
            self._patterns[language] = settings.IPV_BASE_URL + path
        return self._patterns[language].replace(_MARK, stop_token(participant_id))


def participant_drafts(
    person,
    *,
    what: str,
    template: str,
    context: dict,
    stop_links: StopLinks,
    email_context: dict | None = None,
    mobile=canadian_mobile_number,
    **common,
) -> list[Draft]:
    """One message to a participant, as a draft per channel they agreed to: the email (with
    its stop link, and `email_context` beside the shared `context`) and the text to a mobile
    number. `person` is a Participant, or plain values with the same names (pk, language,
    email, phone, consent_email, consent_sms). Keys: participant:{pk}:{channel}:{what}."""
    drafts = []
    shared = {"template": template, "language": person.language, **common}
    shared.setdefault("audience", Audience.PARTICIPANT)
    if person.consent_email and person.email:
        drafts.append(
            Draft(
                key=f"participant:{person.pk}:{Channel.EMAIL}:{what}",
                channel=Channel.EMAIL,
                to=person.email,
                context={**context, **email_context} if email_context else context,
                personal={"stop_url": stop_links(person.pk, person.language)},
                **shared,
            )
        )
    if person.consent_sms and person.phone and mobile(str(person.phone)):
        drafts.append(
            Draft(
                key=f"participant:{person.pk}:{Channel.SMS}:{what}",
                channel=Channel.SMS,
                to=str(person.phone),
                context=context,
                **shared,
            )
        )
    return drafts


def pending_cancel(*, participant_id: int, channel: str, reason: str) -> int:
    """Cancel the messages to the participant on `channel` not yet sent."""
    return messages_cancel(key_prefix=f"participant:{participant_id}:{channel}:", reason=reason)


@transaction.atomic
def email_reminders_stop(*, participant_id: int) -> bool:
    """The participant followed the link in a reminder: no more emails, the pending ones
    cancelled, and the change on the timeline of each open referral. False when nothing was
    left to stop."""
    participant = Participant.objects.select_for_update().filter(pk=participant_id).first()
    if participant is None:
        return False
    pending_cancel(participant_id=participant.pk, channel="email", reason="consent withdrawn")
    if not participant.consent_email:
        return False
    participant.consent_email = False
    participant.save(update_fields=["consent_email", "updated_at"])
    for referral in participant.referrals.filter(status__in=OPEN_STATUSES):
        event_record(
            referral,
            EventKind.EDITED,
            by=None,
            reason=Reason(reasons.EMAIL_REMINDERS_STOPPED),
            fields=["consent_email"],
        )
    return True
