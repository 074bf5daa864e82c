"""The one flow from outreach to the participant's file: a risk alert that says risk was
reported elevated and nothing else — not who reported it, not what they said."""

from django.utils import timezone

from ipv.audit.models import AuditEvent
from ipv.audit.services import audit_record
from referrals.models import Referral
from victims.models import RiskAlert
from victims.rls import confidential
from victims.services.once import first_send
from victims.services.outreach import check_served_here


def risk_alert_send(*, referral: Referral, by, submission_key=None) -> RiskAlert | None:
    """Tell the case team that elevated risk was reported; audited. Refused on a referral
    transferred out: its case team is at the receiving agency now."""
    with confidential(referral.agency_id):
        check_served_here(referral)
        if not first_send(agency_id=referral.agency_id, by=by, key=submission_key):
            return None  # sent before
        alert = RiskAlert.objects.create(
            agency_id=referral.agency_id, referral=referral, sent_by=by
        )
        audit_record(
            action=AuditEvent.Action.RECORD_CREATED,
            actor=by,
            agency=referral.agency,
            target=alert,
            details={"event": "risk_alert", "referral": referral.pk},
        )
        return alert


def risk_alert_seen(*, alert: RiskAlert, by) -> RiskAlert:
    """The case worker has read the alert (and will contact outreach); audited the first time,
    a second click changes nothing."""
    with confidential(alert.agency_id):
        alert = (
            RiskAlert.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=alert.pk, agency_id=alert.agency_id)
        )
        if alert.seen_at is None:
            alert.seen_by, alert.seen_at = by, timezone.now()
            alert.save(update_fields=["seen_by", "seen_at"])
            audit_record(
                action=AuditEvent.Action.RECORD_CHANGED,
                actor=by,
                agency=alert.agency,
                target=alert,
                details={"event": "risk_alert_seen", "referral": alert.referral_id},
            )
        return alert
