"""The partner-contact worker's workspace (/<lang>/a/<agency>/outreach/…): every page reads
the confidential store inside `confidential(agency)` and renders there, and every page that
shows a person's record audits the read first."""

from django.shortcuts import redirect

from victims.models.outreach import CulturalSupport, Service
from victims.models.people import Channel, Weekday


def to_person(request, victim):
    return redirect("agency:outreach_person", agency_slug=request.agency.slug, pk=victim.pk)


def to_referral(request, referral):
    return redirect(
        "agency:outreach_referral", agency_slug=request.agency.slug, referral=referral.pk
    )


def rules_shown(victim) -> dict:
    """The labels of a person's allowed channels and safe days, in the reader's language."""
    return {
        "channels": [Channel(value).label for value in victim.channels],
        "days": [Weekday(value).label for value in sorted(victim.safe_days)],
    }


def with_service_labels(contacts):
    """Each contact with the labels of what was given (services, then cultural supports)."""
    for contact in contacts:
        contact.service_labels = [Service(value).label for value in contact.services] + [
            CulturalSupport(value).label for value in contact.cultural_supports
        ]
    return contacts
