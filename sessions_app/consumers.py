"""What the completion engine does with the participants' milestones (read with its own
cursor, see referrals.services.milestones)."""

from referrals.models import Milestone
from referrals.services.milestones import Consumer
from sessions_app.services.attendance import follow_up


def _fee_settled(milestone: Milestone) -> None:
    """The fee is paid: where the agency held completion back until then, a person who has
    attended the twelve modules completes, and gets their certificate."""
    if milestone.agency.fees_hold_completion:
        follow_up([milestone.referral_id], milestone.by)


COMPLETION_AFTER_PAYMENT = Consumer(
    name="sessions_app.completion_after_payment",
    kinds=frozenset({Milestone.Kind.FEE_SETTLED}),
    handle=_fee_settled,
)
