import os
import secrets
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import psycopg
import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation
from psycopg import sql

from fees import services as fees
from ipv.accounts.models import Invitation, LiaisonProfile, Membership, Role
from ipv.core import roles
from referrals.models import PossibleDuplicate
from referrals.services.referrals import referral_create
from sessions_app.models import Certificate, CourtReport, Enrollment
from sessions_app.services.documents import court_report_issue
from sessions_app.services.groups import group_create
from sessions_app.services.program import transfer_request
from tests.factories import AgencyFactory, CourtFactory, RegionFactory, UserFactory
from victims.services import referral_create_naming

# A fixed authenticator secret for every test person with a second factor.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct-horse-battery-staple"

AGENCY_ROLES = {
    "manager": Role.MANAGER,
    "intake": Role.INTAKE,
    "facilitator": Role.FACILITATOR,
    "partner_contact": Role.PARTNER_CONTACT,
}


def totp_code(secret=TOTP_SECRET, at=None):
    """The code an authenticator app shows now (or at `at`)."""
    moment = at or timezone.now()
    return format_hotp_value(hotp_value(secret, int(moment.timestamp()) // 30))


def make_person(email, full_name, *, agency=None, roles=(), mfa=True, **fields):
    user = UserFactory(email=email, full_name=full_name, **fields)
    for role in roles:
        Membership.objects.create(user=user, agency=agency, role=role)
    if mfa:
        TOTP.activate(user, TOTP_SECRET)
    return user


# The agency's numeric settings (and reminder hours) as the settings page shows them by default.
AGENCY_NUMBERS = {
    "contact_within_days": "7",
    "intake_within_days": "30",
    "start_within_days": "60",
    "late_threshold_minutes": "15",
    "unexcused_absence_limit": "2",
    "absence_limit": "3",
    "quiet_hours_start": "08:00",
    "quiet_hours_end": "20:00",
    "session_reminder_time": "17:00",
}

# A court order as the tests write it: fixed dates around a fixed "today" of 2026-11-24.
ORDER = {
    "program": "ipv",
    "stream": "early_intervention",
    "source_order": "release_order",
    "court_file_number": "4811-998-26-00001",
    "charges": "Assault (s. 266)",
    "order_date": date(2026, 11, 2),
    "return_court_date": date(2027, 3, 15),
    "complete_by": date(2027, 3, 1),
    "source": "court",
    "referrer_name": "Louis Bélanger",
    "received_on": date(2026, 11, 3),
}
PERSON = {
    "legal_name": "Jean-Marc Tremblay",
    "date_of_birth": date(1984, 3, 2),
    "language": "fr",
    "phone": "+16135550123",
}


# A sliding scale: incomes under $40,000, and above; households of 1 to 5 or more.
FEE_SCALE = [
    {
        "income_min": Decimal("0"),
        "income_max": Decimal("40000"),
        "fees": {1: Decimal("100"), 2: Decimal("80"), 3: Decimal("60"), 4: Decimal("40"), 5: 0},
    },
    {
        "income_min": Decimal("40000"),
        "income_max": None,
        "fees": {
            1: Decimal("400"),
            2: Decimal("350"),
            3: Decimal("300"),
            4: Decimal("250"),
            5: Decimal("200"),
        },
    },
]

# What a completion certificate says, as issued for PERSON at the first agency.
CERTIFICATE_DETAILS = {
    "name": "Jean-Marc Tremblay",
    "initials": "J.-M. T.",
    "program": "ipv",
    "agency": {"fr": "Services Rivière", "en": "River Services"},
    "court": {"fr": "Palais de justice d'Ottawa", "en": "Ottawa Courthouse"},
    "court_file_number": "4811-998-26-00001",
    "started_on": "2026-09-01",
    "completed_on": "2026-11-17",
    "modules": [
        {"number": n, "title": f"Module {n}", "date": f"2026-{9 + (n - 1) * 7 // 30:02d}-01"}
        for n in range(1, 13)
    ],
}


def make_referral(agency, by, court, *, person=None, named_people=(), via="staff", **order):
    """A referral recorded through the service, as a worker would (status: received); the
    people its order names go to the confidential store beside it."""
    participant, order = {**PERSON, **(person or {})}, {**ORDER, "court": court, **order}
    if named_people:
        assert via == "staff", "an e-referral names people through e_referral_submit_naming"
        return referral_create_naming(
            agency=agency, by=by, participant=participant, order=order, named_people=named_people
        )
    return referral_create(agency=agency, by=by, participant=participant, order=order, via=via)


@dataclass
class World:
    """Two agencies in two regions, each with its court and one person per role; a court
    liaison officer for the first court; a platform administrator; an intake worker of the
    first agency who has not set up a second factor."""

    agency: object
    other_agency: object
    court: object
    other_court: object
    people: dict = field(default_factory=dict)
    invitation: object = None
    other_invitation: object = None
    referral: object = None
    other_referral: object = None
    transfer: object = None
    duplicate: object = None
    group: object = None
    session: object = None
    certificate: object = None
    report: object = None
    payment: object = None
    reduction: object = None

    def __getitem__(self, name):
        return self.people[name]


@pytest.fixture
def world(db):
    return make_world()


def make_world():
    """The World, built in the database (for a fixture of any scope)."""
    east = RegionFactory(slug="east", name_fr="Est", name_en="East", position=4)
    northwest = RegionFactory(slug="northwest", name_fr="Nord-Ouest", name_en="Northwest")
    court = CourtFactory(slug="ottawa", region=east)
    other_court = CourtFactory(
        slug="thunder-bay",
        name_fr="Palais de justice de Thunder Bay",
        name_en="Thunder Bay Courthouse",
        city="Thunder Bay",
        postal_code="P7B 6M3",
        region=northwest,
    )
    agency = AgencyFactory(
        slug="riviere", name_fr="Services Rivière", name_en="River Services", region=east
    )
    agency.courts.add(court)
    other_agency = AgencyFactory(
        slug="lakehead",
        name_fr="Centre Lakehead",
        name_en="Lakehead Centre",
        region=northwest,
        city="Thunder Bay",
        postal_code="P7B 1A3",
    )
    other_agency.courts.add(other_court)
    world = World(agency=agency, other_agency=other_agency, court=court, other_court=other_court)
    names = {
        "manager": "Martine Gagnon",
        "intake": "Isabelle Roy",
        "facilitator": "François Tremblay",
        "partner_contact": "Patricia Lavoie",
    }
    for key, role in AGENCY_ROLES.items():
        world.people[key] = make_person(
            f"{key}@riviere.test", names[key], agency=agency, roles=[role]
        )
        world.people[f"other_{key}"] = make_person(
            f"{key}@lakehead.test", f"Other {names[key]}", agency=other_agency, roles=[role]
        )
    world.people["liaison"] = make_person("liaison@court.test", "Louis Bélanger")
    world.people["other_liaison"] = make_person("liaison@thunder-bay.test", "Tanya Bird")
    world.people["admin"] = make_person(
        "admin@platform.test", "Alex Admin", is_staff=True, is_superuser=True
    )
    world.people["no_mfa"] = make_person(
        "new@riviere.test", "Nadia Nouvelle", agency=agency, roles=[Role.INTAKE], mfa=False
    )
    world.invitation = Invitation.objects.create(
        email="invited@riviere.test",
        agency=agency,
        roles=[Role.INTAKE],
        token_hash="a" * 64,
        invited_by=world["manager"],
        expires_at=timezone.now() + timedelta(days=7),
    )
    world.other_invitation = Invitation.objects.create(
        email="invited@lakehead.test",
        agency=other_agency,
        roles=[Role.INTAKE],
        token_hash="b" * 64,
        invited_by=world["other_manager"],
        expires_at=timezone.now() + timedelta(days=7),
    )
    world.referral = make_referral(agency, world["intake"], court)
    world.other_referral = make_referral(
        other_agency, world["other_intake"], other_court, person={"legal_name": "Other Person"}
    )
    # A second referral of the same person, under a slightly different name: a duplicate.
    second = make_referral(
        agency,
        world["intake"],
        court,
        person={"legal_name": "Jean Marc Tremblay"},
        court_file_number="4811-998-26-00002",
    )
    world.duplicate = PossibleDuplicate.objects.get(participant=second.participant)
    world.transfer = transfer_request(
        referral=second,
        by=world["intake"],
        to_agency=other_agency,
        reason="Moved to Thunder Bay.",
        consent_signed_on=date(2026, 11, 20),
    )
    # A group run by the facilitator, with the first referral on its roster.
    world.group = group_create(
        agency=agency,
        by=world["manager"],
        facilitators=[world["facilitator"]],
        name="Mardi soir",
        program="ipv",
        language="fr",
        weekday=1,
        start_time=time(18, 30),
        start_date=timezone.localdate(),
        location="100 Main Street",
    )
    world.session = world.group.sessions.order_by("date").first()
    Enrollment.objects.create(
        agency=agency,
        referral=world.referral,
        group=world.group,
        start_date=world.session.date,
        created_by=world["intake"],
    )
    world.report = court_report_issue(
        referral=world.referral, kind=CourtReport.Kind.PROGRESS, by=world["intake"]
    )
    world.certificate = Certificate.objects.create(
        agency=agency,
        referral=world.referral,
        code="7KQF-3XWM-PA9C",
        language="fr",
        details=CERTIFICATE_DETAILS,
    )
    # Fees: the agency's scale; the first referral's fee agreed and partly paid; a reduction
    # for the second one waiting for the manager.
    fees.schedule_create(
        agency=agency, by=world["manager"], effective_from=date(2026, 1, 1), rows=FEE_SCALE
    )
    for referral, amount in ((world.referral, None), (second, Decimal("25.00"))):
        assessment = fees.assessment_create(
            referral=referral,
            by=world["intake"],
            household_income=Decimal("45000"),
            household_size=2,
            employment="full_time",
        )
        proposal = fees.proposal_create(
            referral=referral,
            by=world["intake"],
            amount=amount or assessment.standard_fee,
            reason="Rent doubled this year." if amount else "",
        )
    world.reduction = proposal
    world.payment = fees.payment_record(
        referral=world.referral, by=world["intake"], amount=Decimal("100.00"), method="debit"
    )
    # The officers take up their courts last: the documents above were issued before, and the
    # outbox holds no message about them (tests count what they themselves cause).
    LiaisonProfile.objects.create(user=world["liaison"]).courts.add(court)
    LiaisonProfile.objects.create(user=world["other_liaison"]).courts.add(other_court)
    return world


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache namespace per test: nothing cached leaks from one test to another (the security
    store's rows go with each test's transaction; Redis keeps what it is given)."""
    prefix = f"ipv-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request leaves its language active in
    the thread (LocaleMiddleware does not undo it), which the next test would otherwise read."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def east(db):
    return RegionFactory(slug="east", name_fr="Est", name_en="East", position=4)


@pytest.fixture
def northwest(db):
    return RegionFactory(slug="northwest", name_fr="Nord-Ouest", name_en="Northwest", position=6)


@pytest.fixture
def admin_user(db):
    return make_person("admin@example.org", "Alex Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


def require_system_tool(command, *, package):
    """Skip when a Debian tool is missing on a workstation; fail in CI, which installs it."""
    if shutil.which(command):
        return
    message = f"{command} is missing: apt-get install {package}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def at_once(*calls):
    """Run the calls in threads released together, each on its own database connection:
    what each returned, or its refusal."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=10)
            with translation.override("en"):
                results[index] = call()
        except ValidationError as refused:
            results[index] = refused.messages
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _url(role, password):
    params = connection.get_connection_params()
    host = params.get("host") or ""
    query = f"?host={host}" if host.startswith("/") else ""
    server = "" if query else f"{host}:{params.get('port') or 5432}"
    return f"postgres://{role}:{password}@{server}/{params['dbname']}{query}"


@pytest.fixture
def app(settings):
    """A connection as an application role made after a migration, as `migrate` makes it
    (psycopg, autocommit; its name in `.role`). For transactional tests: what the owner
    grants must be committed to be seen."""
    role = f"{connection.settings_dict['NAME']}_app"
    password = secrets.token_urlsafe(16)
    settings.DATABASE_APP_URL = _url(role, password)
    roles.after_migrate(using="default")
    params = {**connection.get_connection_params(), "user": role, "password": password}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    conn = psycopg.connect(**params, autocommit=True)
    conn.role = role
    yield conn
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP OWNED BY {role}").format(role=sql.Identifier(role)))
        cursor.execute(sql.SQL("DROP ROLE {role}").format(role=sql.Identifier(role)))


@pytest.fixture
def as_app(app):
    """Django's own connection switched to the application role (as the site runs), for the
    test's body; the owner's again afterwards. `roles.as_owner()` switches back inside."""
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict["USER"] = app.role
    connection.settings_dict["PASSWORD"] = app.info.password
    try:
        yield app
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.fixture(autouse=True)
def _texts(settings):
    """Text messages go to django-sms's in-memory outbox (`sms.outbox`), empty for each test,
    as Django's own test runner does for email."""
    import sms

    settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
    sms.outbox = []
    yield
    sms.outbox = []
