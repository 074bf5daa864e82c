"""Benchmark data and pages of the referrals: 400,000 referrals in the province, 100,000 of them
in one agency (the worst case for its intake queue), each with its participant and timeline,
seen by an intake worker and by the court liaison officer of their court. Written with COPY,
indexes built after (ipv.core.bulkload)."""

import random
from datetime import date, datetime, time, timedelta

from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.utils import timezone

from directory.models import Agency, Court
from ipv.accounts.models import LiaisonProfile, Membership, Role, User
from ipv.core.bulkload import copy, loading, reserve_ids
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

# The province: 400,000 referrals, a quarter of them in the bench agency (the worst case for
# its intake queue and its court's portal), the rest spread over OTHER_AGENCIES agencies.
REFERRALS = 400_000
AGENCY_REFERRALS = 100_000
OTHER_AGENCIES = 30
BATCH = 50_000
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


def _courts(agencies) -> list:
    """A courthouse for each agency of the province outside the bench agency's, served by it."""
    region = agencies[0].region
    courts = []
    for n, agency in enumerate(agencies):
        court, _ = Court.objects.get_or_create(
            slug=f"bench-court-{n}",
            defaults={
                "name_fr": f"Palais de justice {n}",
                "name_en": f"Courthouse {n}",
                "city": agency.city,
                "region": agency.region or region,
            },
        )
        agency.courts.add(court)
        courts.append(court)
    return courts


def _rows(rng, agency_id, court_id, worker_id, numbers, participant_ids, referral_ids, today):
    """The participant, referral and timeline rows of the referrals numbered `numbers`."""
    people, referrals, entries = [], [], []
    now = timezone.now()
    for n in numbers:
        received = today - timedelta(days=rng.randint(0, 5 * 365))
        ordered = received - timedelta(days=rng.randint(0, 20))
        # One in ten still open; the rest is years of closed files.
        status = rng.choice(OPEN) if n % 10 == 0 else rng.choice(CLOSED)
        person, referral = next(participant_ids), next(referral_ids)
        people.append(
            (
                person,
                agency_id,
                f"{FIRST[n % len(FIRST)]} {LAST[(n // 7) % len(LAST)]} {n}",
                date(1950, 1, 1) + timedelta(days=rng.randint(0, 18_000)),
                "fr" if n % 3 else "en",
                f"+1613555{n % 10_000:04d}",
            )
        )
        # The moments of its way, spread as real files are: contact within days, closing
        # weeks or months later (never after today).
        arrived = timezone.make_aware(datetime.combine(received, time(10)))
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
            (
                referral,
                agency_id,
                court_id,
                person,
                "ipv",
                rng.choice(Stream.values),
                rng.choice(SourceOrder.values),
                rng.choice(ReferralSource.values),
                f"4811-998-{received.year % 100:02d}-{n:06d}",
                "Assault (s. 266)",
                ordered,
                received,
                ordered + timedelta(weeks=rng.randint(14, 26)),
                status,
                worker_id,
                arrived,
                worker_id,
                contacted,
                changed,
                # A discharge says why (the statistics count discharges by reason).
                rng.choice(DischargeReason.values) if status == Status.DISCHARGED else "",
                arrived,
            )
        )
        entries.append((agency_id, referral, EventKind.CREATED, worker_id, "", "received", ""))
        if status != Status.RECEIVED:
            entries.append(
                (agency_id, referral, EventKind.WITHDRAW, worker_id, "received", status, "Bench")
            )
    return people, referrals, entries


PARTICIPANT_COLUMNS = ["id", "agency_id", "legal_name", "date_of_birth", "language", "phone"]
REFERRAL_COLUMNS = [
    "id",
    "agency_id",
    "court_id",
    "participant_id",
    "program",
    "stream",
    "source_order",
    "source",
    "court_file_number",
    "charges",
    "order_date",
    "received_on",
    "complete_by",
    "status",
    "submitted_by_id",
    "accepted_at",
    "accepted_by_id",
    "first_contact_at",
    "status_changed_at",
    "discharge_reason",
    "created_at",
]
TIMELINE_COLUMNS = ["agency_id", "referral_id", "kind", "by_id", "from_status", "to_status"]
TIMELINE_COLUMNS += ["reason"]


def _load(plan, worker, today) -> None:
    """COPY the referrals of `plan` [(agency, court, first number, how many)], their
    participants and timelines, in batches, indexes built after."""
    rng = random.Random(2026)  # noqa: S311 (fixed, reproducible data, not security)
    total = sum(count for *_, count in plan)
    participant_ids = reserve_ids(Participant, total)
    referral_ids = reserve_ids(Referral, total)
    with loading(Participant, Referral, TimelineEntry):
        for agency, court, first, count in plan:
            for start in range(first, first + count, BATCH):
                numbers = range(start, min(start + BATCH, first + count))
                people, referrals, entries = _rows(
                    rng, agency.pk, court.pk, worker.pk, numbers, participant_ids,
                    referral_ids, today,
                )  # fmt: skip
                copy(Participant, PARTICIPANT_COLUMNS, people)
                copy(Referral, REFERRAL_COLUMNS, referrals)
                copy(TimelineEntry, TIMELINE_COLUMNS, entries)


def seed() -> dict:
    """Create the data set once (COPY, indexes after); later runs find it and reuse it."""
    agency = Agency.objects.get(slug=AGENCY)
    court = Court.objects.get(slug="ottawa")
    worker, _officer = _people(agency, court)
    today = timezone.localdate()
    if not Referral.objects.filter(agency=agency).exists():
        others = list(
            Agency.objects.exclude(pk=agency.pk).filter(slug__startswith="bench-agency-")
            .order_by("pk")[:OTHER_AGENCIES]
        )  # fmt: skip
        courts = _courts(others)
        each = (REFERRALS - AGENCY_REFERRALS) // max(len(others), 1)
        plan = [(agency, court, 0, AGENCY_REFERRALS)]
        plan += [
            (other, other_court, AGENCY_REFERRALS + k * each, each)
            for k, (other, other_court) in enumerate(zip(others, courts, strict=True))
        ]
        _load(plan, worker, today)
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


# The floors: the hand-written SQL that fetches what each page shows (ipv.pages' bench command).
ROW = """
    r.id, r.program, r.court_file_number, r.status, r.received_on, r.complete_by,
    r.first_contact_at, r.accepted_at, p.legal_name, p.preferred_name, p.language, c.name_fr
"""
DUPLICATE = """EXISTS (
    SELECT 1 FROM referrals_possibleduplicate d
    WHERE d.participant_id = r.participant_id AND d.resolution = ''
)"""
# Modules attended by each referral of a page: present, or late within the agency's limit.
PROGRESS = """
    SELECT a.referral_id, m.number FROM sessions_app_attendance a
    JOIN directory_agency g ON g.id = a.agency_id
    JOIN sessions_app_session s ON s.id = a.session_id
    JOIN sessions_app_module m ON m.id = s.module_id
    WHERE a.referral_id = ANY(%s)
      AND (a.status = 'present'
           OR (a.status = 'late' AND a.minutes_late <= g.late_threshold_minutes))
"""
COURTS = ("SELECT id, name_fr, name_en FROM directory_court ORDER BY name_en", [])
SEARCH = "r.search_document @@ to_tsquery('simple', f_unaccent(lower(%s)))"


def _list(scope: str, params: list, where: str, extra: list, offset=0, agency=True) -> list:
    """The count, the page of 25 (newest first) with what a row shows, and the modules
    attended by the page's referrals."""
    joins = """
        FROM referrals_referral r JOIN referrals_participant p ON p.id = r.participant_id
        JOIN directory_court c ON c.id = r.court_id
    """
    columns = f"{ROW}, {DUPLICATE}" if agency else f"{ROW}, r.agency_id"
    page = (
        f"SELECT {columns} {joins} WHERE {scope} {where} "
        f"ORDER BY r.received_on DESC, r.id DESC LIMIT 25 OFFSET {offset}"
    )
    with connection.cursor() as cursor:
        cursor.execute(page, [*params, *extra])
        ids = [row[0] for row in cursor.fetchall()]
    # The count joins the participant only when the criteria name them, as the page's does.
    counted = joins if "p." in where else "FROM referrals_referral r"
    return [
        (f"SELECT count(*) {counted} WHERE {scope} {where}", [*params, *extra]),
        (page, [*params, *extra]),
        (PROGRESS, [ids]),
    ]


def _queue(where: str = "", extra=(), offset=0, form=True) -> list:
    agency = Agency.objects.get(slug=AGENCY)
    found = _list("r.agency_id = %s", [agency.pk], where, list(extra), offset)
    return [*found, COURTS] if form else found


def _court(where: str, extra=()) -> list:
    court = Court.objects.get(slug="ottawa")
    found = _list("r.court_id = %s", [court.pk], where, list(extra), agency=False)
    return [
        *found,
        COURTS,
        (
            "SELECT a.id, a.name_fr FROM directory_agency a "
            "JOIN directory_agency_courts ac ON ac.agency_id = a.id "
            "WHERE ac.court_id = %s ORDER BY a.name_en",
            [court.pk],
        ),
    ]


def _referral(pk: int, *, court: bool = False) -> list:
    """What a referral's page shows: the referral with its person, court and agency, its
    timeline, modules attended, group, documents; for the agency also the people it names,
    risk alerts, fee, possible duplicates, consents and transfers."""
    one = [
        (
            f"SELECT {ROW}, r.stream, r.source_order, r.charges, r.order_date, "  # noqa: S608
            "r.return_court_date, r.status_changed_at, r.discharge_reason, p.date_of_birth, "
            "p.phone, p.email, a.name_fr, t.court_file_number "
            "FROM referrals_referral r JOIN referrals_participant p ON p.id = r.participant_id "
            "JOIN directory_court c ON c.id = r.court_id "
            "JOIN directory_agency a ON a.id = r.agency_id "
            "LEFT JOIN referrals_referral t ON t.id = r.transferred_from_id WHERE r.id = %s",
            [pk],
        ),
        (
            "SELECT e.kind, e.from_status, e.to_status, e.reason, e.reason_code, e.at, "
            "u.full_name FROM referrals_timelineentry e "
            "LEFT JOIN accounts_user u ON u.id = e.by_id WHERE e.referral_id = %s "
            "ORDER BY e.at, e.id",
            [pk],
        ),
        (PROGRESS, [[pk]]),
        (
            "SELECT e.start_date, g.name, g.weekday, g.start_time FROM sessions_app_enrollment e "
            "JOIN sessions_app_group g ON g.id = e.group_id "
            "WHERE e.referral_id = %s AND e.ended_on IS NULL ORDER BY e.start_date DESC LIMIT 1",
            [pk],
        ),
        (
            "SELECT id, kind, code, issued_at, replaces_id FROM sessions_app_courtreport "
            "WHERE referral_id = %s ORDER BY issued_at DESC",
            [pk],
        ),
        (
            "SELECT id, code, issued_at, revoked_at FROM sessions_app_certificate "
            "WHERE referral_id = %s ORDER BY issued_at DESC",
            [pk],
        ),
    ]
    if court:
        return one
    return [
        *one,
        ("SELECT count(*) FROM victims_victim WHERE referral_id = %s", [pk]),
        (
            "SELECT id, sent_at, seen_at FROM victims_riskalert WHERE referral_id = %s "
            "ORDER BY sent_at DESC",
            [pk],
        ),
        (
            "SELECT agreed, paid, balance, next_due_on FROM fees_feeaccount WHERE referral_id = %s",
            [pk],
        ),
        (
            "SELECT d.id, p.legal_name FROM referrals_possibleduplicate d "
            "JOIN referrals_participant p ON p.id = d.existing_id "
            "WHERE d.participant_id = (SELECT participant_id FROM referrals_referral "
            "WHERE id = %s) AND d.resolution = ''",
            [pk],
        ),
        ("SELECT kind, signed_on FROM referrals_consent WHERE referral_id = %s", [pk]),
        (
            "SELECT id, status, requested_at FROM referrals_transfer WHERE referral_id = %s",
            [pk],
        ),
    ]


def floors() -> dict:
    today = timezone.localdate()
    agency = Agency.objects.get(slug=AGENCY)
    referral = Referral.objects.filter(agency__slug=AGENCY).order_by("-received_on", "-pk")[500]
    file_number = "".join(ch for ch in referral.court_file_number[:-2] if ch.isalnum())
    is_open = "AND r.status = ANY(%s)"
    before = ["received", "contacted", "intake_booked", "intake_done", "waitlisted"]
    return {
        "intake queue (open referrals)": _queue(is_open, [OPEN]),
        "intake queue, overdue": _queue(
            f"{is_open} AND ((r.status = 'received' AND r.received_on < %s) "
            "OR (r.status = ANY(%s) AND r.complete_by < %s))",
            [
                OPEN,
                today - timedelta(days=agency.contact_within_days),
                before,
                today + timedelta(weeks=12),
            ],
        ),
        "intake queue, all, page 200": _queue(offset=199 * 25),
        "intake queue, stream + language": _queue(
            f"{is_open} AND r.stream = 'early_intervention' AND p.language = 'en'", [OPEN]
        ),
        "search by name": _queue(f"AND {SEARCH}", ["trem:*"]),
        "search by two words": _queue(f"AND {SEARCH}", ["kevin:* & tremb:*"]),
        "search by file number": _queue(f"AND {SEARCH}", [f"{file_number}:*"]),
        "search, htmx update": _queue(f"AND {SEARCH} {is_open}", ["gagnon:*", OPEN], form=False),
        "referral page": _referral(referral.pk),
        "participant page": [
            (
                "SELECT p.legal_name, p.preferred_name, p.date_of_birth, p.pronouns, "
                "p.language, p.phone, p.email, p.street_address, p.city, p.postal_code, "
                "m.legal_name FROM referrals_participant p "
                "LEFT JOIN referrals_participant m ON m.id = p.merged_into_id "
                "WHERE p.agency_id = %s AND p.id = %s",
                [agency.pk, referral.participant_id],
            ),
            (
                "SELECT d.id, p.legal_name FROM referrals_possibleduplicate d "
                "JOIN referrals_participant p ON p.id = d.existing_id "
                "WHERE d.participant_id = %s AND d.resolution = ''",
                [referral.participant_id],
            ),
            (
                "SELECT c.kind, c.signed_on, u.full_name FROM referrals_consent c "
                "JOIN accounts_user u ON u.id = c.recorded_by_id WHERE c.participant_id = %s "
                "ORDER BY c.kind, c.signed_on DESC",
                [referral.participant_id],
            ),
            (
                "SELECT r.id, r.court_file_number, r.status, r.received_on, c.name_fr "
                "FROM referrals_referral r JOIN directory_court c ON c.id = r.court_id "
                "WHERE r.participant_id = %s ORDER BY r.received_on DESC, r.id DESC",
                [referral.participant_id],
            ),
        ],
        "court portal": _court(is_open, [OPEN]),
        "court portal, search": _court(f"AND {SEARCH}", ["roy:*"]),
        "court referral page": _referral(referral.pk, court=True),
    }
