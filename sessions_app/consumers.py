"""What the completion engine does with the participants' milestones (read with its own
cursor, see referrals.services.milestones)."""

from referrals.models import Milestone
from referrals.services.milestones import Consumer
from sessions_app.services.attendance import follow_up
from sessions_app.services.reminders import make_up_reminders_write


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


def _absences(milestones: list[Milestone]) -> None:
    """After an unexcused absence, tell the person how to book a make-up."""
    make_up_reminders_write(
        [milestone for milestone in milestones if milestone.params.get("excused") is False]
    )


MAKE_UP_REMINDERS = Consumer(
    name="sessions_app.make_up_reminders",
    kinds=frozenset({Milestone.Kind.ABSENCE_RECORDED}),
    handle=lambda milestone: _absences([milestone]),
    handle_batch=_absences,
)
