"""Referrals and court reports written straight to the database, at fixed dates, for the
figures' hand-counted fixtures (the services would stamp today's date on them)."""

from datetime import date, datetime, time, timedelta
from itertools import count

from django.utils import timezone

from referrals.models import Participant, Referral, Status
from sessions_app.models import CourtReport
from tests.factories import UserFactory

_numbers = count(1)


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def referral(
    agency,
    court,
    received_on: date,
    *,
    status=Status.RECEIVED,
    changed_on: date | None = None,
    stream="early_intervention",
    via=Referral.Via.STAFF,
) -> Referral:
    """A referral received on `received_on` whose status is `status` since `changed_on`."""
    n = next(_numbers)
    person = Participant.objects.create(
        agency=agency,
        legal_name=f"Person Number{n}",
        date_of_birth=date(1980, 1, 1),
        language="en",
        phone=f"+1613555{n % 10_000:04d}",
    )
    return Referral.objects.create(
        agency=agency,
        submitted_by=UserFactory(email="figures@example.org", full_name="Fiona Figures"),
        participant=person,
        court=court,
        program="ipv",
        stream=stream,
        source_order="release_order",
        source="court",
        court_file_number=f"4811-998-26-{n:06d}",
        charges="Assault (s. 266)",
        order_date=received_on - timedelta(days=2),
        received_on=received_on,
        complete_by=received_on + timedelta(days=200),
        status=status,
        discharge_reason="absences" if status == Status.DISCHARGED else "",
        via=via,
        status_changed_at=at_noon(changed_on or received_on),
    )


def many(n, *args, **kwargs) -> list[Referral]:
    return [referral(*args, **kwargs) for _ in range(n)]


def report(referral, issued_on: date, *, replaces=None, kind=CourtReport.Kind.NON_COMPLIANCE):
    """A report issued to the court on `issued_on` (a correction when it `replaces` one)."""
    return CourtReport.objects.create(
        agency_id=referral.agency_id,
        referral=referral,
        kind=kind,
        code=f"TEST-{next(_numbers):04d}-{kind[:4]}",
        language="en",
        issued_at=at_noon(issued_on),
        details={},
        replaces=replaces,
    )
