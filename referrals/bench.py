"""Benchmark data and pages of the referrals: 100,000 referrals in one agency (the worst case
for its intake queue), each with its participant and timeline, seen by an intake worker and by
the court liaison officer of their court."""

import random
from datetime import date, datetime, time, timedelta

from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from directory.models import Agency, Court
from ipv.accounts.models import LiaisonProfile, Membership, Role, User
from referrals.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    DischargeReason,
    EventKind,
    Participant,
    Referral,
    ReferralSource,
    SourceOrder,
    Status,
    Stream,
    TimelineEntry,
)

REFERRALS = 100_000
BATCH = 5_000
AGENCY = "riviere-des-outaouais"
INTAKE_WORKER = "bench-intake@bench.ipv.test"
LIAISON_OFFICER = "bench-liaison@bench.ipv.test"
# Any fixed secret: the bench signs people in directly, their second factor only has to exist.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (bench data, never a real account)

FIRST = [
    "Jean-Marc",
    "Kevin",
    "Éric",
    "Daniel",
    "Mathieu",
    "Samuel",
    "Luc",
    "Michael",
    "François",
    "Ahmed",
    "Patrick",
    "Sébastien",
    "Ryan",
    "Olivier",
    "Tyler",
    "Hugo",
]
LAST = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Smith",
    "Brown",
    "Wilson",
    "MacDonald",
    "O'Brien",
    "Nguyen",
    "Singh",
    "Lévesque",
    "Bélanger",
    "Okafor",
    "Whitehorse",
]
OPEN = sorted(OPEN_STATUSES)
CLOSED = sorted(CLOSED_STATUSES - {Status.TRANSFERRED})


def _person(email, name):
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
    if created:
        user.set_unusable_password()
        user.save()
        TOTP.activate(user, TOTP_SECRET)
    return user


def _people(agency, court):
    worker = _person(INTAKE_WORKER, "Bench Intake")
    Membership.objects.get_or_create(user=worker, agency=agency, role=Role.INTAKE)
    officer = _person(LIAISON_OFFICER, "Bench Liaison")
    LiaisonProfile.objects.get_or_create(user=officer)[0].courts.add(court)
    return worker, officer


def _batch(rng, agency, court, worker, start, size, today):
    people, referrals = [], []
    for n in range(start, start + size):
        received = today - timedelta(days=rng.randint(0, 5 * 365))
        ordered = received - timedelta(days=rng.randint(0, 20))
        # One in ten still open; the rest is years of closed files.
        status = rng.choice(OPEN) if n % 10 == 0 else rng.choice(CLOSED)
        people.append(
            Participant(
                agency=agency,
                legal_name=f"{FIRST[n % len(FIRST)]} {LAST[(n // 7) % len(LAST)]} {n}",
                date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randint(0, 18_000)),
                language="fr" if n % 3 else "en",
                phone=f"+1613555{n % 10_000:04d}",
            )
        )
        # The moments of its way, spread as real files are: contact within days, closing
        # weeks or months later (never after today).
        arrived = timezone.make_aware(datetime.combine(received, time(10)))
        now = timezone.now()
        contacted = (
            min(arrived + timedelta(days=rng.randint(0, 14)), now)
            if status != Status.RECEIVED
            else None
        )
        changed = (
            min(arrived + timedelta(days=rng.randint(7, 200)), now)
            if status in CLOSED_STATUSES
            else min(arrived + timedelta(days=rng.randint(0, 30)), now)
        )
        referrals.append(
            Referral(
                agency=agency,
                court=court,
                program="ipv",
                stream=rng.choice(Stream.values),
                source_order=rng.choice(SourceOrder.values),
                source=rng.choice(ReferralSource.values),
                court_file_number=f"4811-998-{received.year % 100:02d}-{n:06d}",
                charges="Assault (s. 266)",
                order_date=ordered,
                received_on=received,
                complete_by=ordered + timedelta(weeks=rng.randint(14, 26)),
                status=status,
                submitted_by=worker,
                accepted_at=arrived,
                accepted_by=worker,
                first_contact_at=contacted,
                status_changed_at=changed,
                # A discharge says why (the statistics count discharges by reason).
                discharge_reason=rng.choice(DischargeReason.values)
                if status == Status.DISCHARGED
                else "",
            )
        )
    Participant.objects.bulk_create(people)
    for referral, person in zip(referrals, people, strict=True):
        referral.participant = person
    Referral.objects.bulk_create(referrals)
    entries = []
    for referral in referrals:
        entries.append(
            TimelineEntry(
                agency=agency,
                referral=referral,
                kind=EventKind.CREATED,
                by=worker,
                to_status=Status.RECEIVED,
            )
        )
        if referral.status != Status.RECEIVED:
            entries.append(
                TimelineEntry(
                    agency=agency,
                    referral=referral,
                    kind=EventKind.WITHDRAW,
                    by=worker,
                    from_status=Status.RECEIVED,
                    to_status=referral.status,
                    reason="Bench data.",
                )
            )
    TimelineEntry.objects.bulk_create(entries)


def seed() -> dict:
    """Create the data set once; later runs find it and reuse it."""
    agency = Agency.objects.get(slug=AGENCY)
    court = Court.objects.get(slug="ottawa")
    worker, _officer = _people(agency, court)
    rng = random.Random(2026)  # noqa: S311 (fixed, reproducible data, not security)
    today = timezone.localdate()
    existing = Referral.objects.filter(agency=agency).count()
    for start in range(existing, REFERRALS, BATCH):
        with transaction.atomic():
            _batch(rng, agency, court, worker, start, min(BATCH, REFERRALS - start), today)
    return {
        "referrals": Referral.objects.count(),
        "participants": Participant.objects.count(),
        "timeline_entries": TimelineEntry.objects.count(),
    }


HTMX = {"HX-Request": "true", "HX-Target": "results"}


def pages() -> list[tuple[str, str, dict, str]]:
    """(name, URL, headers, who) of the referral pages, in the shapes people use them."""
    queue = f"/fr/a/{AGENCY}/referrals/"
    referral = Referral.objects.filter(agency__slug=AGENCY).order_by("-received_on", "-pk")[500]
    file_number = referral.court_file_number[:-2]
    return [
        ("intake queue (open referrals)", queue, {}, INTAKE_WORKER),
        ("intake queue, overdue", f"{queue}?overdue=on", {}, INTAKE_WORKER),
        ("intake queue, all, page 200", f"{queue}?status=all&page=200", {}, INTAKE_WORKER),
        (
            "intake queue, stream + language",
            f"{queue}?stream=early_intervention&language=en",
            {},
            INTAKE_WORKER,
        ),
        ("search by name", f"{queue}?q=trem&status=all", {}, INTAKE_WORKER),
        ("search by two words", f"{queue}?q=kevin+tremb&status=all", {}, INTAKE_WORKER),
        ("search by file number", f"{queue}?q={file_number}&status=all", {}, INTAKE_WORKER),
        ("search, htmx update", f"{queue}?q=gagnon", HTMX, INTAKE_WORKER),
        ("referral page", f"{queue}{referral.pk}/", {}, INTAKE_WORKER),
        (
            "participant page",
            f"/fr/a/{AGENCY}/participants/{referral.participant_id}/",
            {},
            INTAKE_WORKER,
        ),
        ("court portal", "/fr/court/", {}, LIAISON_OFFICER),
        ("court portal, search", "/fr/court/?q=roy&status=all", {}, LIAISON_OFFICER),
        ("court referral page", f"/fr/court/referrals/{referral.pk}/", {}, LIAISON_OFFICER),
    ]
