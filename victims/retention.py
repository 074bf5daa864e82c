"""Retention in the confidential store: a victim's or partner's contact details are destroyed
a set time after their outreach closed. The person's record stays (the figures count outreach
by relationship, consent and outcome); how to reach them, and the safe-contact rules that said
how, go — from the record and from its history.

Outreach that reopens (a new milestone) starts with no contact details: the worker asks again.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from ipv.core.history import history_scrub
from victims.models import Victim
from victims.models.people import OutreachState
from victims.rls import confidential

CONTACT_BLANK = {
    "phone": "",
    "email": "",
    "address": "",
    "code_word": "",
    "safe_contact_notes": "",
    "channels": [],
    "safe_from": None,
    "safe_until": None,
}
# Blank stays blank in the database (ipv.core.fields): what is left to destroy shows in SQL.
_ANYTHING_LEFT = (
    ~Q(phone="")
    | ~Q(email="")
    | ~Q(address="")
    | ~Q(code_word="")
    | ~Q(safe_contact_notes="")
    | ~Q(channels=[])
    | Q(safe_from__isnull=False)
)


def contacts_destroy(*, agency, closed_before: datetime, dry_run: bool = False) -> int:
    """Destroy the contact details of the agency's people whose outreach closed before
    `closed_before`; returns how many people's details were destroyed (with `dry_run`, would
    be). Run twice, the second finds nothing left."""
    with confidential(agency):
        due = Victim.objects.filter(
            agency=agency, outreach=OutreachState.CLOSED, closed_at__lt=closed_before
        ).filter(_ANYTHING_LEFT)
        if dry_run:
            return due.count()
        with transaction.atomic():
            # Locked as chosen: an outreach reopened meanwhile is waited for, then left alone.
            ids = list(due.select_for_update().order_by("pk").values_list("pk", flat=True))
            Victim.objects.filter(pk__in=ids).update(**CONTACT_BLANK)
            history_scrub(Victim, ids, **CONTACT_BLANK)
    return len(ids)
