"""The outreach side of the test World: one person named in each agency's referral, an open
task for each, and a first safety plan version."""

from datetime import date

from victims.services import outreach

# Fixed values, asserted by the tests.
SOPHIE = {
    "full_name": "Sophie Bergeron",
    "relationship": "victim",
    "language": "fr",
    "phone": "+16135550188",
    "email": "sophie@example.org",
    "address": "12 rue Principale, Ottawa (Ontario) K1K 0V4",
}
OTHER = {
    "full_name": "Dana Whitecloud",
    "relationship": "current_partner",
    "language": "en",
    "phone": "+18075550142",
}
PLAN = {"warning_signs": "He calls many times at night.", "safe_places": "Her sister's home."}
TASK_DUE = date(2099, 1, 4)


def add_outreach(world):
    """Add the outreach objects to `world` (built by tests.conftest.make_world)."""
    worker, other_worker = world["partner_contact"], world["other_partner_contact"]
    world.victim = outreach.person_add(
        agency=world.agency, referral=world.referral, by=worker, **SOPHIE
    )
    world.task = outreach.task_add(victim=world.victim, by=worker, due_on=TASK_DUE, assignee=worker)
    world.plan = outreach.plan_save(victim=world.victim, by=worker, **PLAN)
    world.other_victim = outreach.person_add(
        agency=world.other_agency, referral=world.other_referral, by=other_worker, **OTHER
    )
    world.other_task = outreach.task_add(
        victim=world.other_victim, by=other_worker, due_on=TASK_DUE, assignee=other_worker
    )
    world.other_plan = outreach.plan_save(victim=world.other_victim, by=other_worker, **PLAN)
    return world
