"""Benchmark data and work of the groups: 5,000,000 attendance rows over two years of weekly
sessions of 100 groups of the bench agency and two of every other agency (COPY, indexes after),
a roster of 20 people to save, certificates to render, and the sweep that prepares 10,000
session reminders (5,000 people in 125 groups meeting the same day, each agreeing to email and
texts)."""

import random
from datetime import datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone

from directory.models import Agency
from ipv.accounts.models import User
from ipv.core.bulkload import copy, loading
from ipv.notifications.models import OutboxMessage
from referrals.bench import AGENCY, INTAKE_WORKER
from referrals.models import Participant, Referral, Status
from sessions_app.models import Attendance, Certificate, Enrollment, Group, Session
from sessions_app.services.documents import document_pdf
from sessions_app.services.groups import curriculum_current, group_create, sessions_extend
from sessions_app.services.reminders import session_reminders_prepare

GROUPS = 100
OTHER_GROUPS = 2  # in each other agency of the province
ROWS_PER_REFERRAL = 25
ATTENDANCE = 5_000_000
ATTENDED = [Status.COMPLETED, Status.DISCHARGED, Status.NON_COMPLIANT, Status.RETURNED_TO_COURT]
ROSTER_GROUP = "Bench roster group"
ROSTER_SIZE = 20
REMINDER_GROUP = "Bench reminders "
REMINDER_GROUPS, REMINDER_GROUP_SIZE = 125, 40


def _groups(agency, worker, count):
    """Two years of weekly sessions for each of `count` open-entry groups of `agency`."""
    groups = list(Group.objects.filter(agency=agency, name__startswith="Bench group "))
    start = timezone.localdate() - timedelta(weeks=104)
    curriculum_current(agency=agency, program=agency.programs[0])
    for n in range(len(groups), count):
        groups.append(
            group_create(
                agency=agency,
                by=worker,
                name=f"Bench group {n}",
                program=agency.programs[0],
                language="fr",
                weekday=n % 5,
                start_time=time(18, 30),
                start_date=start,
                location="1200 Montréal Road",
            )
        )
    return groups


def _held(groups) -> dict:
    """Each group's past sessions, by date (read before the COPY: the connection does nothing
    else while it runs)."""
    today = timezone.localdate()
    return {
        group.pk: list(
            group.sessions.filter(date__lt=today).order_by("date").values_list("pk", flat=True)
        )
        for agency_groups in groups.values()
        for group in agency_groups
    }


def _rows(worker, groups, sessions, referrals):
    """ROWS_PER_REFERRAL attendance rows for each of `referrals` [(id, agency id)], at
    consecutive past sessions (`sessions`, by group) of one group of its agency."""
    rng = random.Random(2027)  # noqa: S311 (fixed, reproducible data, not security)
    statuses = ["present"] * 8 + ["late", "excused", "unexcused", "left_early"]
    for referral, agency in referrals:
        agency_groups = groups[agency]
        held = sessions[agency_groups[referral % len(agency_groups)].pk]
        first = rng.randrange(0, len(held) - ROWS_PER_REFERRAL)
        for session in held[first : first + ROWS_PER_REFERRAL]:
            status = rng.choice(statuses)
            late = rng.randint(1, 30) if status == "late" else None
            yield (agency, session, referral, status, late, worker.pk)


def _attendance(worker, groups):
    """ATTENDANCE rows: ROWS_PER_REFERRAL for each of the first closed referrals (completed,
    discharged, not complying, returned to court) of the agencies that have groups. COPY,
    indexes built after."""
    if Attendance.objects.exists():
        return
    referrals = (
        Referral.objects.filter(agency__in=list(groups), status__in=ATTENDED)
        .order_by("pk")
        .values_list("pk", "agency_id")[: ATTENDANCE // ROWS_PER_REFERRAL]
    )
    columns = ["agency_id", "session_id", "referral_id", "status", "minutes_late"]
    columns += ["recorded_by_id"]
    referrals, sessions = list(referrals), _held(groups)
    with loading(Attendance):
        copy(Attendance, columns, _rows(worker, groups, sessions, referrals))


def _enrol(agency, worker, group, people, *, file_prefix, template=None) -> None:
    """`people` referred by the court as the agency's first referral was, and enrolled in
    `group` from its first session (file numbers `file_prefix` + their rank)."""
    template = template or Referral.objects.filter(agency=agency).first()
    referrals = Referral.objects.bulk_create(
        Referral(
            agency=agency,
            participant=person,
            court_id=template.court_id,
            program="ipv",
            stream="early_intervention",
            source_order="release_order",
            source="court",
            court_file_number=f"{file_prefix}{k}",
            charges="Assault",
            order_date=template.order_date,
            received_on=template.received_on,
            complete_by=template.complete_by,
            status=Status.ENROLLED,
            submitted_by=worker,
            accepted_at=timezone.now(),
        )
        for k, person in enumerate(people)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            agency=agency,
            referral=referral,
            group=group,
            start_date=group.start_date,
            created_by=worker,
        )
        for referral in referrals
    )


def _roster(agency, worker):
    """A group with twenty people enrolled and a session held an hour ago."""
    group = Group.objects.filter(agency=agency, name=ROSTER_GROUP).first()
    if group is None:
        group = group_create(
            agency=agency,
            by=worker,
            name=ROSTER_GROUP,
            program="ipv",
            language="fr",
            weekday=timezone.localdate().weekday(),
            start_time=time(0, 0),
            start_date=timezone.localdate() - timedelta(weeks=4),
            capacity=ROSTER_SIZE,
            location="1200 Montréal Road",
        )
        people = Participant.objects.bulk_create(
            Participant(
                agency=agency,
                legal_name=f"Roster Person {n}",
                date_of_birth="1985-01-01",
                language="fr",
            )
            for n in range(ROSTER_SIZE)
        )
        _enrol(agency, worker, group, people, file_prefix="ROSTER-")
    sessions_extend(group=group)  # the data set outlives the day it was made
    return group


def reminders_seed(agency, worker) -> None:
    """REMINDER_GROUPS groups meeting on the same weekday, each full of people enrolled who
    agree to email and texts: 10,000 reminders the day before their session."""
    have = Group.objects.filter(agency=agency, name__startswith=REMINDER_GROUP).count()
    template = Referral.objects.filter(agency=agency).first()
    weekday = (timezone.localdate() + timedelta(days=1)).weekday()
    for n in range(have, REMINDER_GROUPS):
        group = group_create(
            agency=agency,
            by=worker,
            name=f"{REMINDER_GROUP}{n}",
            program="ipv",
            language="fr",
            weekday=weekday,
            start_time=time(18, 30),
            start_date=timezone.localdate(),
            capacity=REMINDER_GROUP_SIZE,
            location="1200 Montréal Road",
        )
        people = Participant.objects.bulk_create(
            Participant(
                agency=agency,
                legal_name=f"Reminded Person {n}-{k}",
                date_of_birth="1985-01-01",
                language="fr" if k % 3 else "en",
                email=f"reminded-{n}-{k}@example.org",
                phone="+16135550142",
                consent_email=True,
                consent_sms=True,
            )
            for k in range(REMINDER_GROUP_SIZE)
        )
        _enrol(agency, worker, group, people, file_prefix=f"REMIND-{n}-", template=template)


def reminders_moment(agency):
    """17:05 the day before the reminder groups' next session: the sweep's moment."""
    first = Session.objects.filter(
        agency=agency,
        group__name__startswith=REMINDER_GROUP,
        date__gt=timezone.localdate(),
        status=Session.Status.SCHEDULED,
    ).aggregate(day=Min("date"))["day"]
    return timezone.make_aware(datetime.combine(first - timedelta(days=1), time(17, 5)))


def reminders_clear() -> None:
    """Untimed, before each run: the sweep finds nothing written yet."""
    OutboxMessage.objects.filter(kind="session_reminder").delete()


def seed() -> dict:
    agency = Agency.objects.get(slug=AGENCY)
    worker = User.objects.get(email=INTAKE_WORKER)
    curriculum_current(agency=agency, program="ipv")
    groups = {agency.pk: _groups(agency, worker, GROUPS)}
    others = Agency.objects.filter(referrals__isnull=False).exclude(pk=agency.pk).distinct()
    for other in others.order_by("pk"):
        groups[other.pk] = _groups(other, worker, OTHER_GROUPS)
    _attendance(worker, groups)
    _roster(agency, worker)
    reminders_seed(agency, worker)
    return {
        "groups": Group.objects.count(),
        "sessions": Session.objects.count(),
        "attendance": Attendance.objects.count(),
    }


def _roster_data(session) -> dict:
    referrals = Referral.objects.filter(enrollments__group=session.group).order_by("pk")
    data = {}
    for referral in referrals:
        data[f"r{referral.pk}-status"] = "present"
        data[f"r{referral.pk}-note"] = ""
    return data


def pages() -> list[tuple]:
    agency = Agency.objects.get(slug=AGENCY)
    session = (
        Session.objects.filter(group__agency=agency, group__name=ROSTER_GROUP)
        .filter(date__lte=timezone.localdate())
        .latest("date")
    )
    with_attendance = (
        Attendance.objects.filter(agency=agency).order_by("-pk").values_list("referral", flat=True)
    )[0]
    base = f"/fr/a/{AGENCY}"
    return [
        ("roster of 20", f"{base}/sessions/{session.pk}/", {}, INTAKE_WORKER),
        (
            "roster save, 20 people",
            f"{base}/sessions/{session.pk}/",
            {},
            INTAKE_WORKER,
            _roster_data(session),
        ),
        (
            "referral page with attendance",
            f"{base}/referrals/{with_attendance}/",
            {},
            INTAKE_WORKER,
        ),
        ("groups list", f"{base}/groups/", {}, INTAKE_WORKER),
        (
            "group page (two years of sessions)",
            f"{base}/groups/{session.group_id}/",
            {},
            INTAKE_WORKER,
        ),
    ]


def work() -> list[tuple]:
    """Render a certificate of twelve modules, as the worker does once per completion."""
    agency = Agency.objects.get(slug=AGENCY)
    referral = Referral.objects.filter(agency=agency, status=Status.COMPLETED).first()
    modules = curriculum_current(agency=agency, program="ipv").modules.all()
    certificate = Certificate(
        agency=agency,
        referral=referral,
        code="BNCH-BNCH-BNCH",
        language="fr",
        details={
            "name": "Éloïse Côté-Bérubé",
            "initials": "É. C.-B.",
            "program": "ipv",
            "agency": {"fr": agency.name_fr, "en": agency.name_en},
            "court": {"fr": referral.court.name_fr, "en": referral.court.name_en},
            "court_file_number": referral.court_file_number,
            "started_on": "2026-09-01",
            "completed_on": "2026-11-17",
            "modules": [
                {"number": m.number, "title": m.title_fr, "date": "2026-10-01"} for m in modules
            ],
        },
    )
    moment = reminders_moment(agency)

    def sweep():
        written = session_reminders_prepare(now=moment)
        if written != REMINDER_GROUPS * REMINDER_GROUP_SIZE * 2:
            raise RuntimeError(f"the sweep wrote {written} reminders")

    return [
        ("certificate PDF render", lambda: document_pdf(certificate)),
        (
            "session reminder sweep, 10,000 reminders",
            sweep,
            {"setup": reminders_clear, "runs": 3, "warm": 1},
        ),
    ]


# The floors: the hand-written SQL that fetches what each page shows (ipv.pages' bench command).
def _roster_floor(session) -> list[tuple]:
    """The session with its group and module, and the roster: who is enrolled that day (or
    came to make it up), by name, with what was recorded for them."""
    return [
        (
            "SELECT s.id, s.date, s.start_time, s.status, g.name, g.duration_minutes, "
            "m.number, m.title_fr FROM sessions_app_session s "
            "JOIN sessions_app_group g ON g.id = s.group_id "
            "LEFT JOIN sessions_app_module m ON m.id = s.module_id WHERE s.id = %s",
            [session.pk],
        ),
        (
            """
            SELECT r.id, p.legal_name, p.preferred_name, a.status, a.minutes_late, a.note,
                   a.makeup, a.recorded_at
            FROM referrals_referral r JOIN referrals_participant p ON p.id = r.participant_id
            LEFT JOIN sessions_app_attendance a ON a.session_id = %s AND a.referral_id = r.id
            WHERE r.id IN (
                SELECT referral_id FROM sessions_app_enrollment
                WHERE group_id = %s AND start_date <= %s
                  AND (ended_on IS NULL OR ended_on >= %s)
                UNION SELECT referral_id FROM sessions_app_attendance
                WHERE session_id = %s AND makeup
            )
            ORDER BY f_unaccent(lower(p.legal_name)), r.id
            """,
            [session.pk, session.group_id, session.date, session.date, session.pk],
        ),
    ]


def floors() -> dict:
    from referrals.bench import _referral

    agency = Agency.objects.get(slug=AGENCY)
    session = (
        Session.objects.filter(group__agency=agency, group__name=ROSTER_GROUP)
        .filter(date__lte=timezone.localdate())
        .latest("date")
    )
    with_attendance = (
        Attendance.objects.filter(agency=agency).order_by("-pk").values_list("referral", flat=True)
    )[0]
    return {
        "roster of 20": _roster_floor(session),
        "referral page with attendance": _referral(with_attendance),
        # The running groups, a page of 50, and how many there are (the pages' links).
        "groups list": [
            (
                "SELECT count(*) FROM sessions_app_group WHERE agency_id = %s AND is_active",
                [agency.pk],
            ),
            (
                """
                WITH shown AS (
                    SELECT g.id, g.name, g.program, g.language, g.weekday, g.start_time,
                           g.capacity,
                           (SELECT count(*) FROM sessions_app_enrollment e
                            WHERE e.group_id = g.id AND e.ended_on IS NULL)
                    FROM sessions_app_group g WHERE g.agency_id = %s AND g.is_active
                    ORDER BY g.weekday, g.start_time, g.name, g.id LIMIT 50
                )
                SELECT shown.*, u.full_name FROM shown
                LEFT JOIN sessions_app_group_facilitators gf ON gf.group_id = shown.id
                LEFT JOIN accounts_user u ON u.id = gf.user_id
                """,
                [agency.pk],
            ),
        ],
        "group page (two years of sessions)": [
            (
                "SELECT id, name, program, language, weekday, start_time, location, capacity "
                "FROM sessions_app_group WHERE id = %s",
                [session.group_id],
            ),
            (
                """
                SELECT s.id, s.date, s.start_time, s.status, m.number,
                       (SELECT count(*) FROM sessions_app_attendance a WHERE a.session_id = s.id)
                FROM sessions_app_session s LEFT JOIN sessions_app_module m ON m.id = s.module_id
                WHERE s.group_id = %s ORDER BY s.date, s.start_time, s.id
                """,
                [session.group_id],
            ),
            (
                "SELECT e.start_date, r.id, p.legal_name, p.preferred_name "
                "FROM sessions_app_enrollment e "
                "JOIN referrals_referral r ON r.id = e.referral_id "
                "JOIN referrals_participant p ON p.id = r.participant_id "
                "WHERE e.group_id = %s AND e.ended_on IS NULL "
                "ORDER BY f_unaccent(lower(p.legal_name))",
                [session.group_id],
            ),
        ],
    }
