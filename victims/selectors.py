"""Reads of the confidential store. What case workers may know is only how many people an
order names (and the risk alerts sent to them); the records themselves are read by
partner-contact workers, each read audited by the page that shows it.

Each read names its agency to the row-level security policies (victims.rls) and returns
evaluated rows: a lazy queryset read after the transaction would see nothing."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ipv.audit.models import AuditEvent
from ipv.core.tenancy import get_scoped_or_404
from referrals.models import Referral, Status
from sessions_app.models import Attendance, Enrollment
from victims.models import Assignment, OutreachTask, RiskAlert, SafetyPlanVersion, Victim
from victims.rls import confidential


def victims_named_count(*, agency, referral) -> int:
    """How many people the referral's order names. Not who they are."""
    with confidential(agency):
        return Victim.objects.filter(agency=agency, referral=referral).count()


def victims_named_counts(*, agency, referrals: QuerySet) -> dict[int, int]:
    """Referral id → how many people its order names, for a page of referrals in one query."""
    with confidential(agency):
        rows = (
            Victim.objects.filter(agency=agency, referral__in=referrals)
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


def plan_version_get(*, victim: Victim, number: int) -> SafetyPlanVersion:
    """One version of a person's safety plan, or 404."""
    with confidential(victim.agency_id):
        return get_scoped_or_404(
            SafetyPlanVersion.objects.filter(victim=victim),
            agency=victim.agency_id,
            number=number,
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
    overdue_count: int
    unassigned_overdue_count: int


HOME_ROWS = 200


def outreach_home(*, agency, user, filters: TaskFilters = TaskFilters()) -> Home:
    """The partner-contact worker's home: their open tasks by due date, the tasks nobody holds,
    their caseload. A fixed number of queries, whatever the number of rows."""
    today = timezone.localdate()
    with confidential(agency):
        open_tasks = _filtered(
            OutreachTask.objects.filter(agency=agency, state=OutreachTask.State.OPEN),
            filters,
            today,
        ).select_related("victim", "referral__participant")
        mine = list(
            open_tasks.filter(assignee=user).order_by("due_on", "-urgent", "pk")[:HOME_ROWS]
        )
        unassigned = list(
            open_tasks.filter(assignee__isnull=True).order_by("due_on", "-urgent", "pk")[:HOME_ROWS]
        )
        counts = OutreachTask.objects.filter(
            agency=agency, state=OutreachTask.State.OPEN, due_on__lt=today
        ).aggregate(
            mine=Count("pk", filter=Q(assignee=user)),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        )
        caseload = list(
            Assignment.objects.filter(agency=agency, worker=user)
            .exclude(referral__status__in=[Status.TRANSFERRED])
            .select_related("referral__participant")
            .order_by("-assigned_at")[:HOME_ROWS]
        )
    return Home(
        overdue=[t for t in mine if t.due_on < today],
        today=[t for t in mine if t.due_on == today],
        upcoming=[t for t in mine if t.due_on > today],
        unassigned=unassigned,
        caseload=caseload,
        overdue_count=counts["mine"],
        unassigned_overdue_count=counts["unassigned"],
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
            "contacts": list(
                victim.contacts.select_related("by", "support_service").order_by("-at", "-pk")[:100]
            ),
            "tasks": list(
                victim.tasks.select_related("assignee").order_by("state", "due_on", "pk")[:100]
            ),
            "plans": list(
                victim.plans.select_related("saved_by").only(
                    "pk",
                    "number",
                    "saved_at",
                    "saved_by__first_name",
                    "saved_by__last_name",
                    "saved_by__email",
                    "victim_id",
                    "agency_id",
                )
            ),
            "letters": list(victim.letters.select_related("by")[:50]),
            "assignment": Assignment.objects.filter(referral_id=victim.referral_id)
            .select_related("worker")
            .first(),
        }


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


def risk_alerts(*, agency, referral) -> list[RiskAlert]:
    """The risk alerts outreach sent about a referral (what the case team may see)."""
    with confidential(agency):
        return list(
            RiskAlert.objects.filter(agency=agency, referral=referral)
            .select_related("seen_by")
            .order_by("-sent_at")
        )


def risk_alerts_unseen_count(*, agency) -> int:
    with confidential(agency):
        return RiskAlert.objects.filter(agency=agency, seen_at__isnull=True).count()
