"""Reminders of a fee instalment coming due: three days ahead (agency-local dates), to the
participant who still owes some of it, through the channels they agreed to, within the
agency's quiet hours; once per instalment (its key)."""

from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from fees.models import FeeAccount, FeeProposal, Instalment
from ipv.core.beat import single_run
from ipv.notifications.models import Kind
from ipv.notifications.services import messages_write, within_hours
from referrals.models import OPEN_STATUSES
from referrals.services.consent import StopLinks, participant_drafts

DAYS_AHEAD = 3


def instalment_owed(account: FeeAccount, plan: list[Instalment]):
    """The instalment due on the account's next due date and what is still owed of it (what
    was paid since the plan covers its first instalments), or (None, None)."""
    covered = sum((instalment.amount for instalment in plan), 0) - account.balance
    due = 0
    for instalment in plan:
        due += instalment.amount
        if instalment.due_on == account.next_due_on:
            return instalment, min(instalment.amount, due - covered)
    return None, None


def fee_reminders_prepare(*, now=None) -> int:
    """Write the reminders of the instalments due in DAYS_AHEAD days; returns how many were new."""
    now = now or timezone.now()
    due_on = timezone.localdate(now) + timedelta(days=DAYS_AHEAD)
    with single_run("fee-reminders") as mine:
        if not mine:
            return 0
        agreed = FeeProposal.objects.filter(status=FeeProposal.Status.AGREED).prefetch_related(
            Prefetch("instalments", queryset=Instalment.objects.order_by("due_on"))
        )
        accounts = (
            FeeAccount.objects.filter(
                next_due_on=due_on, balance__gt=0, referral__status__in=OPEN_STATUSES
            )
            .select_related("agency", "referral__participant")
            .prefetch_related(Prefetch("referral__fee_proposals", queryset=agreed))
            .order_by("pk")
        )
        stop_links = StopLinks()
        drafts = []
        for account in accounts:
            proposals = list(account.referral.fee_proposals.all())
            if not proposals:
                continue
            instalment, owed = instalment_owed(account, list(proposals[0].instalments.all()))
            if instalment is None or owed <= 0:
                continue
            agency, participant = account.agency, account.referral.participant
            start, end = agency.quiet_hours_start, agency.quiet_hours_end
            drafts += participant_drafts(
                participant,
                what=f"fee_due:{instalment.pk}",
                template="fee_due",
                context={"amount": owed, "due_on": instalment.due_on, "agency": agency},
                stop_links=stop_links,
                kind=Kind.FEE_DUE,
                agency=agency,
                send_after=within_hours(now, start, end),
                expires_at=timezone.make_aware(datetime.combine(instalment.due_on, end)),
            )
        return messages_write(drafts, now=now, skip_refused=True)
