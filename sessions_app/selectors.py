"""Reads of groups, sessions and documents, scoped to the agency; a facilitator who does not
also manage groups reaches only the groups they run (another group answers 404)."""

from dataclasses import dataclass

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ipv.audit.models import AuditEvent
from ipv.core.search import by_name
from ipv.core.tenancy import get_scoped_or_404, scoped
from referrals.models import Referral, Status
from sessions_app.models import (
    Certificate,
    CourtReport,
    Curriculum,
    Enrollment,
    Group,
    Session,
)


def _visible_groups(*, agency, user, membership) -> QuerySet[Group]:
    groups = scoped(Group, agency)
    if not membership.can("groups.manage"):
        groups = groups.filter(facilitators=user)
    return groups


def groups_list(*, agency, user, membership, running: bool = True) -> QuerySet[Group]:
    """The groups the person may see, running or closed, with their places taken, by day of
    the week and time."""
    return (
        _visible_groups(agency=agency, user=user, membership=membership)
        .filter(is_active=running)
        .annotate(enrolled=Count("enrollments", filter=Q(enrollments__ended_on__isnull=True)))
        .prefetch_related("facilitators")
        .order_by("weekday", "start_time", "name", "pk")
    )


def group_get(*, agency, user, membership, pk: int) -> Group:
    return get_object_or_404(
        _visible_groups(agency=agency, user=user, membership=membership), pk=pk
    )


def group_sessions(*, group) -> QuerySet[Session]:
    """The group's sessions by date, each with how many people were marked (`marked`). The
    order is said here: an aggregate leaves the model's own ordering out."""
    return (
        group.sessions.select_related("module")
        .annotate(marked=Count("attendance"))
        .order_by("date", "start_time", "pk")
    )


@dataclass(frozen=True)
class Schedule:
    past: list  # before today, oldest first
    upcoming: list  # from today on
    next: Session | None  # the first session to come that is not cancelled


def group_schedule(*, group) -> Schedule:
    """The group's sessions split at today, in one query."""
    today = timezone.localdate()
    every = list(group_sessions(group=group))
    upcoming = [session for session in every if session.date >= today]
    scheduled = (s for s in upcoming if s.status == Session.Status.SCHEDULED)
    return Schedule(
        past=[session for session in every if session.date < today],
        upcoming=upcoming,
        next=next(scheduled, None),
    )


def group_members(*, group) -> QuerySet[Enrollment]:
    return (
        group.enrollments.filter(ended_on__isnull=True)
        .select_related("referral__participant")
        .order_by(*by_name("referral__participant__legal_name"))
    )


def session_get(*, agency, user, membership, pk: int) -> Session:
    """A session of a group the person may see, or 404."""
    groups = _visible_groups(agency=agency, user=user, membership=membership)
    queryset = Session.objects.select_related("group", "module").filter(group__in=groups)
    return get_scoped_or_404(queryset, agency=agency, pk=pk)


def in_a_group_on(day) -> Q:
    """The referrals that were in a group of the program on `day`: enrolled or under review,
    or completed since (a moment ago, by the save of another session, for instance)."""
    return Q(status__in=[Status.ENROLLED, Status.NON_COMPLIANT]) | Q(
        status=Status.COMPLETED, status_changed_at__date__gte=day
    )


def makeup_candidates(*, session) -> QuerySet[Referral]:
    """Who may come to `session` as a make-up: people of the group's program who are not in
    this group now (whoever was in it before counts), each with the name of their latest
    group (`home_group`)."""
    members_now = Enrollment.objects.filter(
        referral=OuterRef("pk"), group_id=session.group_id, ended_on__isnull=True
    )
    home_group = Enrollment.objects.filter(referral=OuterRef("pk")).order_by("-start_date", "-pk")
    return (
        scoped(Referral, session.agency_id)
        .filter(in_a_group_on(session.date), program=session.group.program)
        .exclude(Exists(members_now))
        .select_related("participant")
        .annotate(home_group=Subquery(home_group.values("group__name")[:1]))
        .order_by("participant__legal_name", "pk")
    )


def open_groups_for(*, referral) -> QuerySet[Group]:
    """Running groups where the referral may be placed: its program and language."""
    return (
        scoped(Group, referral.agency)
        .filter(is_active=True, program=referral.program, language=referral.participant.language)
        .annotate(enrolled=Count("enrollments", filter=Q(enrollments__ended_on__isnull=True)))
    )


def current_enrollment(*, referral) -> Enrollment | None:
    return (
        Enrollment.objects.filter(referral=referral, ended_on__isnull=True)
        .select_related("group")
        .first()
    )


def upcoming_sessions(*, agency, user, membership, count=5) -> QuerySet[Session]:
    """The next sessions of the groups the person may see, today's first."""
    groups = _visible_groups(agency=agency, user=user, membership=membership)
    return (
        Session.objects.filter(
            group__in=groups, status=Session.Status.SCHEDULED, date__gte=timezone.localdate()
        )
        .select_related("group", "module")
        .order_by("date", "start_time")[:count]
    )


def curricula_current(*, agency) -> list[Curriculum]:
    """The latest version of each program's curriculum the agency has, with its modules."""
    latest = {}
    for curriculum in (
        Curriculum.objects.filter(agency=agency)
        .order_by("program", "-version")
        .prefetch_related("modules")
    ):
        latest.setdefault(curriculum.program, curriculum)
    return list(latest.values())


def referral_documents(*, referral, for_court=False) -> dict:
    """The certificates and court reports issued for a referral, newest first, each report
    with the one it replaces and the one that replaced it. The court sees only the reports
    still current, and the notice of return (when there is one) as `notice`."""
    reports = CourtReport.objects.filter(referral=referral).select_related(
        "replaces", "replaced_by"
    )
    if for_court:
        reports = reports.filter(replaced_by__isnull=True)
    reports = list(reports)
    kinds = {report.kind for report in reports}
    return {
        "certificates": list(Certificate.objects.filter(referral=referral)),
        "reports": reports,
        "notice": next((r for r in reports if r.kind == CourtReport.Kind.RETURN_NOTICE), None),
        "non_compliance_sent": CourtReport.Kind.NON_COMPLIANCE in kinds,
    }


def _downloaded_by_court(model) -> Exists:
    """The document has been downloaded from the court portal (each download is audited)."""
    return Exists(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DOCUMENT_DOWNLOADED,
            agency_id=OuterRef("agency_id"),
            target_type=model._meta.label_lower,
            target_id=Cast(OuterRef("pk"), CharField()),
            details__reader="court",
        )
    )


def court_documents(*, agency, waiting: bool = False) -> dict[str, QuerySet]:
    """The agency's certificates (valid ones) and court reports, newest first, each marked
    `downloaded` once the court has downloaded it; with `waiting`, only those it has not."""
    documents = {}
    for name, queryset in (
        ("certificates", scoped(Certificate, agency).filter(revoked_at__isnull=True)),
        ("reports", scoped(CourtReport, agency)),
    ):
        queryset = queryset.annotate(downloaded=_downloaded_by_court(queryset.model))
        if waiting:
            queryset = queryset.filter(downloaded=False)
            if name == "reports":
                # The court sees only the latest report: one replaced is no longer its to fetch.
                queryset = queryset.filter(replaced_by__isnull=True)
        documents[name] = (
            queryset.select_related("referral__participant", "referral__court")
            .defer("pdf")
            .order_by("-issued_at", "-pk")
        )
    return documents


def court_documents_waiting_count(*, agency) -> int:
    """How many documents the court has not downloaded yet."""
    return sum(
        queryset.count() for queryset in court_documents(agency=agency, waiting=True).values()
    )


def certificate_get(*, agency, referral) -> Certificate:
    """The referral's valid certificate, or 404: a revoked one attests nothing, and is not
    handed out again (the verify page says it was revoked)."""
    certificate = (
        scoped(Certificate, agency).filter(referral=referral, revoked_at__isnull=True).first()
    )
    if certificate is None:
        raise Http404
    return certificate


def report_get(*, agency, pk: int) -> CourtReport:
    return get_scoped_or_404(CourtReport.objects.select_related("referral"), agency=agency, pk=pk)


def certificate_code(typed: str) -> str | None:
    """A code as printed (7KQF-3XWM-PA9C) from one typed in any case, with or without its
    dashes or spaces; None when it cannot be a code (any other character, another length)."""
    cleaned = "".join(char for char in typed.upper() if char not in "- ")
    if len(cleaned) != 12 or not all("A" <= char <= "Z" or "0" <= char <= "9" for char in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, 12, 4))


def court_report_get(*, referral, pk: int) -> CourtReport:
    """A report of the referral that the court may read: the current one, not one replaced."""
    reports = CourtReport.objects.filter(referral=referral, replaced_by__isnull=True)
    return get_scoped_or_404(reports, agency=referral.agency, pk=pk)


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate of a code typed in any case, with or without its dashes."""
    formatted = certificate_code(code)
    if formatted is None:
        return None
    return Certificate.objects.select_related("agency").filter(code=formatted).first()
