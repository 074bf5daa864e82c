"""Demo groups of the first agency, running for some weeks, with people at every stage of the
program: attending, completed (with their certificate), under non-compliance review, and
discharged (with the court's report). Keyed on the groups' names and the court file numbers:
loading twice leaves the same rows.

The past is written as it would have been: each person is taken through intake and placed in a
group by the services, their place dated from the group's start, and the weeks of attendance
recorded before the completion engine and the absence policy look at them. Here, above every
app, because each person's order names someone in the confidential store.
"""

from datetime import time, timedelta

from django.utils import timezone

from directory.models import Agency, Court
from ipv.accounts.models import User
from referrals.models import DischargeReason, Intake, Referral
from referrals.services import intake
from sessions_app.models import Attendance, CourtReport, Enrollment, Group, Session
from sessions_app.services import program
from sessions_app.services.attendance import follow_up
from sessions_app.services.documents import court_report_issue
from sessions_app.services.enrollment import enroll
from sessions_app.services.groups import group_create
from victims.services import referral_create_naming

GROUPS = [
    ("Mardi soir — français", "fr", 1, 15),
    ("Jeudi soir — anglais", "en", 3, 10),
]
# (file number, name, language, attendance week by week: P present, U unexcused, E excused)
PEOPLE = [
    ("4811-998-26-00109", "Alexandre Caron", "fr", "PPPPPPPPPPPP", None),
    ("4811-998-26-00110", "Jordan Miller", "en", "PPPEPP", None),
    ("4811-998-26-00111", "Martin Pelletier", "fr", "PPPUU", None),
    (
        "4811-998-26-00112",
        "Steven Clarke",
        "en",
        "PPUU",
        "Deux absences non motivées; sans réponse.",
    ),
]
MARKS = {
    "P": Attendance.Status.PRESENT,
    "U": Attendance.Status.UNEXCUSED,
    "E": Attendance.Status.EXCUSED,
}


def _group(agency, facilitator, manager, name, language, weekday, weeks_ago):
    group = Group.objects.filter(agency=agency, name=name).first()
    if group is None:
        group = group_create(
            agency=agency,
            by=manager,
            facilitators=[facilitator],
            name=name,
            program="ipv",
            language=language,
            weekday=weekday,
            start_time=time(18, 30),
            start_date=timezone.localdate() - timedelta(weeks=weeks_ago),
            location="1200, chemin de Montréal, bureau 310",
        )
    return group


def load() -> None:
    agency = Agency.objects.get(slug="riviere-des-outaouais")
    court = Court.objects.get(slug="ottawa")
    worker = User.objects.get(email="intake@demo.ipv.test")
    manager = User.objects.get(email="manager@demo.ipv.test")
    facilitator = User.objects.get(email="facilitator@demo.ipv.test")
    groups = {
        language: _group(agency, facilitator, manager, name, language, weekday, weeks)
        for name, language, weekday, weeks in GROUPS
    }
    today = timezone.localdate()
    for file_number, name, language, weeks, discharge in PEOPLE:
        if Referral.objects.filter(agency=agency, court_file_number=file_number).exists():
            continue
        group = groups[language]
        referral = referral_create_naming(
            agency=agency,
            by=worker,
            participant={
                "legal_name": name,
                "date_of_birth": "1987-04-12",
                "language": language,
                "phone": "+16135553000",
            },
            order={
                "program": "ipv",
                "stream": "coordinated_prosecution",
                "source_order": "probation_order",
                "court": court,
                "court_file_number": file_number,
                "charges": "Voies de fait (art. 266)",
                "order_date": group.start_date - timedelta(days=40),
                "received_on": group.start_date - timedelta(days=35),
                "complete_by": group.start_date + timedelta(weeks=20),
                "source": "probation",
            },
            named_people=[{"relationship": "victim", "full_name": f"Victime {file_number}"}],
        )
        intake.intake_book(
            referral=referral,
            by=worker,
            scheduled_at=timezone.now() + timedelta(minutes=5),
            mode=Intake.Mode.IN_PERSON,
        )
        program.intake_record(
            referral=referral,
            by=worker,
            held_on=today,
            eligibility="eligible",
            consents={"program_agreement": today, "release_court": today},
        )
        enroll(referral=referral, group=group, start_date=today, by=worker)
        # The demo's past: the place dates from the group's first session.
        Enrollment.objects.filter(referral=referral).update(start_date=group.start_date)
        sessions = Session.objects.filter(group=group, date__lt=today).order_by("date")
        Attendance.objects.bulk_create(
            Attendance(
                agency=agency,
                session=session,
                referral=referral,
                status=MARKS[mark],
                recorded_by=facilitator,
                recorded_at=timezone.now(),
            )
            for session, mark in zip(sessions, weeks, strict=False)
        )
        follow_up([referral.pk], facilitator)
        if discharge:
            program.referral_transition(
                referral=referral,
                name="discharge",
                by=worker,
                reason=discharge,
                discharge_reason=DischargeReason.ABSENCES,
            )
            # The worker read the report's preview, and sent it.
            court_report_issue(referral=referral, kind=CourtReport.Kind.NON_COMPLIANCE, by=worker)
