"""The confidential store's data set for `make bench` (victims.bench): 200,000 people named in
the bench agency's 100,000 referrals (two each), 1,000,000 contacts logged (five each), a task
per person (open for the open referrals), safety plans in three versions for one person in ten,
and the outreach of the open referrals carried by two partner-contact workers: one with a usual
caseload (500 referrals), one with all the rest (the worst case for a home page).

The rows are written by the database itself (INSERT … SELECT over generate_series), a few
seconds for a million: the encrypted values come from a small pool, each encrypted once by its
field (get_prep_value) and reused, since encrypting a million notes one by one would take longer
than the rest together. It runs inside victims.rls.confidential, so the policies admit the rows
whatever the role, and with the history triggers ignored (the owner's work, see
ipv.pages.management.commands.bench): the history is not what is measured. Later runs find the
rows and reuse them.
"""

import random
import re

import pgtrigger
from django.db import connection, transaction
from django.utils import timezone

from directory import bench as directory_bench
from directory.models import Agency, Court
from ipv.accounts.models import Membership, Role
from ipv.core.bulkload import loading
from referrals import bench as referrals_bench
from referrals.bench import AGENCY
from referrals.models import OPEN_STATUSES
from victims.models import (
    Assignment,
    Contact,
    OutreachTask,
    SafetyPlanVersion,
    Victim,
)
from victims.models.outreach import PLAN_SECTIONS
from victims.rls import confidential

PEOPLE_PER_REFERRAL = 2
CONTACTS_PER_PERSON = 5
PLAN_VERSIONS = 3
PARTNER = "bench-partner@bench.ipv.test"
PARTNER_BUSY = "bench-partner2@bench.ipv.test"
PARAMETER = re.compile(r"%\((\w+)\)s")
# The history triggers of the tables written in bulk: not what is measured.
HISTORY = [
    "victims.Victim:insert_insert",
    "victims.Assignment:insert_insert",
    "victims.OutreachTask:insert_insert",
    "victims.OutreachTask:update_update",
    "victims.Contact:insert_insert",
]

NAMES = [
    f"{first} {last}"
    for first in ("Émilie", "Sarah", "Nathalie", "Jessica", "Chantal", "Olivia", "Mélanie")
    for last in ("Tremblay", "Carter", "Girard", "Nguyen", "Côté", "Singh", "Moore")
]
NOTES = [
    "Reached; explained the program and the updates she may receive.",
    "Pas de réponse; aucun message laissé, selon ses consignes.",
    "Safety planning by phone; she will call back when it is safe.",
    "Rappel prévu jeudi soir; le code convenu a été utilisé.",
    "Left a neutral message asking her to call the office.",
    "",
    "Informée du début du groupe; souhaite des nouvelles chaque mois.",
    "Could not talk; someone was in the room.",
]
PLAN_TEXT = [
    "Chez ma sœur; la bibliothèque du quartier.",
    "My neighbour at 613-555-0131; the crisis line.",
    "Passeport, carte santé, clés de rechange.",
    "New passwords; location sharing turned off.",
]


def _pool(model, field, values) -> list[str]:
    """Each value encrypted once by the field, as the database stores it."""
    prep = model._meta.get_field(field).get_prep_value
    return [prep(value) if value else "" for value in values]


def _people():
    agency = Agency.objects.get(slug=AGENCY)
    intake, _officer = referrals_bench._people(agency, Court.objects.get(slug="ottawa"))
    workers = []
    for email, name in ((PARTNER, "Bench Partner"), (PARTNER_BUSY, "Bench Partner Two")):
        worker = referrals_bench._person(email, name)
        Membership.objects.get_or_create(user=worker, agency=agency, role=Role.PARTNER_CONTACT)
        workers.append(worker)
    return agency, intake, workers


def _execute(sql, params) -> int:
    """Run `sql` with its %(named)s parameters, passed by position: pgtrigger.ignore puts a
    positional one of its own before the statement, and psycopg refuses a mix."""
    names = PARAMETER.findall(sql)
    with connection.cursor() as cursor:
        cursor.execute(PARAMETER.sub("%s", sql), [params[name] for name in names])
        return cursor.rowcount


def _victims(agency, intake) -> None:
    """Two people per referral; the ones a former bench named are kept."""
    rng = random.Random(2028)  # noqa: S311 (fixed, reproducible data, not security)
    names = _pool(Victim, "full_name", rng.sample(NAMES, len(NAMES)))
    phones = _pool(Victim, "phone", [f"+1613555{n:04d}" for n in range(100, 164)])
    notes = _pool(Victim, "safe_contact_notes", ["", "", "Evenings only.", "Le soir seulement."])
    words = _pool(Victim, "code_word", ["", "Tournesol", "Blueberry"])
    _execute(
        """
        WITH r AS (
            SELECT ref.id, row_number() OVER (ORDER BY ref.id) AS n, COALESCE(c.have, 0) AS have
            FROM referrals_referral ref
            LEFT JOIN (
                SELECT referral_id, count(*) AS have FROM victims_victim GROUP BY referral_id
            ) c ON c.referral_id = ref.id
            WHERE ref.agency_id = %(agency)s
        )
        INSERT INTO victims_victim (
            agency_id, referral_id, relationship, full_name, language, interpreter, phone,
            email, address, channels, safe_days, safe_from, safe_until, voicemail_ok,
            message_ok, code_word, do_not_contact, safe_contact_notes, rules_updated_at,
            consent_contact, consent_updates, outreach, closed_because, closed_at,
            created_by_id, created_at
        )
        SELECT
            %(agency)s, r.id,
            CASE WHEN k = 1 THEN 'victim'
                ELSE (ARRAY['current_partner', 'former_partner', 'family'])[1 + r.n %% 3] END,
            (%(names)s::text[])[1 + (r.n * 2 + k) %% cardinality(%(names)s::text[])],
            CASE WHEN r.n %% 3 = 0 THEN 'en' ELSE 'fr' END,
            '',
            (%(phones)s::text[])[1 + (r.n + k) %% cardinality(%(phones)s::text[])],
            '', '',
            (ARRAY['{phone}', '{phone,text}', '{phone,letter}', '{phone,in_person}'])
                [1 + (r.n + k) %% 4]::varchar(10)[],
            '{0,1,2,3,4,5,6}'::smallint[],
            CASE WHEN r.n %% 4 = 0 THEN time '09:00' END,
            CASE WHEN r.n %% 4 = 0 THEN time '17:00' END,
            r.n %% 2 = 0, r.n %% 5 = 0,
            (%(words)s::text[])[1 + r.n %% cardinality(%(words)s::text[])],
            (r.n * 2 + k) %% 50 = 0,
            (%(notes)s::text[])[1 + (r.n + k) %% cardinality(%(notes)s::text[])],
            now(),
            CASE WHEN (r.n * 2 + k) %% 25 = 0 THEN 'withdrawn'
                WHEN r.n %% 7 = 0 THEN 'unknown' ELSE 'given' END,
            CASE WHEN r.n %% 3 = 0 THEN 'given' ELSE 'unknown' END,
            'open', '', NULL,
            %(intake)s, now()
        FROM r CROSS JOIN generate_series(1, %(per)s) AS k
        WHERE k > r.have
        """,
        {
            "agency": agency.pk,
            "intake": intake.pk,
            "per": PEOPLE_PER_REFERRAL,
            "names": names,
            "phones": phones,
            "notes": notes,
            "words": words,
        },
    )


def _assignments(agency, workers) -> None:
    """The open referrals' outreach: one in twenty for the first worker, the rest (but one in
    ten, waiting for someone) for the second."""
    partner, busy = workers
    _execute(
        """
        INSERT INTO victims_assignment (agency_id, referral_id, worker_id, assigned_by_id,
                                        assigned_at)
        SELECT %(agency)s, r.id, CASE WHEN r.n %% 20 = 0 THEN %(partner)s ELSE %(busy)s END,
               %(busy)s, now()
        FROM (
            SELECT id, row_number() OVER (ORDER BY id) AS n FROM referrals_referral
            WHERE agency_id = %(agency)s AND status = ANY(%(open)s)
        ) r
        WHERE r.n %% 10 <> 5
        ON CONFLICT (referral_id) DO NOTHING
        """,
        {
            "agency": agency.pk,
            "partner": partner.pk,
            "busy": busy.pk,
            "open": sorted(OPEN_STATUSES),
        },
    )


def _tasks(agency, workers) -> None:
    """A task per person: open (due within a month either side of today) for the open
    referrals, done for the others."""
    _execute(
        """
        INSERT INTO victims_outreachtask (
            agency_id, referral_id, victim_id, kind, milestone_id, concern_id, urgent,
            mandatory, due_on, assignee_id, state, done_at, done_by_id, created_at
        )
        WITH have AS MATERIALIZED (
            SELECT victim_id FROM victims_outreachtask WHERE milestone_id IS NULL
        )
        SELECT v.agency_id, v.referral_id, v.id,
            (ARRAY['accepted', 'intake_done', 'enrolled', 'follow_up'])[1 + v.id %% 4],
            NULL, NULL, v.id %% 97 = 0, false,
            current_date + (v.id %% 61)::int - 30,
            a.worker_id,
            CASE WHEN is_open THEN 'open' ELSE 'done' END,
            CASE WHEN is_open THEN NULL ELSE now() END,
            CASE WHEN is_open THEN NULL ELSE COALESCE(a.worker_id, %(busy)s) END,
            now()
        FROM (
            SELECT v.*, ref.status = ANY(%(open)s) AS is_open
            FROM victims_victim v JOIN referrals_referral ref ON ref.id = v.referral_id
            WHERE v.agency_id = %(agency)s
        ) v
        LEFT JOIN victims_assignment a ON a.referral_id = v.referral_id
        WHERE NOT EXISTS (SELECT 1 FROM have WHERE have.victim_id = v.id)
        """,
        {"agency": agency.pk, "busy": workers[1].pk, "open": sorted(OPEN_STATUSES)},
    )


def _contacts(agency, workers) -> None:
    """Five contacts per person, over the last two and a half years, in batches."""
    notes = _pool(Contact, "note", NOTES)
    bounds = Victim.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    for start in range(first, last + 1, 20_000):
        with transaction.atomic():
            _execute(
                """
                INSERT INTO victims_contact (
                    agency_id, referral_id, victim_id, at, channel, outcome, services,
                    cultural_supports, support_service_id, note, task_id, by_id, recorded_at
                )
                SELECT v.agency_id, v.referral_id, v.id,
                    now() - make_interval(days => ((v.id * 7 + k * 131) %% 900)::int,
                                          hours => k),
                    (ARRAY['phone', 'phone', 'text', 'letter', 'in_person'])[1 + (v.id + k) %% 5],
                    (ARRAY['reached', 'no_answer', 'message_left', 'unsafe', 'wrong_number',
                           'declined'])[1 + (v.id * 3 + k) %% 6],
                    (ARRAY['{}', '{safety_planning}', '{information}',
                           '{safety_planning,isolation}'])[1 + (v.id + k) %% 4]::varchar(20)[],
                    '{}'::varchar(30)[], NULL,
                    (%(notes)s::text[])[1 + (v.id + k) %% cardinality(%(notes)s::text[])],
                    NULL,
                    CASE WHEN v.id %% 2 = 0 THEN %(partner)s ELSE %(busy)s END,
                    now()
                FROM victims_victim v CROSS JOIN generate_series(1, %(per)s) AS k
                WHERE v.agency_id = %(agency)s AND v.id >= %(start)s AND v.id < %(end)s
                  AND NOT EXISTS (SELECT 1 FROM victims_contact c WHERE c.victim_id = v.id)
                """,
                {
                    "agency": agency.pk,
                    "partner": workers[0].pk,
                    "busy": workers[1].pk,
                    "notes": notes,
                    "per": CONTACTS_PER_PERSON,
                    "start": start,
                    "end": start + 20_000,
                },
            )


def _contacts_loaded(agency, workers) -> None:
    """The contacts, on a first seed with the table's indexes built after (a million rows)."""
    if Contact.objects.filter(agency=agency).exists():
        return
    with loading(Contact):
        _contacts(agency, workers)


def _plans(agency, workers) -> None:
    """Three versions of a safety plan for one person in ten."""
    sections = {
        name: _pool(SafetyPlanVersion, name, PLAN_TEXT[index % 2 :] + PLAN_TEXT[: index % 2])
        for index, name in enumerate(PLAN_SECTIONS)
    }
    columns = ", ".join(PLAN_SECTIONS)
    values = ", ".join(
        f"(%({name})s::text[])[1 + (v.id + k) %% cardinality(%({name})s::text[])]"
        for name in PLAN_SECTIONS
    )
    _execute(
        f"""
        INSERT INTO victims_safetyplanversion (agency_id, victim_id, number, {columns},
                                               saved_by_id, saved_at, copied_from_id)
        SELECT v.agency_id, v.id, k, {values}, %(busy)s,
               now() - make_interval(days => (%(versions)s - k) * 30), NULL
        FROM victims_victim v CROSS JOIN generate_series(1, %(versions)s) AS k
        WHERE v.agency_id = %(agency)s AND v.id %% 10 = 0
        ON CONFLICT (victim_id, number) DO NOTHING
        """,  # noqa: S608 (the column names are the model's, not input)
        {"agency": agency.pk, "busy": workers[1].pk, "versions": PLAN_VERSIONS, **sections},
    )


def _consents(agency, workers) -> None:
    """How each person who gave consent to be contacted gave it. The records already there
    are read once, before the insert (MATERIALIZED): looked up row by row in the table being
    written, they would be scanned again for each row written."""
    _execute(
        """
        INSERT INTO victims_consentrecord (agency_id, victim_id, topic, given, how, "on",
                                           recorded_by_id, recorded_at)
        WITH have AS MATERIALIZED (SELECT victim_id FROM victims_consentrecord)
        SELECT v.agency_id, v.id, 'contact', true, 'phone', current_date - 30, %(busy)s, now()
        FROM victims_victim v
        WHERE v.agency_id = %(agency)s AND v.consent_contact = 'given'
          AND NOT EXISTS (SELECT 1 FROM have WHERE have.victim_id = v.id)
        """,
        {"agency": agency.pk, "busy": workers[1].pk},
    )


def seed() -> dict:
    """Create the data set once (the directory's and the referrals' first, which it names);
    later runs find it and reuse it."""
    directory_bench.seed()
    referrals_bench.seed()
    agency, intake, workers = _people()
    steps = [
        lambda: _victims(agency, intake),
        lambda: _assignments(agency, workers),
        lambda: _tasks(agency, workers),
        lambda: _contacts_loaded(agency, workers),
        lambda: _plans(agency, workers),
        lambda: _consents(agency, workers),
    ]
    with pgtrigger.ignore(*HISTORY):
        for step in steps:
            with confidential(agency):
                step()
            # Statistics of what the step wrote, for the next step's plan: a table planned
            # as empty is scanned whole for each row the next step writes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE victims_victim, victims_assignment, victims_outreachtask")
        # The tasks an earlier run's timed consumer made are done: the pages see the same
        # caseload on every run.
        with confidential(agency):
            OutreachTask.objects.filter(
                agency=agency, milestone__isnull=False, state=OutreachTask.State.OPEN
            ).update(state=OutreachTask.State.DONE, done_at=timezone.now(), done_by=workers[1])
        with confidential(agency):
            counts = {
                "victims": Victim.objects.filter(agency=agency).count(),
                "outreach_contacts": Contact.objects.filter(agency=agency).count(),
                "outreach_tasks": OutreachTask.objects.filter(agency=agency).count(),
                "safety_plan_versions": SafetyPlanVersion.objects.filter(agency=agency).count(),
                "outreach_assignments": Assignment.objects.filter(agency=agency).count(),
            }
    with connection.cursor() as cursor:
        for table in ("victims_victim", "victims_contact", "victims_outreachtask"):
            cursor.execute(f"ANALYZE {table}")
    return counts
