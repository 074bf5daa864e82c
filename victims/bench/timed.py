"""What `make bench` times of the confidential store (victims.bench): the outreach home and a
person's record, each with its floor, and the milestone consumer making the tasks of 10,000
milestones."""

import random
from datetime import timedelta

import pgtrigger
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from directory.models import Agency
from ipv.accounts.models import Membership
from ipv.core.bulkload import history_triggers
from ipv.core.roles import as_owner
from referrals.bench import AGENCY, INTAKE_WORKER
from referrals.models import Milestone, Referral
from referrals.services.milestones import consume
from victims.bench.data import PARTNER, PARTNER_BUSY
from victims.consumers import OUTREACH_TASKS
from victims.models import (
    Assignment,
    OutreachTask,
    Victim,
)
from victims.rls import confidential

# The milestones written before each timed run of the consumer.
MILESTONES = 10_000
# The milestones the consumer is timed on: the kinds that call for outreach tasks.
CONSUMED_KINDS = [
    Milestone.Kind.ACCEPTED,
    Milestone.Kind.INTAKE_DONE,
    Milestone.Kind.ENROLLED,
    Milestone.Kind.ABSENCE_REVIEW_OPENED,
    Milestone.Kind.DISCHARGED,
    Milestone.Kind.COMPLETED,
    Milestone.Kind.RETURNED_TO_COURT,
]


def _person_of(worker_email) -> Victim | None:
    """A person with a safety plan and contacts, in the worker's caseload when one there has a
    plan, else anywhere in the agency (every worker of the agency may open any record)."""
    agency = Agency.objects.get(slug=AGENCY)
    with confidential(agency):
        referrals = Assignment.objects.filter(agency=agency, worker__email=worker_email).values(
            "referral_id"
        )
        with_plan = Victim.objects.filter(agency=agency, plans__isnull=False).order_by("pk")
        return (
            with_plan.filter(referral_id__in=referrals).only("pk").first()
            or with_plan.only("pk").first()
        )


def pages() -> list[tuple[str, str, dict, str]]:
    """The outreach home of each worker and a person's record; none until the outreach pages
    exist (their URL names are agency:outreach_home and agency:outreach_person)."""
    person = _person_of(PARTNER)
    with translation.override("fr"):
        try:
            home = reverse("agency:outreach_home", kwargs={"agency_slug": AGENCY})
            record = reverse(
                "agency:outreach_person", kwargs={"agency_slug": AGENCY, "pk": person.pk}
            )
        except NoReverseMatch:
            return []
    return [
        ("outreach home (500 referrals)", home, {}, PARTNER),
        ("outreach home (8,500 referrals)", home, {}, PARTNER_BUSY),
        ("outreach person record", record, {}, PARTNER),
    ]


# The last task of the data set, before the consumer's timed runs make theirs (_put_back).
_seeded = {}


def _milestones_to_consume() -> None:
    """Bring the consumer's cursor to the end of the stream (untimed), then write the
    milestones it is timed on: outreach kinds, for referrals that name people."""
    consume(OUTREACH_TASKS)
    if "task" not in _seeded:
        with confidential(Agency.objects.get(slug=AGENCY)):
            _seeded["task"] = OutreachTask.objects.order_by("-pk").values_list("pk", flat=True)[0]
    agency = Agency.objects.get(slug=AGENCY)
    rng = random.Random()  # noqa: S311 (bench data, not security)
    referrals = list(
        Referral.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True)
    )
    by = Membership.objects.filter(agency=agency, user__email=INTAKE_WORKER).values_list(
        "user_id", flat=True
    )[0]
    now = timezone.now() - timedelta(minutes=1)
    Milestone.objects.bulk_create(
        [
            Milestone(
                agency=agency,
                referral_id=referral,
                kind=rng.choice(CONSUMED_KINDS),
                by_id=by,
                occurred_at=now,
            )
            for referral in rng.sample(referrals, MILESTONES)
        ],
        batch_size=5_000,
    )


def work() -> list[tuple]:
    """The outreach consumer making the tasks of 10,000 milestones, from its cursor: written
    before each run (untimed), consumed three times over."""
    return [
        (
            f"outreach consumer, {MILESTONES:,} milestones",
            lambda: consume(OUTREACH_TASKS),
            {
                "setup": _milestones_to_consume,
                "cleanup": _put_back,
                "runs": 3,
                "warm": 0,
            },
        )
    ]


def _put_back() -> None:
    """The data set as it was: the tasks the timed runs made are deleted, or the next run's
    outreach pages would list more open tasks each time (the milestones stay behind the
    consumer's cursor, read by no page), and the table's indexes made again (half empty after,
    they would make the same pages read more)."""
    agency = Agency.objects.get(slug=AGENCY)
    table = OutreachTask._meta.db_table
    with as_owner():
        with confidential(agency), pgtrigger.ignore(*history_triggers(OutreachTask)):
            OutreachTask.objects.filter(agency=agency, pk__gt=_seeded.pop("task"))._raw_delete(
                using=connection.alias
            )
        with connection.cursor() as cursor:
            cursor.execute(f'REINDEX TABLE "{table}"')
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')


# The floors: the hand-written SQL that fetches what each page shows (ipv.pages' bench command).
TASK_ROW = """
    SELECT t.id, t.referral_id, t.victim_id, t.kind, t.urgent, t.mandatory, t.due_on,
           t.assignee_id, v.full_name, v.relationship, v.language, r.program, r.status,
           p.legal_name, p.preferred_name
    FROM victims_outreachtask t JOIN victims_victim v ON v.id = t.victim_id
    JOIN referrals_referral r ON r.id = t.referral_id
    JOIN referrals_participant p ON p.id = r.participant_id
    WHERE t.agency_id = %s AND t.state = 'open' AND {where}
    ORDER BY t.due_on, t.urgent DESC, t.id LIMIT 25
"""


def _home(agency, worker) -> list[tuple]:
    """The worker's open tasks overdue, due today and to come, the tasks nobody holds (25 of
    each), the counts, their caseload (25), the concerns without a task, the workers."""
    today = timezone.localdate()
    mine = [agency.pk, worker.pk, today]
    return [
        (TASK_ROW.format(where="t.assignee_id = %s AND t.due_on < %s"), mine),
        (TASK_ROW.format(where="t.assignee_id = %s AND t.due_on = %s"), mine),
        (TASK_ROW.format(where="t.assignee_id = %s AND t.due_on > %s"), mine),
        (TASK_ROW.format(where="t.assignee_id IS NULL"), [agency.pk]),
        (
            "SELECT count(*), count(*) FILTER (WHERE due_on < %s) FROM victims_outreachtask "
            "WHERE agency_id = %s AND state = 'open' AND assignee_id = %s",
            [today, agency.pk, worker.pk],
        ),
        (
            "SELECT count(*), count(*) FILTER (WHERE due_on < %s) FROM victims_outreachtask "
            "WHERE agency_id = %s AND state = 'open' AND assignee_id IS NULL",
            [today, agency.pk],
        ),
        (
            "SELECT a.id, a.referral_id, a.assigned_at, r.court_file_number, r.program, "
            "r.status, p.legal_name, p.preferred_name FROM victims_assignment a "
            "JOIN referrals_referral r ON r.id = a.referral_id "
            "JOIN referrals_participant p ON p.id = r.participant_id "
            "WHERE a.agency_id = %s AND a.worker_id = %s AND r.status <> 'transferred' "
            "ORDER BY a.assigned_at DESC LIMIT 25",
            [agency.pk, worker.pk],
        ),
        (
            "SELECT c.id, c.referral_id, c.raised_at FROM victims_concern c "
            "WHERE c.agency_id = %s AND NOT EXISTS (SELECT 1 FROM victims_outreachtask t "
            "WHERE t.concern_id = c.id) ORDER BY c.raised_at DESC LIMIT 25",
            [agency.pk],
        ),
        (
            "SELECT u.id, u.full_name FROM accounts_user u JOIN accounts_membership m "
            "ON m.user_id = u.id WHERE m.agency_id = %s AND m.role = 'partner_contact' "
            "AND m.is_active",
            [agency.pk],
        ),
    ]


def _record(victim) -> list[tuple]:
    """The person, the others named, consents, contacts (100), tasks (100), plan versions,
    letters, safety views, the assignment, the program's state, who read the record."""
    pk, referral = victim.pk, victim.referral_id
    return [
        ("SELECT * FROM victims_victim WHERE agency_id = %s AND id = %s", [victim.agency_id, pk]),
        (
            "SELECT id, relationship, full_name, outreach FROM victims_victim "
            "WHERE referral_id = %s AND id <> %s",
            [referral, pk],
        ),
        (
            "SELECT c.*, u.full_name FROM victims_consentrecord c "
            "JOIN accounts_user u ON u.id = c.recorded_by_id WHERE c.victim_id = %s LIMIT 50",
            [pk],
        ),
        (
            "SELECT c.*, u.full_name FROM victims_contact c JOIN accounts_user u "
            "ON u.id = c.by_id WHERE c.victim_id = %s ORDER BY c.at DESC, c.id DESC LIMIT 100",
            [pk],
        ),
        (
            "SELECT t.*, u.full_name FROM victims_outreachtask t LEFT JOIN accounts_user u "
            "ON u.id = t.assignee_id WHERE t.victim_id = %s ORDER BY t.state, t.due_on, t.id "
            "LIMIT 100",
            [pk],
        ),
        (
            "SELECT s.id, s.number, s.saved_at, u.full_name FROM victims_safetyplanversion s "
            "JOIN accounts_user u ON u.id = s.saved_by_id WHERE s.victim_id = %s",
            [pk],
        ),
        ("SELECT * FROM victims_letterprinted WHERE victim_id = %s LIMIT 50", [pk]),
        ("SELECT * FROM victims_safetyview WHERE victim_id = %s", [pk]),
        (
            "SELECT a.worker_id, u.full_name FROM victims_assignment a "
            "JOIN accounts_user u ON u.id = a.worker_id WHERE a.referral_id = %s",
            [referral],
        ),
        (
            "SELECT r.status, r.accepted_at, r.status_changed_at, "
            "(SELECT min(start_date) FROM sessions_app_enrollment e "
            " WHERE e.referral_id = r.id AND e.ended_on IS NULL), "
            "(SELECT count(*) FILTER (WHERE status = 'unexcused') FROM sessions_app_attendance "
            " WHERE referral_id = r.id), "
            "(SELECT count(*) FILTER (WHERE status IN ('unexcused', 'excused')) "
            " FROM sessions_app_attendance WHERE referral_id = r.id) "
            "FROM referrals_referral r WHERE r.id = %s",
            [referral],
        ),
        (
            "SELECT e.at, e.action, u.full_name FROM audit_auditevent e "
            "LEFT JOIN accounts_user u ON u.id = e.actor_id WHERE e.agency_id = %s "
            "AND e.target_type = 'victims.victim' AND e.target_id = %s "
            "AND e.action IN ('read', 'export') ORDER BY e.at DESC, e.id DESC "
            "LIMIT 50",
            [victim.agency_id, str(pk)],
        ),
    ]


def floors() -> dict:
    from ipv.accounts.models import User

    agency = Agency.objects.get(slug=AGENCY)
    person = _person_of(PARTNER)
    if person is None:
        return {}
    return {
        "outreach home (500 referrals)": _home(agency, User.objects.get(email=PARTNER)),
        "outreach home (8,500 referrals)": _home(agency, User.objects.get(email=PARTNER_BUSY)),
        "outreach person record": _record(person),
    }
