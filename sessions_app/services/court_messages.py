"""Telling the court a document is ready: each court liaison officer who follows the referral's
court and asked for it gets an email in the transaction that issues the document (the others get
it in their daily digest, ipv.pages.digests, or not at all). The email says which court file and
which document, and links to the portal's page where it is downloaded; never the participant's
name, nor anything of the victims, the fees or the notes."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from ipv.accounts.models import LiaisonProfile
from ipv.accounts.services import notifications_url
from ipv.notifications.models import Audience, Channel, Kind, OutboxMessage, State
from ipv.notifications.services import Draft, messages_write
from sessions_app.models import Certificate


def document_ref(document) -> str:
    """Names a document in message keys: certificates and reports are numbered apart."""
    return f"{document._meta.model_name}-{document.pk}"


def document_kind(document) -> str:
    """The document's kind as a code, which the email words in the reader's language."""
    return "certificate" if isinstance(document, Certificate) else document.kind


def portal_url(document, language: str) -> str:
    """The court portal's page of the referral, at its list of documents."""
    with translation.override(language):
        path = reverse("court:referral", kwargs={"pk": document.referral_id})
    return f"{settings.IPV_BASE_URL}{path}#documents-heading"


def document_line(document, language: str) -> dict:
    """What an email says of one document, in `language`: plain values only."""
    referral = document.referral
    with translation.override(language):
        return {
            "court_file_number": referral.court_file_number,
            "kind": document_kind(document),
            "court": str(referral.court.name),
            "agency": str(referral.agency.name),
            "issued_at": timezone.localtime(document.issued_at),
            "url": portal_url(document, language),
        }


def court_document_announce(document) -> int:
    """Write the email of each officer of the document's court who wants one at once. Called
    inside the transaction that issues the document: both are kept, or neither."""
    referral = document.referral
    officers = LiaisonProfile.objects.filter(
        courts=referral.court_id,
        court_messages=LiaisonProfile.CourtMessages.IMMEDIATE,
        user__is_active=True,
    ).select_related("user")
    drafts = []
    for profile in officers:
        user = profile.user
        language = user.preferred_language
        drafts.append(
            Draft(
                key=f"court:{user.pk}:document:{document_ref(document)}",
                channel=Channel.EMAIL,
                to=user.email,
                template="court_document",
                context={
                    "recipient": user.get_short_name(),
                    "preferences_url": notifications_url(language),
                    **document_line(document, language),
                },
                language=language,
                kind=Kind.COURT_DOCUMENT,
                audience=Audience.COURT,
                agency=referral.agency,
                # A court file number names a case: the body goes once it has left.
                sensitive=True,
            )
        )
    return messages_write(drafts)


def court_document_withdraw(document, *, reason: str) -> int:
    """Cancel the emails about a document not yet sent (revoked, or replaced by a new one)."""
    # Every officer's key, those who since left the court included (read by the unique index).
    officers = LiaisonProfile.objects.values_list("user_id", flat=True)
    keys = [f"court:{user_id}:document:{document_ref(document)}" for user_id in officers]
    return OutboxMessage.objects.filter(state=State.PENDING, key__in=keys).update(
        state=State.CANCELLED, last_error=reason[:300], to="", body_text="", body_html=""
    )
