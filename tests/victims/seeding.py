"""The confidential store filled through its services, every confidential field holding a
string found nowhere else (a canary), for the tests of the wall around it."""

import re
import uuid
from datetime import timedelta

from django.utils import timezone

from referrals.models import Milestone, Referral, Status
from referrals.services.milestones import milestone_record
from victims.models import Victim
from victims.rls import confidential
from victims.services import outreach, safety, tasks
from victims.services.alerts import risk_alert_send
from victims.services.naming import victims_record

# Each confidential field, its own word: a leak names the field it came from.
NAMED = {
    "relationship": "victim",
    "full_name": "Zébulonne Ardoisière",
    "phone": "613-555-0177",
    "email": "zebulonne.hirondelle@example.org",
    "safe_contact_notes": "Call after the Salsepareille class only.",
}
ADDED = {
    "full_name": "Hortense Pimprenelle",
    "relationship": "family",
    "language": "fr",
    "interpreter": "Quenouillais",
    "phone": "613-555-0188",
    "email": "hortense.tamarillo@example.org",
    "address": "12 chemin du Martin-Pêcheur, Gatineau",
}
ADDRESS = "77 rue des Ocarinas, Ottawa"
RULES = {"code_word": "Mandragore", "safe_contact_notes": "Only when the Gyrophare is off."}
NOTE = "Talked about the Cornemuse at length."
PLAN = {
    "warning_signs": "Signs: the Bergamote look.",
    "safe_places": "The Tamarinier shelter.",
    "people_to_call": "Aunt Ophrysia, 613-555-0166.",
    "ready_to_go": "Passport in the Zinniabox.",
    "children": "The children go to Galangal school.",
    "technology": "The Pistachephone is tracked.",
    "code_word": "Papillote means come now.",
}
PLAN_AGAIN = {name: f"{text} Version Kumquatier." for name, text in PLAN.items()}
CONCERN = "Said in group he would find Belladonnette."

# Every string above, as it could be written anywhere (case, accents, phones in any form).
SECRETS = re.compile(
    r"z[ée]bulonne|ardoisi[èe]re|hirondelle|salsepareille|pimprenelle|quenouillais"
    r"|tamarillo|martin-p[êe]cheur|ocarinas|mandragore|gyrophare|cornemuse|bergamote"
    r"|tamarinier|ophrysia|zinniabox|galangal|pistachephone|papillote|kumquatier"
    r"|belladonnette|555[-. ]?01(77|88|66)|61355501(77|88|66)",
    re.IGNORECASE,
)
# One word per field, for the positive controls.
WORDS = [
    "Ardoisière",
    "613-555-0177",
    "hirondelle",
    "Salsepareille",
    "Pimprenelle",
    "Quenouillais",
    "tamarillo",
    "Martin-Pêcheur",
    "Ocarinas",
    "Mandragore",
    "Gyrophare",
    "Cornemuse",
    "Bergamote",
    "Tamarinier",
    "Ophrysia",
    "Zinniabox",
    "Galangal",
    "Pistachephone",
    "Papillote",
    "Kumquatier",
    "Belladonnette",
]


def seed(*, agency, referral, worker, raiser, by=None):
    """Fill the store for `referral` through the services: the person named in the order
    (then given an address and rules: history rows), a family member added by `worker`, the
    worker assigned, consent, milestone tasks, a contact with a note, two plan versions, a
    letter, their view of their safety (corrected once), a concern raised by `raiser`, a risk
    alert. Returns the two people."""
    by = by or worker
    victims_record(agency=agency, referral=referral, people=[NAMED], by=by)
    with confidential(agency):
        named = Victim.objects.filter(referral=referral).order_by("pk").last()
    outreach.assignment_set(referral=referral, by=worker, worker=worker)
    added = outreach.person_add(agency=agency, referral=referral, by=worker, **ADDED)
    named = outreach.person_update(victim=named, by=worker, address=ADDRESS)
    named = outreach.rules_set(
        victim=named, by=worker, channels=["phone", "letter", "email"], **RULES
    )
    outreach.consent_record(
        victim=named,
        by=worker,
        topic="contact",
        given=True,
        how="phone",
        on=timezone.localdate(),
    )
    milestone = milestone_record(referral=referral, kind=Milestone.Kind.ACCEPTED, by=by)
    tasks.tasks_for_milestones([milestone])
    outreach.contact_log(
        victim=named,
        by=worker,
        at=timezone.now() - timedelta(minutes=30),
        channel="phone",
        outcome="reached",
        services=["safety_planning"],
        note=NOTE,
    )
    outreach.plan_save(victim=named, by=worker, **PLAN)
    outreach.plan_save(victim=named, by=worker, **PLAN_AGAIN)
    # What they say of their safety, recorded then corrected (a history row too).
    for feels_safe in (2, 3):
        safety.safety_view_record(
            victim=named,
            by=worker,
            moment="first_contact",
            feels_safe=feels_safe,
            abuse="continued",
            on=timezone.localdate(),
        )
    # A letter says the program started: true once the participant is in a group.
    Referral.objects.filter(pk=referral.pk).update(status=Status.ENROLLED)
    outreach.letter_printed(victim=named, by=worker, kind="start", language="fr")
    outreach.task_add(victim=added, by=worker, due_on=timezone.localdate() + timedelta(days=3))
    tasks.concern_raise(referral=referral, by=raiser, note=CONCERN)
    # Sent with its form's one-time key, as the page sends it.
    risk_alert_send(referral=referral, by=worker, submission_key=uuid.uuid4())
    return named, added
