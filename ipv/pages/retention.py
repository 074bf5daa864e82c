"""Retention: what the agencies keep no longer than they need, applied once a day.

Each rule lives in the app that owns its records; this module, above them all, says when each
applies (the agency's period in its Settings, else the province's default in settings) and
writes one audit event per agency and rule, with a count and never a name. It runs as the
database owner: the history and the timeline are append-only to the application role.

- A participant whose referrals all closed more than N years ago is de-identified
  (referrals.retention, with the fees' and the attendance's written notes: fees.retention,
  sessions_app.retention; the keys a court system sent them under are deleted: ipv.api): the
  rows stay and count in the figures.
- A victim's or partner's contact details are destroyed N months after their outreach closed
  (victims.retention).
- An outgoing message done with loses its address and text after N days
  (ipv.notifications.retention).
- Prepared exports past their day, and expired sign-in sessions, are deleted.
"""

import calendar
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from directory.models import Agency
from fees.retention import fee_texts_clear
from ipv.api.services import idempotency_keys_forget
from ipv.audit.services import Action, Event, audit_record
from ipv.core.beat import single_run
from ipv.core.roles import as_owner
from ipv.figures.models import Export
from ipv.notifications.retention import messages_empty
from referrals.models import Referral
from referrals.retention import (
    participants_deidentify,
    participants_due,
    participants_lock_due,
)
from sessions_app.retention import attendance_notes_clear, documents_deidentify
from victims.retention import contacts_destroy

logger = logging.getLogger(__name__)

LOCK = "apply-retention"
# Participants de-identified per statement batch: a few hundred keeps each batch's locks short.
BATCH = 200


def _months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the month's last day when it has fewer)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def periods(agency) -> dict[str, int]:
    """The agency's retention periods: its own choice, else the province's default."""
    return {
        "referral_years": agency.retain_closed_referral_years
        or settings.IPV_RETAIN_CLOSED_REFERRAL_YEARS,
        "contact_months": agency.retain_victim_contact_months
        or settings.IPV_RETAIN_VICTIM_CONTACT_MONTHS,
        "outbox_days": agency.retain_outbox_days or settings.IPV_RETAIN_OUTBOX_DAYS,
    }


@dataclass
class Report:
    """What a run did (or, dry, would do): counts per agency (None: no agency) and rule."""

    counts: dict[tuple[int | None, str], int] = field(default_factory=dict)

    def add(self, agency, event: str, count: int) -> None:
        if count:
            key = (getattr(agency, "pk", None), event)
            self.counts[key] = self.counts.get(key, 0) + count

    def total(self, event: str) -> int:
        return sum(count for (_agency, name), count in self.counts.items() if name == event)


def _deidentify(agency, closed_before: datetime, dry_run: bool) -> int:
    due = participants_due(agency=agency, closed_before=closed_before)
    if dry_run:
        return due.count()
    done = 0
    while batch := list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            # Locked and chosen again: a referral opened since keeps its person whole.
            ids = participants_lock_due(participant_ids=batch, closed_before=closed_before)
            # The higher layers' records of the same referrals first, then the referrals'.
            referral_ids = list(
                Referral.objects.filter(participant_id__in=ids).values_list("pk", flat=True)
            )
            fee_texts_clear(referral_ids=referral_ids)
            attendance_notes_clear(referral_ids=referral_ids)
            documents_deidentify(referral_ids=referral_ids)
            idempotency_keys_forget(referral_ids=referral_ids)
            count = participants_deidentify(participant_ids=ids)
        if not count:
            break
        done += count
    return done


def _agency_rules(agency, now: datetime, report: Report, dry_run: bool) -> None:
    chosen = periods(agency)
    closed_before = _months_before(now, 12 * chosen["referral_years"])
    report.add(agency, Event.REFERRALS_DEIDENTIFIED, _deidentify(agency, closed_before, dry_run))
    report.add(
        agency,
        Event.CONTACTS_DESTROYED,
        contacts_destroy(
            agency=agency,
            closed_before=_months_before(now, chosen["contact_months"]),
            dry_run=dry_run,
        ),
    )
    report.add(
        agency,
        Event.MESSAGES_EMPTIED,
        messages_empty(
            agency=agency,
            written_before=now - timedelta(days=chosen["outbox_days"]),
            dry_run=dry_run,
        ),
    )


def _expired(report: Report, now: datetime, dry_run: bool) -> None:
    """Exports past their day, per agency, and sign-in sessions past their end."""
    exports = Export.objects.filter(expires_at__lte=now)
    for agency_id in exports.values_list("agency_id", flat=True).distinct():
        of_agency = exports.filter(agency_id=agency_id)
        count = of_agency.count() if dry_run else of_agency.delete()[1].get(Export._meta.label, 0)
        report.add(Agency(pk=agency_id) if agency_id else None, Event.EXPORTS_REMOVED, count)
    sessions = Session.objects.filter(expire_date__lt=now)
    count = sessions.count() if dry_run else sessions.delete()[0]
    report.add(None, Event.SESSIONS_REMOVED, count)


def _audit(report: Report) -> None:
    for (agency_id, event), count in sorted(report.counts.items(), key=str):
        audit_record(
            action=Action.RETENTION_APPLIED,
            agency=Agency(pk=agency_id) if agency_id else None,
            details={"event": event, "count": count},
        )


def retention_apply(*, now: datetime | None = None, dry_run: bool = False) -> Report | None:
    """Apply every rule to every agency, as the database owner; None when another run holds
    the lock. Idempotent: a second run finds nothing left and writes no event."""
    now = now or timezone.now()
    report = Report()
    with as_owner(), single_run(LOCK) as held:
        if not held:
            return None
        for agency in Agency.objects.order_by("pk"):
            _agency_rules(agency, now, report, dry_run)
        # The messages of no agency (accounts' own) keep the province's period.
        report.add(
            None,
            Event.MESSAGES_EMPTIED,
            messages_empty(
                agency=None,
                written_before=now - timedelta(days=settings.IPV_RETAIN_OUTBOX_DAYS),
                dry_run=dry_run,
            ),
        )
        _expired(report, now, dry_run)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _audit(report)
    logger.info(
        "retention: %s",
        {event: report.total(event) for event in Event.values if report.total(event)},
    )
    return report
