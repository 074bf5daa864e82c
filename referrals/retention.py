"""Retention of the referrals' own records: a participant whose referrals all closed long ago
is de-identified — the rows stay, and count in the figures (statuses, dates, program, stream,
court), but nothing in them, or in their history, names or reaches the person any more.

The caller (ipv.pages.retention) chooses the moment, runs as the database owner (the history
and the timeline are append-only to everyone else) and clears the higher layers' records of
the same referrals first.
"""

from datetime import date, datetime

import pgtrigger
from django.db import transaction
from django.db.models import Exists, JSONField, Max, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ipv.core.history import history_scrub
from referrals.models import (
    CLOSED_STATUSES,
    Intake,
    Participant,
    Referral,
    TimelineEntry,
    Transfer,
)

# What is left of a participant: the birth year, the language, the program's own codes.
PARTICIPANT_BLANK = {
    "legal_name": "",
    "preferred_name": "",
    "pronouns": "",
    "other_languages": "",
    "phone": "",
    "email": "",
    "street_address": "",
    "city": "",
    "postal_code": "",
    "accessibility_needs": "",
    "consent_sms": False,
    "consent_email": False,
}
# The transfer's summary keeps its codes and dates; the name it carried goes.
_NO_NAME = RawSQL('summary || \'{"name": ""}\'::jsonb', [], output_field=JSONField())
REFERRAL_BLANK = {
    "court_file_number": "",
    "charges": "",
    "referrer_name": "",
    "referrer_phone": "",
    "referrer_email": "",
}
INTAKE_BLANK = {"notes": "", "location": ""}
TRANSFER_BLANK = {"reason": "", "decision_note": ""}


def _still_needed(closed_before: datetime) -> Exists:
    """The participant has a referral open, or closed since `closed_before`."""
    return Exists(
        Referral.objects.filter(participant=OuterRef("pk")).filter(
            ~Q(status__in=CLOSED_STATUSES) | Q(status_changed_at__gte=closed_before)
        )
    )


def participants_due(*, agency, closed_before: datetime):
    """The agency's participants not yet de-identified whose referrals are all closed, the
    last of them before `closed_before`. One open referral, or one closed since, keeps them.
    A record merged into another has no referral left: it goes with the person kept (and, if
    that person went before it, on its own)."""
    return (
        Participant.objects.filter(agency=agency, deidentified_at__isnull=True)
        .annotate(last_closed=Max("referrals__status_changed_at"))
        .filter(
            Q(last_closed__lt=closed_before, merged_into__isnull=True)
            | Q(merged_into__deidentified_at__isnull=False)
        )
        .filter(~_still_needed(closed_before))
        .order_by("pk")
    )


@transaction.atomic
def participants_lock_due(*, participant_ids: list[int], closed_before: datetime) -> list[int]:
    """Of `participant_ids`, those still due once locked (a referral opened for them, or moved
    to them by a merge, since they were chosen keeps them), with the records merged into them:
    the ids to clear and de-identify within the caller's transaction."""
    locked = list(
        Participant.objects.select_for_update()
        .filter(Q(pk__in=participant_ids) | Q(merged_into_id__in=participant_ids))
        .filter(deidentified_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "merged_into_id")
    )
    # Asked once the locks are held, in a statement of its own: a statement that waited for a
    # lock judges the other tables as they were before it waited (a merge that held the lock
    # has moved referrals since).
    needed = set(
        Participant.objects.filter(pk__in=[pk for pk, _into in locked])
        .filter(_still_needed(closed_before))
        .values_list("pk", flat=True)
    )
    return [pk for pk, into in locked if pk not in needed and into not in needed]


def _birth_year_only(born: date) -> date:
    return date(born.year, 1, 1)


@transaction.atomic
def participants_deidentify(*, participant_ids: list[int]) -> int:
    """Remove who the participants `participant_ids` are from their records and from the
    history of those records; returns how many were de-identified. Run twice, the second
    finds nothing left to do (the caller selects with `participants_due`)."""
    participants = list(
        Participant.objects.select_for_update()
        .filter(pk__in=participant_ids, deidentified_at__isnull=True)
        .order_by("pk")
    )
    if not participants:
        return 0
    now = timezone.now()
    for participant in participants:
        for field, value in PARTICIPANT_BLANK.items():
            setattr(participant, field, value)
        participant.date_of_birth = _birth_year_only(participant.date_of_birth)
        participant.deidentified_at = now
        participant.save(update_fields=[*PARTICIPANT_BLANK, "date_of_birth", "deidentified_at"])
        history_scrub(
            Participant,
            [participant.pk],
            **PARTICIPANT_BLANK,
            date_of_birth=participant.date_of_birth,
        )
    ids = [participant.pk for participant in participants]
    referral_ids = list(
        Referral.objects.filter(participant_id__in=ids).values_list("pk", flat=True)
    )
    Referral.objects.filter(pk__in=referral_ids).update(**REFERRAL_BLANK)
    history_scrub(Referral, referral_ids, **REFERRAL_BLANK)
    intake_ids = list(
        Intake.objects.filter(referral_id__in=referral_ids).values_list("pk", flat=True)
    )
    Intake.objects.filter(pk__in=intake_ids).update(**INTAKE_BLANK)
    history_scrub(Intake, intake_ids, **INTAKE_BLANK)
    transfer_ids = list(
        Transfer.objects.filter(referral_id__in=referral_ids).values_list("pk", flat=True)
    )
    Transfer.objects.filter(pk__in=transfer_ids).update(**TRANSFER_BLANK, summary=_NO_NAME)
    history_scrub(Transfer, transfer_ids, **TRANSFER_BLANK, summary=_NO_NAME)
    # What workers wrote in the timeline is about the person; the codes and dates stay.
    with pgtrigger.ignore(f"{TimelineEntry._meta.label}:append_only"):
        TimelineEntry.objects.filter(referral_id__in=referral_ids).exclude(reason="").update(
            reason=""
        )
    return len(participants)
