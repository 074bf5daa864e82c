"""What the confidential store does with the participants' milestones (read with its own
cursors, see referrals.services.milestones)."""

from referrals.models import Milestone
from referrals.services.milestones import Consumer
from victims.services.tasks import TASK_FOR, hand_over, tasks_for_milestones

TRANSFER_OUTREACH = Consumer(
    name="victims.transfer_outreach",
    kinds=frozenset({Milestone.Kind.TRANSFERRED}),
    handle=lambda milestone: hand_over(milestone=milestone),
)

OUTREACH_TASKS = Consumer(
    name="victims.outreach_tasks",
    kinds=frozenset(TASK_FOR),
    handle=lambda milestone: tasks_for_milestones([milestone]),
    handle_batch=tasks_for_milestones,
    batch=500,
)
