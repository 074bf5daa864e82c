"""What the confidential store does with the participants' milestones (read with its own
cursor, see referrals.services.milestones)."""

from referrals.models import Milestone, Referral
from referrals.services.milestones import Consumer
from victims.services import victims_copy_for_transfer


def _hand_over(milestone: Milestone) -> None:
    """A transfer was accepted: the people named in the order go to the receiving agency's
    partner-contact workers, beside its new referral."""
    new = Referral.objects.get(pk=milestone.params["new_referral"])
    victims_copy_for_transfer(from_referral=milestone.referral, to_referral=new, by=milestone.by)


TRANSFER_OUTREACH = Consumer(
    name="victims.transfer_outreach",
    kinds=frozenset({Milestone.Kind.TRANSFERRED}),
    handle=_hand_over,
)
