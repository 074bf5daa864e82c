"""Reads of the confidential store. What case workers may know is only how many people an
order names (and the risk alerts sent to them); the records themselves are read by
partner-contact workers, each read audited by the page that shows it.

Each read names its agency to the row-level security policies (victims.rls) and returns
evaluated rows: a lazy queryset read after the transaction would see nothing."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from directory.models import SupportService
from ipv.accounts.models import Membership, User
from ipv.audit.models import AuditEvent
from ipv.core.choices import Role
from ipv.core.i18n import current_language
from ipv.core.tenancy import get_scoped_or_404, scoped
from ipv.notifications.models import OutboxMessage
from ipv.notifications.models import State as OutboxState
from referrals import selectors as referral_selectors
from referrals.models import Referral, Status
from sessions_app.models import Attendance, Enrollment
from victims.models import (
    Assignment,
    Concern,
    OutreachTask,
    RiskAlert,
    SafetyPlanVersion,
    SafetyView,
    Victim,
)
from victims.models.safety import Moment
from victims.rls import confidential


def _known_to_case_team(agency, **lookup) -> QuerySet[Victim]:
    # The people the case team recorded (in the order, or named later to them); never those
    # outreach found, which would tell the case team what outreach learned.
    return Victim.objects.filter(agency=agency, **lookup).exclude(source=Victim.Source.OUTREACH)


def victims_named_count(*, agency, referral) -> int:
    """How many people the referral's order names. Not who they are."""
    with confidential(agency):
        return _known_to_case_team(agency, referral=referral).count()


def victims_named_counts(*, agency, referrals: QuerySet) -> dict[int, int]:
    """Referral id → how many people its order names, for a page of referrals in one query."""
    with confidential(agency):
        rows = (
            _known_to_case_team(agency, referral__in=referrals)
            .values("referral")
            .annotate(count=Count("pk"))
        )
        return {row["referral"]: row["count"] for row in rows}


def victim_get(*, agency, pk: int) -> Victim:
    """One person of the agency's confidential store, or 404."""
    with confidential(agency):
        return get_scoped_or_404(
            Victim.objects.select_related("referral__participant", "referral__agency"),
            agency=agency,
            pk=pk,
        )


@dataclass(frozen=True)
class TaskFilters:
    kind: str = ""
    due: str = ""  # overdue, today, upcoming
    program: str = ""
    language: str = ""


def _filtered(tasks: QuerySet, filters: TaskFilters, today: date) -> QuerySet:
    if filters.kind:
        tasks = tasks.filter(kind=filters.kind)
    if filters.due == "overdue":
        tasks = tasks.filter(due_on__lt=today)
    elif filters.due == "today":
        tasks = tasks.filter(due_on=today)
    elif filters.due == "upcoming":
        tasks = tasks.filter(due_on__gt=today)
    if filters.program:
        tasks = tasks.filter(referral__program=filters.program)
    if filters.language:
        tasks = tasks.filter(victim__language=filters.language)
    return tasks


@dataclass
class Home:
    overdue: list
    today: list
    upcoming: list
    unassigned: list
    caseload: list
    counts: dict


HOME_ROWS = 25


# The columns a row of the home shows: the person's name (decrypted) but none of the other
# encrypted fields, which would be read and decrypted for nothing.
HOME_TASK_FIELDS = (
    "pk",
    "agency_id",
    "referral_id",
    "victim_id",
    "kind",
    "urgent",
    "mandatory",
    "no_message",
    "due_on",
    "assignee_id",
    "state",
    "victim__full_name",
    "victim__relationship",
    "victim__language",
    "referral__program",
    # The referral's state machine reads its status when the row is loaded.
    "referral__status",
    "referral__participant__legal_name",
    "referral__participant__preferred_name",
)


def outreach_home(*, agency, user, filters: TaskFilters = TaskFilters()) -> Home:
    """The partner-contact worker's home: their open tasks by due date, the tasks nobody holds,
    their caseload, each list up to HOME_ROWS (the counts say how many there are). A fixed
    number of queries, whatever the number of rows."""
    today = timezone.localdate()
    with confidential(agency):
        open_tasks = (
            _filtered(
                OutreachTask.objects.filter(agency=agency, state=OutreachTask.State.OPEN),
                filters,
                today,
            )
            .select_related("victim", "referral__participant")
            .only(*HOME_TASK_FIELDS)
            .order_by("due_on", "-urgent", "pk")
        )
        overdue = list(open_tasks.filter(assignee=user, due_on__lt=today)[:HOME_ROWS])
        due_today = list(open_tasks.filter(assignee=user, due_on=today)[:HOME_ROWS])
        upcoming = list(open_tasks.filter(assignee=user, due_on__gt=today)[:HOME_ROWS])
        # Tasks held by someone no longer a partner-contact worker here are nobody's.
        former = set(
            open_tasks.filter(assignee__isnull=False)
            .exclude(assignee__in=outreach_workers(agency=agency))
            .values_list("assignee_id", flat=True)
            .distinct()
            .order_by()
        )
        nobody = Q(assignee__isnull=True) | Q(assignee_id__in=former)
        unassigned = list(open_tasks.filter(nobody)[:HOME_ROWS])
        # Two counts, each read from its own partial index.
        open_filtered = _filtered(
            OutreachTask.objects.filter(agency=agency, state=OutreachTask.State.OPEN),
            filters,
            today,
        )
        counts = open_filtered.filter(assignee=user).aggregate(
            mine=Count("pk"),
            mine_overdue=Count("pk", filter=Q(due_on__lt=today)),
        ) | open_filtered.filter(nobody).aggregate(
            unassigned=Count("pk"),
            unassigned_overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
        caseload = list(
            Assignment.objects.filter(agency=agency, worker=user)
            .exclude(referral__status__in=[Status.TRANSFERRED])
            .select_related("referral__participant")
            .only(
                "pk",
                "referral_id",
                "assigned_at",
                "referral__court_file_number",
                "referral__program",
                "referral__status",
                "referral__participant__legal_name",
                "referral__participant__preferred_name",
            )
            .order_by("-assigned_at")[:HOME_ROWS]
        )
    return Home(
        overdue=overdue,
        today=due_today,
        upcoming=upcoming,
        unassigned=unassigned,
        caseload=caseload,
        counts=counts,
    )


@dataclass(frozen=True)
class ProgramStatus:
    """The participant's program as outreach needs it: never intake notes, fees or risk
    flags."""

    status: str
    status_label: str
    accepted_at: object
    group_since: date | None
    unexcused_absences: int
    absences: int
    closed_on: date | None


ABSENT = [Attendance.Status.UNEXCUSED, Attendance.Status.EXCUSED]


def program_status(*, referral: Referral) -> ProgramStatus:
    """Where the participant is in the program, for the people outreach contacts."""
    enrollment = (
        Enrollment.objects.filter(referral=referral, ended_on__isnull=True)
        .only("start_date")
        .first()
    )
    absences = Attendance.objects.filter(referral=referral).aggregate(
        unexcused=Count("pk", filter=Q(status=Attendance.Status.UNEXCUSED)),
        all=Count(
            "pk", filter=Q(status__in=[Attendance.Status.UNEXCUSED, Attendance.Status.EXCUSED])
        ),
    )
    closed = referral.status in (Status.COMPLETED, Status.DISCHARGED, Status.TRANSFERRED)
    return ProgramStatus(
        status=referral.status,
        status_label=referral.get_status_display(),
        accepted_at=referral.accepted_at,
        group_since=enrollment.start_date if enrollment else None,
        unexcused_absences=absences["unexcused"],
        absences=absences["all"],
        closed_on=timezone.localdate(referral.status_changed_at) if closed else None,
    )


def person_record(*, victim: Victim) -> dict:
    """What a person's record shows beside who they are: the others named in the order,
    consent answers, contacts, tasks, the safety plan's versions, letters printed."""
    with confidential(victim.agency_id):
        return {
            "others": list(
                Victim.objects.filter(referral_id=victim.referral_id)
                .exclude(pk=victim.pk)
                .only("pk", "relationship", "full_name", "outreach")
            ),
            "consents": list(victim.consents.select_related("recorded_by")[:50]),
            "contacts": _with_message_states(
                list(
                    victim.contacts.select_related("by", "support_service").order_by("-at", "-pk")[
                        :100
                    ]
                )
            ),
            "tasks": list(
                victim.tasks.select_related("assignee").order_by("state", "due_on", "pk")[:100]
            ),
            "plans": list(
                victim.plans.select_related("saved_by").only(
                    "pk",
                    "number",
                    "saved_at",
                    "saved_by__full_name",
                    "saved_by__email",
                    "victim_id",
                    "agency_id",
                )
            ),
            "letters": list(victim.letters.select_related("by")[:50]),
            "safety_views": safety_views(victim=victim),
            "assignment": Assignment.objects.filter(referral_id=victim.referral_id)
            .select_related("worker")
            .first(),
        }


def safety_views(*, victim: Victim) -> list[tuple[str, str, SafetyView | None]]:
    """(moment, its label, the view recorded or None) for each moment, in order."""
    with confidential(victim.agency_id):
        found = {view.moment: view for view in victim.safety_views.select_related("recorded_by")}
    return [(moment, label, found.get(moment)) for moment, label in Moment.choices]


def safety_view(*, victim: Victim, moment: str) -> SafetyView | None:
    """The person's view recorded at `moment`, if any."""
    with confidential(victim.agency_id):
        return victim.safety_views.filter(moment=moment).first()


def _with_message_states(contacts: list) -> list:
    """Each automatic contact with what became of its message (waiting, sent, cancelled,
    failed), in the reader's language; one query, and none when there is no such contact."""
    keys = [contact.message_key for contact in contacts if contact.automatic]
    if keys:
        states = dict(OutboxMessage.objects.filter(key__in=keys).values_list("key", "state"))
        for contact in contacts:
            if contact.automatic and contact.message_key in states:
                contact.message_state = OutboxState(states[contact.message_key]).label
    return contacts


def record_readers(*, victim: Victim, limit: int = 50) -> list[AuditEvent]:
    """Who has read (or printed) this person's record, most recent first."""
    return list(
        AuditEvent.objects.filter(
            agency_id=victim.agency_id,
            target_type=Victim._meta.label_lower,
            target_id=str(victim.pk),
            action__in=[AuditEvent.Action.RECORD_READ, AuditEvent.Action.RECORD_EXPORTED],
        )
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def concern_referral_get(*, agency, user, membership, pk: int) -> Referral:
    """The referral a concern may be raised about, or 404: any of the agency's for the case
    workers; for a facilitator, only a participant who is (or was) in a group they run, or
    came to one of its sessions to make up a module."""
    referrals = Referral.objects.select_related("participant", "agency")
    if not membership.can("referrals.view"):
        referrals = referrals.filter(
            Exists(
                Enrollment.objects.filter(
                    referral=OuterRef("pk"), agency=agency, group__facilitators=user
                )
            )
            | Exists(
                Attendance.objects.filter(
                    referral=OuterRef("pk"), agency=agency, session__group__facilitators=user
                )
            )
        )
    return get_scoped_or_404(referrals, agency=agency, pk=pk)


def risk_alerts(*, agency, referral) -> list[RiskAlert]:
    """The risk alerts outreach sent about a referral (what the case team may see)."""
    with confidential(agency):
        return list(
            RiskAlert.objects.filter(agency=agency, referral=referral)
            .select_related("seen_by")
            .order_by("-sent_at")
        )


def risk_alert_get(*, agency, referral, pk: int) -> RiskAlert:
    """One risk alert about that referral of the agency, or 404."""
    with confidential(agency):
        return get_scoped_or_404(RiskAlert, agency=agency, referral=referral, pk=pk)


def risk_alerts_unseen_count(*, agency) -> int:
    with confidential(agency):
        return RiskAlert.objects.filter(agency=agency, seen_at__isnull=True).count()


def risk_alerts_unseen(*, agency, limit: int = 10) -> list[RiskAlert]:
    """The alerts nobody in the case team has marked seen, oldest first, each with its
    referral and participant (for the agency's home)."""
    with confidential(agency):
        return list(
            RiskAlert.objects.filter(agency=agency, seen_at__isnull=True)
            .select_related("referral__participant")
            .order_by("sent_at", "pk")[:limit]
        )


def referral_people(*, agency, referral) -> list[Victim]:
    """The people a referral's order names (and those outreach added), in order."""
    with confidential(agency):
        return list(Victim.objects.filter(agency=agency, referral=referral).order_by("pk"))


def referral_assignment(*, agency, referral) -> Assignment | None:
    with confidential(agency):
        return (
            Assignment.objects.filter(agency=agency, referral=referral)
            .select_related("worker")
            .first()
        )


SEARCH_ROWS = 20


def outreach_referrals_search(*, agency, text: str) -> list[Referral]:
    """The agency's referrals whose participant's name or court file number matches: how a
    worker finds a referral that no task leads to."""
    found = referral_selectors.search(scoped(Referral, agency), text)
    return list(found.select_related("participant").order_by("-received_on", "-pk")[:SEARCH_ROWS])


def outreach_workers(*, agency) -> QuerySet[User]:
    """The agency's active partner-contact workers, by name."""
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            agency=agency, role=Role.PARTNER_CONTACT, is_active=True
        ).values("user"),
    ).order_by("full_name", "email")


def task_get(*, agency, pk: int) -> OutreachTask:
    """One of the agency's outreach tasks, or 404."""
    with confidential(agency):
        return get_scoped_or_404(
            OutreachTask.objects.select_related("victim", "referral__agency"), agency=agency, pk=pk
        )


def open_tasks(*, victim: Victim) -> QuerySet[OutreachTask]:
    """A person's open tasks (to evaluate inside the confidential transaction)."""
    return OutreachTask.objects.filter(
        agency_id=victim.agency_id, victim=victim, state=OutreachTask.State.OPEN
    ).order_by("due_on", "pk")


def plan_version(*, victim: Victim, number: int) -> SafetyPlanVersion:
    """One version of a person's safety plan, or 404."""
    with confidential(victim.agency_id):
        return get_scoped_or_404(
            SafetyPlanVersion.objects.select_related("saved_by"),
            agency=victim.agency_id,
            victim=victim,
            number=number,
        )


def plan_latest(*, victim: Victim) -> SafetyPlanVersion | None:
    with confidential(victim.agency_id):
        return victim.plans.order_by("-number").first()


def support_services(*, agency) -> QuerySet[SupportService]:
    """The published support services of the agency's region (all of them when the region has
    none), by name in the reader's language."""
    services = SupportService.objects.filter(published=True)
    if services.filter(region_id=agency.region_id).exists():
        services = services.filter(region_id=agency.region_id)
    return services.order_by(f"name_{current_language()}", "pk")


def referral_concerns(*, agency, referral) -> list[Concern]:
    """The concerns for someone's safety raised about a referral, latest first."""
    with confidential(agency):
        return list(
            Concern.objects.filter(agency=agency, referral=referral)
            .select_related("raised_by")
            .order_by("-raised_at", "-pk")
        )


CONCERN_DAYS = 90


def concerns_without_task(*, agency, limit: int = 25) -> list[Concern]:
    """Recent concerns that made no task (the order names nobody outreach may contact): the
    home lists them, so that no concern goes unread."""
    since = timezone.now() - timedelta(days=CONCERN_DAYS)
    with confidential(agency):
        return list(
            Concern.objects.filter(agency=agency, raised_at__gte=since, tasks__isnull=True)
            .select_related("referral__participant")
            .only(
                "pk",
                "referral_id",
                "raised_at",
                "referral__status",
                "referral__participant__legal_name",
                "referral__participant__preferred_name",
            )
            .order_by("-raised_at", "-pk")[:limit]
        )
