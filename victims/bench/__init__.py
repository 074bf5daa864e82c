"""`make bench`: the confidential store at the size of a large agency's years of work, written
once (victims.bench.data); timed: the outreach home, a person's record, and the milestone
consumer making the tasks of 10,000 milestones (victims.bench.timed)."""

from victims.bench.data import seed
from victims.bench.timed import floors, pages, work

__all__ = ["floors", "pages", "seed", "work"]
