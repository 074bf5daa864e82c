"""The load data set and each run's plan.

The data set (made once, kept in `<name>_load`): the demo data of DESIGN.md, through its
services (a court with its liaison officer, groups, certificates, fees, outreach), and four
agencies serving that court at a moderate size, written in bulk by the bench seeding code: 600
referrals each (a tenth still open) with their fees and payments, four groups of twelve with a
session held, two people named per referral with their outreach tasks, contacts and plans. The
staff: 46 people per agency (4 managers, 18 intake workers, 12 facilitators, 12 partner-contact
workers), 12 court liaison officers, and 4 court systems' API tokens — 200 in all. Everyone has
a second factor (a TOTP authenticator) and no password.

The plan (made before each run): a fresh signed-in session for each person, as sign-in would
leave it, new API tokens (the old ones revoked), and the records each person works on.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import time as clock
from datetime import timedelta

import pgtrigger
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.utils import timezone

from directory import demo as directory_demo
from directory.models import Agency, Court
from fees import bench as fees_bench
from fees import demo as fees_demo
from fees.models import FeeAccount
from ipv.accounts.demo import ACCESS, PERSONAS
from ipv.accounts.middleware import SESSION_STARTED
from ipv.accounts.models import LiaisonProfile, Membership, Role, User
from ipv.api.models import ApiToken, Scope
from ipv.api.tokens import token_issue, token_revoke
from ipv.pages.demo import messages as messages_demo
from ipv.pages.demo import outreach as outreach_demo
from ipv.pages.demo import referrals as referrals_demo
from ipv.pages.demo import sessions as sessions_demo
from referrals import bench as referrals_bench
from referrals.models import OPEN_STATUSES, Participant, Referral, Status
from sessions_app import bench as sessions_bench
from sessions_app.models import Certificate, Group, Session
from sessions_app.services.documents import initials, new_code
from sessions_app.services.groups import curriculum_current, group_create, sessions_extend
from victims.bench import data as victims_bench
from victims.models import Victim
from victims.rls import confidential

FIRST_AGENCY = "riviere-des-outaouais"
COURT = "ottawa"


@dataclass(frozen=True)
class Size:
    """How much of everything: `make load`'s by default, a handful for its test."""

    # The demo's first agency and three more like it, all serving the demo court.
    agencies: tuple[str, ...] = (FIRST_AGENCY, "load-agency-1", "load-agency-2", "load-agency-3")
    referrals: int = 600
    groups: int = 4
    group_size: int = 12
    staff: dict = field(
        default_factory=lambda: {
            Role.MANAGER: 4,
            Role.INTAKE: 18,
            Role.FACILITATOR: 12,
            Role.PARTNER_CONTACT: 12,
        }
    )
    officers: int = 12
    api_clients: int = 4
    certificates: int = 10
    # The demo data through its services (slow: it renders its documents); without it, the
    # directory's demo alone (regions, the court, the agencies).
    demo: bool = True


DOMAIN = "load.ipv.test"
# Any fixed secret: people are signed in by the plan, their second factor only has to exist.
TOTP_SECRET = referrals_bench.TOTP_SECRET


def _person(email, name, language="fr"):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "preferred_language": language}
    )
    if created:
        user.set_unusable_password()
        user.save()
        TOTP.activate(user, TOTP_SECRET)
    return user


def _demo_people():
    """The demo's people (the demo data names them), without the demo password: that is for
    debug only, and nobody signs in here with a password."""
    for email, full_name, language, _role in PERSONAS:
        user = _person(email, full_name, language)
        for slug, role in ACCESS.get(email, []):
            Membership.objects.get_or_create(
                user=user, agency=Agency.objects.get(slug=slug), role=role
            )
        if email.startswith("liaison@"):
            LiaisonProfile.objects.get_or_create(user=user)[0].courts.set(
                Court.objects.filter(slug=COURT)
            )


@transaction.atomic
def _demo():
    directory_demo.load()
    _demo_people()
    referrals_demo.load()
    sessions_demo.load()
    fees_demo.load()
    outreach_demo.load()
    messages_demo.load()


def _agency(slug, n) -> Agency:
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        agency = Agency.objects.get(slug=FIRST_AGENCY)
        agency.pk = None
        agency.slug = slug
        agency.name_fr = f"Services familiaux de charge {n}"
        agency.name_en = f"Load Family Services {n}"
        agency.published = False
        agency.save()
        agency.courts.set(Court.objects.filter(slug=COURT))
    return agency


def staff_email(slug, role, k) -> str:
    return f"{role}-{k}@{slug}.{DOMAIN}"


def _staff(agency, size) -> dict[str, list[User]]:
    people = {}
    for role, count in size.staff.items():
        people[role] = []
        for k in range(count):
            user = _person(staff_email(agency.slug, role, k), f"{role.label} {k}")
            Membership.objects.get_or_create(user=user, agency=agency, role=role)
            people[role].append(user)
    return people


def _officers(court, size) -> list[User]:
    officers = []
    for k in range(size.officers):
        user = _person(f"liaison-{k}@{DOMAIN}", f"Liaison {k}")
        LiaisonProfile.objects.get_or_create(user=user)[0].courts.add(court)
        officers.append(user)
    return officers


def _groups(agency, people, size):
    """Groups of `size.group_size` people, each with three facilitators, that met today or in
    the last days (one weekday each)."""
    worker, manager = people[Role.INTAKE][0], people[Role.MANAGER][0]
    curriculum_current(agency=agency, program="ipv")
    facilitators = people[Role.FACILITATOR]
    per_group = max(1, len(facilitators) // size.groups)
    for n in range(size.groups):
        name = f"Load group {n}"
        group = Group.objects.filter(agency=agency, name=name).first()
        if group is None:
            group = group_create(
                agency=agency,
                by=manager,
                facilitators=facilitators[n * per_group : (n + 1) * per_group],
                name=name,
                program="ipv",
                language="fr" if n % 2 else "en",
                weekday=n,
                start_time=clock(9, 0),
                start_date=timezone.localdate() - timedelta(weeks=5),
                capacity=size.group_size,
                location="1200 Montréal Road",
            )
            people_enrolled = Participant.objects.bulk_create(
                Participant(
                    agency=agency,
                    legal_name=f"Roster Person {n}-{k}",
                    date_of_birth="1985-01-01",
                    language="fr" if k % 3 else "en",
                )
                for k in range(size.group_size)
            )
            sessions_bench._enrol(
                agency, worker, group, people_enrolled, file_prefix=f"LOAD-{agency.pk}-{n}-"
            )
        sessions_extend(group=group)  # the data set outlives the day it was made


def _certificates(agency, worker, count):
    """Certificates of completed referrals (rendered when first downloaded), as issued."""
    completed = (
        Referral.objects.filter(agency=agency, submitted_by=worker, status=Status.COMPLETED)
        .exclude(pk__in=Certificate.objects.values("referral_id"))
        .order_by("pk")
        .select_related("participant", "court")
    )
    have = Certificate.objects.filter(agency=agency, referral__submitted_by=worker).count()
    modules = list(curriculum_current(agency=agency, program="ipv").modules.all())
    for referral in completed[: max(0, count - have)]:
        started = referral.received_on + timedelta(weeks=2)
        Certificate.objects.create(
            agency=agency,
            referral=referral,
            code=new_code(),
            language=referral.participant.language,
            issued_by=worker,
            details={
                "name": referral.participant.legal_name,
                "initials": initials(referral.participant.legal_name),
                "program": "ipv",
                "agency": {"fr": agency.name_fr, "en": agency.name_en},
                "court": {"fr": referral.court.name_fr, "en": referral.court.name_en},
                "court_file_number": referral.court_file_number,
                "started_on": started.isoformat(),
                "completed_on": (started + timedelta(weeks=11)).isoformat(),
                "modules": [
                    {
                        "number": module.number,
                        "title": module.title_fr,
                        "date": (started + timedelta(weeks=module.number - 1)).isoformat(),
                    }
                    for module in modules
                ],
            },
        )


def _scale(agency, court, people, rng, size):
    """The agency's referrals, fees and outreach, in bulk (the bench's code), once."""
    worker = people[Role.INTAKE][0]
    made = Referral.objects.filter(agency=agency, submitted_by=worker)
    today = timezone.localdate()
    if made.count() < size.referrals:
        with transaction.atomic():
            referrals_bench._load([(agency, court, 0, size.referrals)], worker, today)
    schedule = fees_bench._schedule(agency, people[Role.MANAGER][0])
    without = made.filter(fee_account__isnull=True).order_by("pk")
    without = list(without.values_list("pk", "received_on"))
    if without:
        with transaction.atomic():
            fees_bench.fees_load(agency, schedule, worker, rng, without, today)
    _groups(agency, people, size)
    _certificates(agency, worker, size.certificates)
    partners = people[Role.PARTNER_CONTACT][:2]
    steps = [
        lambda: victims_bench._victims(agency, worker),
        lambda: victims_bench._assignments(agency, partners),
        lambda: victims_bench._tasks(agency, partners),
        lambda: victims_bench._contacts(agency, partners),
        lambda: victims_bench._plans(agency, partners),
        lambda: victims_bench._consents(agency, partners),
    ]
    with pgtrigger.ignore(*victims_bench.HISTORY):
        for step in steps:
            with transaction.atomic(), confidential(agency):
                step()


def seed(size=Size()) -> dict:
    """Create the data set once (run as the owner); later runs find it and reuse it."""
    if not Agency.objects.filter(slug=FIRST_AGENCY).exists():
        if size.demo:
            _demo()
        else:
            directory_demo.load()
            _demo_people()
    court = Court.objects.get(slug=COURT)
    rng = random.Random(2029)  # noqa: S311 (fixed, reproducible data, not security)
    for n, slug in enumerate(size.agencies):
        agency = _agency(slug, n)
        _scale(agency, court, _staff(agency, size), rng, size)
    _officers(court, size)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "agencies": len(size.agencies),
        "referrals": Referral.objects.filter(agency__slug__in=size.agencies).count(),
        "staff": User.objects.filter(email__endswith=DOMAIN).count(),
    }


def _session_for(user) -> str:
    """A signed-in session as sign-in leaves it (django.contrib.auth.login), second factor
    included: the person has one, and the site asks nothing more of a session."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_STARTED] = time.time()
    store.create()
    return store.session_key


def _tokens(court, size) -> list[str]:
    officer = User.objects.get(email=f"liaison-0@{DOMAIN}")
    for token in ApiToken.objects.filter(officer=officer, revoked_at__isnull=True):
        token_revoke(token=token, by=None)
    raw = []
    for k in range(size.api_clients):
        token = ApiToken(
            kind=ApiToken.Kind.COURT_SYSTEM,
            name=f"Load court system {k}",
            officer=officer,
            scopes=[Scope.READ_REFERRALS, Scope.DOWNLOAD_DOCUMENTS],
            expires_at=timezone.now() + timedelta(days=1),
        )
        raw.append(token_issue(token=token, by=None, courts=[court]))
    return raw


def _agency_targets(agency) -> dict:
    """What an agency's staff work on: referrals (open first), fee accounts with a balance,
    rosters, and people of the outreach whose rules allow a phone call."""
    open_referrals = list(
        Referral.objects.filter(agency=agency, status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", "participant_id")[:200]
    )
    payable = list(
        FeeAccount.objects.filter(agency=agency, balance__gte=50)
        .order_by("-balance", "pk")
        .values_list("referral_id", flat=True)[:200]
    )
    rosters = []
    for group in Group.objects.filter(agency=agency, name__startswith="Load group "):
        session = (
            # The last one held (today's may not have begun: it takes no attendance yet).
            Session.objects.filter(group=group, date__lt=timezone.localdate())
            .order_by("-date")
            .first()
        )
        rosters.append(
            {
                "session": session.pk,
                "facilitators": list(group.facilitators.values_list("email", flat=True)),
                "referrals": list(
                    group.enrollments.filter(ended_on__isnull=True).values_list(
                        "referral_id", flat=True
                    )
                ),
            }
        )
    with confidential(agency):
        victims = list(
            Victim.objects.filter(
                agency=agency,
                do_not_contact=False,
                consent_contact="given",
                channels__contains=["phone"],
                outreach="open",
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:300]
        )
    return {
        "slug": agency.slug,
        "referrals": [pk for pk, _ in open_referrals],
        "participants": [participant for _, participant in open_referrals],
        "payable": payable,
        "rosters": rosters,
        "victims": victims,
    }


def plan(size=Size()) -> dict:
    """The run's plan: every person signed in afresh (the sessions of the last run ended),
    new API tokens, and the records each works on."""
    court = Court.objects.get(slug=COURT)
    # The last run's sessions have ended by now, or will in half an hour of idleness.
    SessionStore.clear_expired()
    people = []
    agencies = []
    for slug in size.agencies:
        agency = Agency.objects.get(slug=slug)
        agencies.append(_agency_targets(agency))
        for role, count in size.staff.items():
            for k in range(count):
                user = User.objects.get(email=staff_email(slug, role, k))
                people.append(
                    {
                        "persona": str(role),
                        "email": user.email,
                        "agency": slug,
                        "session": _session_for(user),
                    }
                )
    for k in range(size.officers):
        user = User.objects.get(email=f"liaison-{k}@{DOMAIN}")
        people.append({"persona": "liaison", "email": user.email, "session": _session_for(user)})
    # Spread over the agencies and the years.
    court_referrals = list(
        Referral.objects.filter(court=court, agency__slug__in=size.agencies)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[::10]
    certificates = list(
        Certificate.objects.filter(referral__court=court, revoked_at__isnull=True)
        .values_list("referral_id", flat=True)
        .distinct()
    )
    return {
        "people": people,
        "agencies": agencies,
        "court": {"id": court.pk, "referrals": court_referrals, "certificates": certificates},
        "api_tokens": _tokens(court, size),
        "searches": [name.lower()[:5] for name in referrals_bench.LAST],
    }
