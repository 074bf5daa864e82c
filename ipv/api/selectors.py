"""What a token reads: the referrals of its courts, in the order they last changed, and their
documents for the court. Never a victim, an intake note, a risk flag or a fee."""

import base64
import binascii
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ipv.core.fields import FIRST_MOMENT, LAST_MOMENT
from referrals.models import Referral
from sessions_app import completion
from sessions_app.models import Certificate, CourtReport

logger = logging.getLogger(__name__)


def token_referrals(*, court_ids: list[int]) -> QuerySet[Referral]:
    """The referrals of these courts, across agencies, oldest change first."""
    return (
        Referral.objects.filter(court_id__in=court_ids)
        .select_related("participant", "court", "agency")
        .order_by("updated_at", "pk")
    )


# How long the lists wait, at most, for a transaction still writing (selectors.settled).
LONGEST_WRITE = timedelta(minutes=10)
# The start of the oldest transaction still writing (the application's own sessions), and how
# far the primary's WAL stands.
OPEN_WRITERS = (
    "SELECT min(xact_start), pg_current_wal_lsn()::text FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
)


@dataclass(frozen=True)
class Settled:
    """What a list may show of the referrals' changes: those made up to `until`, and before
    `open_since` (the start of the oldest transaction still writing, if one is), as the primary
    stood when its WAL was at `lsn`."""

    until: datetime
    open_since: datetime | None
    lsn: str

    def of(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        settled = queryset.filter(updated_at__lte=self.until)
        if self.open_since is not None:
            settled = settled.filter(updated_at__lt=self.open_since)
        return settled


def settled() -> Settled:
    """The changes a court system may read without stepping past one still on its way.

    A change is stamped when it is made (`updated_at`, the web machine's clock) and seen when its
    transaction commits: a list ordered by that stamp, read while a transaction that stamped
    earlier is still open, would give a later change and let the client's cursor or
    `changed_since` step past the earlier one for good. So a list shows the changes made before
    the oldest transaction still writing began (read on the primary: the application's own
    sessions, the ones that change referrals; not one writing for over LONGEST_WRITE), and none
    of the last IPV_API_SETTLING_SECONDS (the clocks' difference, and a stamp's statement, which
    may start a transaction a moment after it)."""
    margin = timedelta(seconds=settings.IPV_API_SETTLING_SECONDS)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(OPEN_WRITERS)
        open_since, lsn = cursor.fetchone()
    if open_since is not None and open_since < timezone.now() - LONGEST_WRITE:
        # Waited for no longer: a session left open in a transaction (a fault) would hold
        # every court system's sync back for as long as it stays open.
        logger.warning("api: a transaction has been writing for over %s", LONGEST_WRITE)
        open_since = None
    return Settled(
        until=timezone.now() - margin,
        open_since=open_since - margin if open_since is not None else None,
        lsn=lsn,
    )


def token_referral_get(*, court_ids: list[int], pk: int) -> Referral:
    """A referral of one of these courts, or 404."""
    referral = token_referrals(court_ids=court_ids).filter(pk=pk).first()
    if referral is None:
        raise Http404
    return referral


def cursor_encode(referral: Referral) -> str:
    raw = f"{referral.updated_at.isoformat()}|{referral.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    """The (changed at, id) a cursor stands for; ValueError when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        at = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("not a cursor") from error
    if at.tzinfo is None or not pk.isdigit() or len(pk) > 18:
        raise ValueError("not a cursor")
    if not FIRST_MOMENT <= at < LAST_MOMENT:
        raise ValueError("not a moment of case data")
    return at, int(pk)


def after_cursor(queryset: QuerySet[Referral], cursor: str) -> QuerySet[Referral]:
    """The rows after the cursor's (changed at, id): a row changed meanwhile moves past it and
    comes again, none is skipped."""
    at, pk = cursor_decode(cursor)
    return queryset.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk))


def with_court_view(referrals: list[Referral]) -> list[Referral]:
    """Each referral with its modules attended (`progress`) and its documents for the court
    (`certificates`, `reports`): four queries for a page, whatever its length."""
    progress = completion.progress_for(referrals=referrals)
    ids = [referral.pk for referral in referrals]
    certificates, reports = {}, {}
    for certificate in Certificate.objects.filter(referral__in=ids, revoked_at__isnull=True):
        certificates.setdefault(certificate.referral_id, []).append(certificate)
    current = CourtReport.objects.filter(referral__in=ids, replaced_by__isnull=True)
    for report in current.order_by("issued_at", "pk"):
        reports.setdefault(report.referral_id, []).append(report)
    for referral in referrals:
        referral.progress = progress[referral.pk]
        referral.certificates = certificates.get(referral.pk, [])
        referral.reports = reports.get(referral.pk, [])
    return referrals


def reason_for_court(referral: Referral) -> str:
    """The reason the agency wrote for the court, as its documents carry it: the notice of
    return's, or the last one a non-compliance report gives. Blank otherwise."""
    for report in reversed(referral.reports):
        if report.kind == CourtReport.Kind.RETURN_NOTICE:
            return report.details.get("reason", "")
        if report.kind == CourtReport.Kind.NON_COMPLIANCE:
            reasons = report.details.get("reasons") or [{}]
            return reasons[-1].get("reason", "")
    return ""
