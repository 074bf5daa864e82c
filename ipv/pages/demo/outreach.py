"""Demo outreach: the partner-contact worker's caseload in the first agency, and in the second
(Indigenous-led) agency an IPIV referral whose outreach reaches a family member and a community
member with cultural supports.

Everything is written through the confidential store's services (victims.services), so every
row is one the site could have written, inside victims.rls.confidential. The tasks the
participants' milestones call for are made by the outreach consumer's own function: running the
consumer afterwards finds each of them made and adds none. The past is written as it would have
been: a task created today by the service is then dated back, so it shows as overdue.

Loading twice leaves the same rows: the first agency's part is keyed on the partner-contact
worker's first assignment, the second agency's on its referral's court file number. Here, above
every app, because it takes the referrals of the other demo modules. The people, their names and
numbers are fictional (555-01xx numbers are reserved for fiction); what the worker writes is in
the person's language.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from directory.models import Agency, Court, SupportService
from ipv.accounts.models import User
from referrals.models import Milestone, Referral
from victims.models import Assignment, ConsentRecord, OutreachTask, Victim
from victims.models.outreach import CulturalSupport, Outcome, Service
from victims.models.people import Channel, Relationship
from victims.rls import confidential
from victims.services import referral_create_naming
from victims.services.outreach import (
    assignment_set,
    consent_record,
    contact_log,
    person_add,
    person_update,
    plan_save,
    rules_set,
    task_add,
)
from victims.services.tasks import TASK_FOR, tasks_for_milestones

FIRST = "riviere-des-outaouais"
SECOND = "lakehead-healing"
WEEKDAYS = [0, 1, 2, 3, 4]

# The person each demo referral's order names, by court file number: (name, language, phone).
PEOPLE = {
    "4811-998-26-00101": ("Geneviève Paquette", "fr", "+16135550111"),
    "4811-998-26-00102": ("Emily Carter", "en", "+16135550112"),
    "4811-998-26-00103": ("Nathalie Girard", "fr", "+16135550113"),
    "4811-998-26-00104": ("Sarah Nguyen", "en", "+16135550114"),
    "4811-998-26-00105": ("Sophie Côté", "fr", "+16135550115"),
    "4811-998-26-00106": ("Amanda Reid", "en", "+16135550116"),
    "4811-998-26-00107": ("Chantal Roy", "fr", "+16135550117"),
    "4811-998-26-00108": ("Valérie Dion", "fr", "+16135550118"),
    "4811-998-26-00109": ("Annie Bergeron", "fr", "+16135550119"),
    "4811-998-26-00110": ("Olivia Brown", "en", "+16135550120"),
    "4811-998-26-00111": ("Mélanie Pelletier", "fr", "+16135550121"),
    "4811-998-26-00112": ("Hannah Scott", "en", "+16135550122"),
    "4811-998-26-00113": ("Kayla Martin", "en", "+16135550123"),
}
# The referrals whose outreach the partner-contact worker carries; the others wait for one.
ASSIGNED = [
    "4811-998-26-00102",
    "4811-998-26-00103",
    "4811-998-26-00104",
    "4811-998-26-00105",
    "4811-998-26-00109",
    "4811-998-26-00110",
    "4811-998-26-00111",
    "4811-998-26-00112",
]
IPIV_FILE = "4811-998-26-00201"


def _past(days: int, hour: int, minute: int = 0) -> datetime:
    """A moment `days` or more days ago, on a weekday, at `hour`:`minute` local time."""
    day = timezone.localdate() - timedelta(days=days)
    while day.weekday() not in WEEKDAYS:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _overdue(task: OutreachTask, days: int) -> None:
    """Date a task back, as if it had been due `days` days ago."""
    with confidential(task.agency_id):
        OutreachTask.objects.filter(pk=task.pk).update(
            due_on=timezone.localdate() - timedelta(days=days)
        )


def _milestone_tasks(agency) -> None:
    """The tasks the agency's milestones call for, made as the outreach consumer makes them."""
    tasks_for_milestones(
        list(
            Milestone.objects.filter(agency=agency, kind__in=list(TASK_FOR))
            .select_related("agency", "referral")
            .order_by("pk")
        )
    )


def _rules(victim, by, **values):
    defaults = {
        "channels": [Channel.PHONE],
        "safe_days": WEEKDAYS,
        "safe_from": time(9),
        "safe_until": time(17),
        "voicemail_ok": False,
        "message_ok": False,
    }
    return rules_set(victim=victim, by=by, **{**defaults, **values})


def _consent(victim, by, *, days_ago=20, updates=True):
    on = timezone.localdate() - timedelta(days=days_ago)
    consent_record(
        victim=victim, by=by, topic=ConsentRecord.Topic.CONTACT, given=True, how="phone", on=on
    )
    if updates:
        consent_record(
            victim=victim, by=by, topic=ConsentRecord.Topic.UPDATES, given=True, how="phone", on=on
        )


def _open_task(victim, kind=None) -> OutreachTask | None:
    with confidential(victim.agency_id):
        tasks = OutreachTask.objects.filter(victim=victim, state=OutreachTask.State.OPEN)
        if kind:
            tasks = tasks.filter(kind=kind)
        return tasks.order_by("pk").first()


def load() -> None:
    _load_first_agency()
    _load_second_agency()


def _load_first_agency() -> None:
    agency = Agency.objects.get(slug=FIRST)
    partner = User.objects.get(email="partner@demo.ipv.test")
    manager = User.objects.get(email="manager@demo.ipv.test")
    with confidential(agency):
        if Assignment.objects.filter(agency=agency, worker=partner).exists():
            return
        referrals = {
            referral.court_file_number: referral
            for referral in Referral.objects.filter(
                agency=agency, court_file_number__in=list(PEOPLE)
            )
        }
        people = {}
        for victim in Victim.objects.filter(referral__in=referrals.values()).select_related(
            "referral"
        ):
            people.setdefault(victim.referral.court_file_number, victim)
    # Who each order names, as the partner-contact worker found them.
    for file_number, (name, language, phone) in PEOPLE.items():
        if file_number in people:
            people[file_number] = person_update(
                victim=people[file_number],
                by=partner,
                full_name=name,
                language=language,
                phone=phone,
            )
    # The participant of 00104 named a new current partner.
    people["current_partner"] = person_add(
        agency=agency,
        referral=referrals["4811-998-26-00104"],
        by=partner,
        relationship=Relationship.CURRENT_PARTNER,
        full_name="Jessica Moore",
        language="en",
        phone="+16135550124",
    )
    # Everyone known before the milestones are read: the consumer, run later, finds no one
    # new and so adds no task.
    _milestone_tasks(agency)
    for file_number in ASSIGNED:
        if file_number in referrals:
            assignment_set(referral=referrals[file_number], by=manager, worker=partner)
    _caseload(agency, partner, referrals, people)


def _caseload(agency, partner, referrals, people) -> None:
    today = timezone.localdate()
    shelter = SupportService.objects.get(name_en="Marie-Rose Shelter")
    vwap = SupportService.objects.filter(kind=SupportService.Kind.VWAP, city="Ottawa").first()

    # Emily: texts allowed to her mobile, messages may be left; reached, then a text.
    emily = _rules(
        people["4811-998-26-00102"],
        partner,
        channels=[Channel.PHONE, Channel.TEXT],
        message_ok=True,
        voicemail_ok=True,
        code_word="Blueberry",
        safe_contact_notes="Works days; call over her lunch break, 12 to 1.",
    )
    _consent(emily, partner, days_ago=8)
    contact_log(
        victim=emily,
        by=partner,
        at=_past(8, 12, 15),
        channel=Channel.PHONE,
        outcome=Outcome.REACHED,
        services=[Service.INFORMATION, Service.SAFETY_PLANNING],
        note="Explained the program and what updates she can receive. Started a safety plan.",
        task=_open_task(emily),
    )
    contact_log(
        victim=emily,
        by=partner,
        at=_past(2, 12, 30),
        channel=Channel.TEXT,
        outcome=Outcome.MESSAGE_LEFT,
        note="Texted to set a time for a call next week.",
    )
    task_add(victim=emily, by=partner, due_on=today, assignee=partner)

    # Nathalie: letters allowed (she has a safe address); a safety plan in three versions.
    nathalie = _rules(
        people["4811-998-26-00103"],
        partner,
        channels=[Channel.PHONE, Channel.LETTER],
        safe_from=time(10),
        safe_until=time(15),
        safe_contact_notes="Courrier à l'adresse de sa sœur seulement.",
    )
    nathalie = person_update(
        victim=nathalie,
        by=partner,
        address="88, rue Fictive, app. 4\nOttawa (Ontario)  K1A 0B1",
    )
    _consent(nathalie, partner, days_ago=15)
    contact_log(
        victim=nathalie,
        by=partner,
        at=_past(15, 10, 30),
        channel=Channel.PHONE,
        outcome=Outcome.REACHED,
        services=[Service.SAFETY_PLANNING, Service.REFERRAL],
        support_service=shelter,
        note="Planification de la sécurité; lui ai donné le numéro de la maison Marie-Rose.",
        task=_open_task(nathalie),
    )
    contact_log(
        victim=nathalie,
        by=partner,
        at=_past(6, 11),
        channel=Channel.LETTER,
        outcome=Outcome.MESSAGE_LEFT,
        note="Lettre envoyée : début du programme.",
    )
    for version in (
        {
            "warning_signs": "Il boit le vendredi soir; il vérifie mon téléphone.",
            "safe_places": "Chez ma sœur, rue Fictive.",
            "people_to_call": "Ma sœur : 613-555-0131. Ligne de crise : 613-555-0103.",
        },
        {
            "warning_signs": "Il boit le vendredi soir; il vérifie mon téléphone.",
            "safe_places": "Chez ma sœur, rue Fictive. La bibliothèque du quartier.",
            "people_to_call": "Ma sœur : 613-555-0131. Ligne de crise : 613-555-0103.",
            "ready_to_go": "Passeport, carte santé, clés de rechange chez ma sœur.",
        },
        {
            "warning_signs": "Il boit le vendredi soir; il vérifie mon téléphone.",
            "safe_places": "Chez ma sœur, rue Fictive. La bibliothèque du quartier.",
            "people_to_call": "Ma sœur : 613-555-0131. Ligne de crise : 613-555-0103.",
            "ready_to_go": "Passeport, carte santé, clés de rechange chez ma sœur.",
            "children": "L'école sait qui peut venir chercher les enfants.",
            "technology": "Nouveau mot de passe; localisation du téléphone désactivée.",
            "code_word": "« Tournesol » : appeler le 911 pour moi.",
        },
    ):
        plan_save(victim=nathalie, by=partner, **version)
    _overdue(task_add(victim=nathalie, by=partner, due_on=today, assignee=partner), 3)

    # Sarah: a phone call, a voicemail allowed; not reached yet. Her task is late.
    sarah = _rules(people["4811-998-26-00104"], partner, voicemail_ok=True)
    contact_log(
        victim=sarah,
        by=partner,
        at=_past(4, 14),
        channel=Channel.PHONE,
        outcome=Outcome.NO_ANSWER,
    )
    contact_log(
        victim=sarah,
        by=partner,
        at=_past(2, 9, 45),
        channel=Channel.PHONE,
        outcome=Outcome.MESSAGE_LEFT,
        note="Left a neutral message asking her to call back.",
    )
    milestone_task = _open_task(sarah)
    if milestone_task is not None:
        _overdue(milestone_task, 2)
    task_add(victim=sarah, by=partner, due_on=today + timedelta(days=4), assignee=partner)
    jessica = people["current_partner"]
    _rules(jessica, partner, safe_from=time(13), safe_until=time(16))
    task_add(victim=jessica, by=partner, due_on=today + timedelta(days=2), assignee=partner)

    # Sophie: met in person, accompanied to the victim/witness assistance program.
    sophie = _rules(
        people["4811-998-26-00105"], partner, channels=[Channel.PHONE, Channel.IN_PERSON]
    )
    _consent(sophie, partner, days_ago=12, updates=False)
    contact_log(
        victim=sophie,
        by=partner,
        at=_past(5, 10),
        channel=Channel.IN_PERSON,
        outcome=Outcome.REACHED,
        services=[Service.ACCOMPANIMENT, Service.ISOLATION, Service.REFERRAL],
        support_service=vwap,
        note="Accompagnée au Programme d'aide aux victimes et aux témoins.",
        task=_open_task(sophie),
    )
    task_add(victim=sophie, by=partner, due_on=today, assignee=partner)

    # Chantal asked never to be contacted again.
    _rules(
        people["4811-998-26-00107"],
        partner,
        do_not_contact=True,
        safe_contact_notes="A demandé, par la Couronne, de ne plus être contactée.",
    )

    # Annie: evenings only, with a code word; her update is late.
    annie = _rules(
        people["4811-998-26-00109"],
        partner,
        safe_from=time(18),
        safe_until=time(20),
        code_word="Érable",
        safe_contact_notes="Seulement le soir, quand les enfants sont couchés.",
    )
    _consent(annie, partner, days_ago=30)
    contact_log(
        victim=annie,
        by=partner,
        at=_past(9, 18, 30),
        channel=Channel.PHONE,
        outcome=Outcome.REACHED,
        services=[Service.INFORMATION],
        note="Informée que le participant a commencé le groupe du mardi.",
    )
    _overdue(task_add(victim=annie, by=partner, due_on=today, assignee=partner), 6)

    # Olivia: email allowed.
    olivia = person_update(
        victim=people["4811-998-26-00110"], by=partner, email="olivia.brown@example.org"
    )
    olivia = _rules(olivia, partner, channels=[Channel.PHONE, Channel.EMAIL], message_ok=True)
    _consent(olivia, partner, days_ago=25)
    contact_log(
        victim=olivia,
        by=partner,
        at=_past(3, 15),
        channel=Channel.EMAIL,
        outcome=Outcome.REACHED,
        services=[Service.INFORMATION],
        note="Replied by email: she would like monthly updates.",
    )
    task_add(victim=olivia, by=partner, due_on=today + timedelta(days=10), assignee=partner)

    # Mélanie: the call was not safe; try again.
    melanie = _rules(people["4811-998-26-00111"], partner)
    contact_log(
        victim=melanie,
        by=partner,
        at=_past(1, 16),
        channel=Channel.PHONE,
        outcome=Outcome.UNSAFE,
        note="Ne pouvait pas parler; rappeler un autre jour.",
    )
    _overdue(task_add(victim=melanie, by=partner, due_on=today, assignee=partner), 1)

    # Hannah consented, then withdrew it: only the discharge notice remains, by phone.
    hannah = _rules(people["4811-998-26-00112"], partner)
    _consent(hannah, partner, days_ago=40)
    consent_record(
        victim=hannah,
        by=partner,
        topic=ConsentRecord.Topic.CONTACT,
        given=False,
        how=ConsentRecord.How.PHONE,
        on=today - timedelta(days=3),
    )

    # Valérie and Kayla: their referrals wait for a partner-contact worker; one task is set.
    task_add(victim=people["4811-998-26-00108"], by=partner, due_on=today + timedelta(days=1))
    _rules(people["4811-998-26-00113"], partner)


def _load_second_agency() -> None:
    """An IPIV referral at the Indigenous-led agency: the outreach reaches the person the order
    names, a family member and a community member, with cultural supports."""
    agency = Agency.objects.get(slug=SECOND)
    if Referral.objects.filter(agency=agency, court_file_number=IPIV_FILE).exists():
        return
    manager = User.objects.get(email="manager2@demo.ipv.test")
    # The first agency's partner-contact worker also serves this agency's IPIV families.
    partner = User.objects.get(email="partner@demo.ipv.test")
    today = timezone.localdate()
    referral = referral_create_naming(
        agency=agency,
        by=manager,
        participant={
            "legal_name": "Travis Kejick",
            "date_of_birth": "1991-02-18",
            "language": "en",
            "phone": "+18075550141",
            "city": "Thunder Bay",
        },
        order={
            "program": "ipiv",
            "stream": "early_intervention",
            "source_order": "release_order",
            "court": Court.objects.get(slug="ottawa"),
            "court_file_number": IPIV_FILE,
            "charges": "Assault (s. 266)",
            "order_date": today - timedelta(days=21),
            "received_on": today - timedelta(days=18),
            "complete_by": today + timedelta(weeks=20),
            "source": "court",
        },
        named_people=[
            {"relationship": "victim", "full_name": "Crystal Morriseau", "phone": "+18075550142"}
        ],
    )
    with confidential(agency):
        crystal = Victim.objects.get(referral=referral)
    rose = person_add(
        agency=agency,
        referral=referral,
        by=manager,
        relationship=Relationship.FAMILY,
        full_name="Rose Morriseau",
        language="en",
        phone="+18075550143",
    )
    joseph = person_add(
        agency=agency,
        referral=referral,
        by=manager,
        relationship=Relationship.COMMUNITY,
        full_name="Joseph Littlewolf",
        language="en",
        phone="+18075550144",
    )
    assignment_set(referral=referral, by=manager, worker=partner)
    # Everyone known before the milestones are read (see _load_first_agency).
    _milestone_tasks(agency)
    crystal = _rules(crystal, partner, voicemail_ok=True)
    _consent(crystal, partner, days_ago=14)
    contact_log(
        victim=crystal,
        by=partner,
        at=_past(14, 11),
        channel=Channel.PHONE,
        outcome=Outcome.REACHED,
        services=[Service.SAFETY_PLANNING, Service.REFERRAL],
        cultural_supports=[CulturalSupport.INDIGENOUS_VICTIM_SERVICE],
        support_service=SupportService.objects.get(name_en="Northwest Indigenous Family Services"),
        note="Asked for her mother and an Elder to be part of her support.",
        task=_open_task(crystal),
    )
    rose = _rules(rose, partner, channels=[Channel.PHONE, Channel.IN_PERSON])
    _consent(rose, partner, days_ago=10, updates=False)
    contact_log(
        victim=rose,
        by=partner,
        at=_past(10, 13),
        channel=Channel.IN_PERSON,
        outcome=Outcome.REACHED,
        services=[Service.ISOLATION],
        cultural_supports=[CulturalSupport.ELDER],
        note="Met with Crystal's mother and an Elder at the centre.",
    )
    joseph = _rules(joseph, partner, channels=[Channel.PHONE, Channel.IN_PERSON])
    _consent(joseph, partner, days_ago=7, updates=False)
    contact_log(
        victim=joseph,
        by=partner,
        at=_past(7, 10),
        channel=Channel.IN_PERSON,
        outcome=Outcome.REACHED,
        services=[Service.ISOLATION],
        cultural_supports=[CulturalSupport.CEREMONY, CulturalSupport.ELDER],
        note="Community support: invited to the full-moon ceremony with the family.",
    )
    _overdue(task_add(victim=rose, by=partner, due_on=today), 1)
    task_add(victim=joseph, by=partner, due_on=today + timedelta(days=5))
