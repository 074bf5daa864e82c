"""Reads of groups, sessions and documents, scoped to the agency; a facilitator who does not
also manage groups reaches only the groups they run (another group answers 404)."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ipv.core.tenancy import get_scoped_or_404, scoped
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


def groups_list(*, agency, user, membership) -> QuerySet[Group]:
    """The groups the person may see, with their places taken, running ones first."""
    return (
        _visible_groups(agency=agency, user=user, membership=membership)
        .annotate(enrolled=Count("enrollments", filter=Q(enrollments__ended_on__isnull=True)))
        .prefetch_related("facilitators")
        .order_by("-is_active", "weekday", "start_time", "name")
    )


def group_get(*, agency, user, membership, pk: int) -> Group:
    return get_object_or_404(
        _visible_groups(agency=agency, user=user, membership=membership), pk=pk
    )


def group_sessions(*, group) -> QuerySet[Session]:
    return group.sessions.select_related("module").annotate(marked=Count("attendance"))


def group_members(*, group) -> QuerySet[Enrollment]:
    return (
        group.enrollments.filter(ended_on__isnull=True)
        .select_related("referral__participant")
        .order_by("referral__participant__legal_name")
    )


def session_get(*, agency, user, membership, pk: int) -> Session:
    """A session of a group the person may see, or 404."""
    groups = _visible_groups(agency=agency, user=user, membership=membership)
    queryset = Session.objects.select_related("group", "module").filter(group__in=groups)
    return get_scoped_or_404(queryset, agency=agency, pk=pk)


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


def court_report_get(*, referral, pk: int) -> CourtReport:
    """A report of the referral that the court may read: the current one, not one replaced."""
    reports = CourtReport.objects.filter(referral=referral, replaced_by__isnull=True)
    return get_scoped_or_404(reports, agency=referral.agency, pk=pk)


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate of a code typed in any case, with or without its dashes."""
    cleaned = "".join(char for char in code.upper() if char.isalnum())
    if len(cleaned) != 12:
        return None
    formatted = "-".join(cleaned[i : i + 4] for i in range(0, 12, 4))
    return Certificate.objects.select_related("agency").filter(code=formatted).first()
