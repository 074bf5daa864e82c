"""The morning emails: each staff member's digest of what waits for them, per agency and per
role they hold there, and the court liaison officers' daily list of the documents issued for
their courts. Counts and links only: no person is named, and nothing of the confidential store
but how many outreach tasks are due.

Both are prepared by a periodic sweep (every few minutes, from the digest time on) and are
idempotent through their outbox keys: run twice, or by two beats, they write one email each.
The counts are read grouped by agency (and by person where they are a person's), a fixed number
of queries whatever the number of people."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext_lazy

from fees.models import FeeProposal
from ipv.accounts.models import LiaisonProfile, Membership
from ipv.accounts.services import notifications_url
from ipv.core.beat import single_run
from ipv.core.choices import Role
from ipv.notifications.models import Audience, Channel, Kind, OutboxMessage
from ipv.notifications.services import Draft, messages_write
from referrals.models import OPEN_STATUSES, Referral, Status, Transfer
from referrals.selectors import overdue
from sessions_app.models import Attendance, Certificate, CourtReport, Enrollment, Session
from sessions_app.services.court_messages import document_line
from victims.models import OutreachTask
from victims.rls import confidential


def digest_time() -> time:
    """When the morning emails are due, local time (setting STAFF_DIGEST_TIME, "07:00")."""
    return time.fromisoformat(getattr(settings, "STAFF_DIGEST_TIME", "07:00"))


def _digest_day(now):
    """The local day and the moment of its digest; None before that moment."""
    local = timezone.localtime(now)
    moment = timezone.make_aware(datetime.combine(local.date(), digest_time()))
    return (local.date(), moment) if now >= moment else (None, None)


def _new(keys: dict) -> dict:
    """Of {key: value}, the entries whose key the outbox has not seen yet."""
    written = set(OutboxMessage.objects.filter(key__in=list(keys)).values_list("key", flat=True))
    return {key: value for key, value in keys.items() if key not in written}


# Staff digest ---------------------------------------------------------------------------------


@dataclass
class Reader:
    """One person to write to, and the roles they hold in each agency."""

    user: object
    roles: dict = field(default_factory=lambda: defaultdict(set))  # agency id → roles
    agencies: dict = field(default_factory=dict)  # agency id → Agency


@dataclass
class Counts:
    """What waits, per agency (and per person within it where it is theirs)."""

    referrals: dict = field(default_factory=dict)  # agency → {overdue, to_record, …}
    proposals: dict = field(default_factory=lambda: defaultdict(dict))  # agency → {by: n}
    transfers: dict = field(default_factory=dict)  # agency → n
    sessions: dict = field(default_factory=lambda: defaultdict(dict))  # agency → {user: n}
    tasks: dict = field(default_factory=lambda: defaultdict(dict))  # agency → {user: (t, o)}
    managers: dict = field(default_factory=lambda: defaultdict(set))  # agency → user ids
    outreach: dict = field(default_factory=lambda: defaultdict(set))  # agency → user ids


def _counts(memberships: list, readers: dict, now, today) -> Counts:
    """Every count the readers' digests need, a few grouped queries in all."""
    counts = Counts()
    by_role = defaultdict(set)
    for membership in memberships:
        if membership.role == Role.MANAGER:
            counts.managers[membership.agency_id].add(membership.user_id)
        elif membership.role == Role.PARTNER_CONTACT:
            counts.outreach[membership.agency_id].add(membership.user_id)
        if membership.user_id in readers:
            by_role[membership.role].add(membership.agency_id)

    case_agencies = by_role[Role.INTAKE] | by_role[Role.MANAGER]
    if case_agencies:
        rows = (
            Referral.objects.filter(agency__in=case_agencies, status__in=OPEN_STATUSES)
            .values("agency")
            .annotate(
                overdue=Count("pk", filter=overdue(today=today)),
                to_record=Count(
                    "pk", filter=Q(status=Status.INTAKE_BOOKED, intake__scheduled_at__lt=now)
                ),
                e_referrals=Count("pk", filter=Q(accepted_at__isnull=True)),
                reviews=Count("pk", filter=Q(status=Status.NON_COMPLIANT)),
            )
            .order_by()
        )
        counts.referrals = {row.pop("agency"): row for row in rows}
    if by_role[Role.MANAGER]:
        proposals = (
            FeeProposal.objects.filter(
                agency__in=by_role[Role.MANAGER], status=FeeProposal.Status.AWAITING_APPROVAL
            )
            .values("agency", "proposed_by")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in proposals:
            counts.proposals[row["agency"]][row["proposed_by"]] = row["n"]
        transfers = (
            Transfer.objects.filter(
                to_agency__in=by_role[Role.MANAGER], status=Transfer.Status.PENDING
            )
            .values("to_agency")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts.transfers = {row["to_agency"]: row["n"] for row in transfers}
    if by_role[Role.FACILITATOR]:
        # A session someone was enrolled for, past, neither cancelled nor taken.
        enrolled = Enrollment.objects.filter(
            group=OuterRef("group"), start_date__lte=OuterRef("date")
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("date")))
        sessions = (
            Session.objects.filter(
                agency__in=by_role[Role.FACILITATOR],
                status=Session.Status.SCHEDULED,
                date__lt=today,
            )
            .filter(Exists(enrolled))
            .exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
            .values("agency", "group__facilitators")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
        for row in sessions:
            counts.sessions[row["agency"]][row["group__facilitators"]] = row["n"]
    if by_role[Role.PARTNER_CONTACT]:
        agencies = sorted(by_role[Role.PARTNER_CONTACT])
        # How many tasks, never which: the rows stay in the confidential store.
        with confidential(*agencies):
            tasks = list(
                OutreachTask.objects.filter(
                    agency__in=agencies, state=OutreachTask.State.OPEN, due_on__lte=today
                )
                .values("agency", "assignee")
                .annotate(
                    today=Count("pk", filter=Q(due_on=today)),
                    overdue=Count("pk", filter=Q(due_on__lt=today)),
                )
                .order_by()
            )
        for row in tasks:
            # A task held by someone no longer a partner-contact worker there is nobody's.
            holder = row["assignee"]
            if holder not in counts.outreach[row["agency"]]:
                holder = None
            today_count, overdue_count = counts.tasks[row["agency"]].get(holder, (0, 0))
            counts.tasks[row["agency"]][holder] = (
                today_count + row["today"],
                overdue_count + row["overdue"],
            )
    return counts


def _link(agency, name: str, query: str = "") -> str:
    return settings.IPV_BASE_URL + reverse(f"agency:{name}", args=[agency.slug]) + query


# Each line of a digest, worded in the reader's language when it is written.
LINES = {
    "overdue": ngettext_lazy(
        "%(counter)s overdue referral", "%(counter)s overdue referrals", "counter"
    ),
    "to_record": ngettext_lazy(
        "%(counter)s intake to record: the appointment has passed",
        "%(counter)s intakes to record: the appointments have passed",
        "counter",
    ),
    "e_referrals": ngettext_lazy(
        "%(counter)s e-referral waiting to be accepted",
        "%(counter)s e-referrals waiting to be accepted",
        "counter",
    ),
    "sessions": ngettext_lazy(
        "%(counter)s past session of your groups without attendance taken",
        "%(counter)s past sessions of your groups without attendance taken",
        "counter",
    ),
    "mine_today": ngettext_lazy(
        "%(counter)s outreach task assigned to you, due today",
        "%(counter)s outreach tasks assigned to you, due today",
        "counter",
    ),
    "mine_overdue": ngettext_lazy(
        "%(counter)s outreach task assigned to you, overdue",
        "%(counter)s outreach tasks assigned to you, overdue",
        "counter",
    ),
    "nobody_today": ngettext_lazy(
        "%(counter)s unassigned outreach task, due today",
        "%(counter)s unassigned outreach tasks, due today",
        "counter",
    ),
    "nobody_overdue": ngettext_lazy(
        "%(counter)s unassigned outreach task, overdue",
        "%(counter)s unassigned outreach tasks, overdue",
        "counter",
    ),
    "approvals": ngettext_lazy(
        "%(counter)s fee waiting for approval", "%(counter)s fees waiting for approval", "counter"
    ),
    "transfers": ngettext_lazy(
        "%(counter)s transfer to answer", "%(counter)s transfers to answer", "counter"
    ),
    "reviews": ngettext_lazy(
        "%(counter)s absence review to decide", "%(counter)s absence reviews to decide", "counter"
    ),
}


def _lines(reader: Reader, agency, counts: Counts) -> list[dict]:
    """The digest's lines for one agency, in the active language: only those with something."""
    roles, user_id, lines = reader.roles[agency.pk], reader.user.pk, []

    def add(what, count, name, query=""):
        if count:
            lines.append(
                {
                    "what": what,
                    "count": count,
                    "text": LINES[what] % {"counter": count},
                    "url": _link(agency, name, query),
                }
            )

    referrals = counts.referrals.get(agency.pk, {})
    if Role.INTAKE in roles:
        add("overdue", referrals.get("overdue", 0), "referral_queue", "?overdue=on")
        add("to_record", referrals.get("to_record", 0), "referral_queue", "?status=intake_booked")
        add("e_referrals", referrals.get("e_referrals", 0), "referral_queue")
    if Role.FACILITATOR in roles:
        add("sessions", counts.sessions[agency.pk].get(user_id, 0), "group_list")
    if Role.PARTNER_CONTACT in roles:
        tasks = counts.tasks[agency.pk]
        mine_today, mine_overdue = tasks.get(user_id, (0, 0))
        nobody_today, nobody_overdue = tasks.get(None, (0, 0))
        add("mine_today", mine_today, "outreach_home", "?due=today")
        add("mine_overdue", mine_overdue, "outreach_home", "?due=overdue")
        add("nobody_today", nobody_today, "outreach_home", "?due=today")
        add("nobody_overdue", nobody_overdue, "outreach_home", "?due=overdue")
    if Role.MANAGER in roles:
        proposals = counts.proposals[agency.pk]
        approvals = sum(proposals.values())
        # Not their own proposal, unless no other manager can decide it (fees.selectors).
        if counts.managers[agency.pk] - {user_id}:
            approvals -= proposals.get(user_id, 0)
        add("approvals", approvals, "fees", "#approvals-heading")
        add("transfers", counts.transfers.get(agency.pk, 0), "transfer_list", "?status=pending")
        add("reviews", referrals.get("reviews", 0), "referral_queue", "?status=non_compliant")
    return lines


def staff_digests_prepare(*, now=None) -> int:
    """Write today's digest of each active staff member who wants one and has something
    waiting, in their language; from the digest time on. Returns how many were written."""
    now = now or timezone.now()
    today, _moment = _digest_day(now)
    if today is None:
        return 0
    with single_run("staff-digests") as mine:
        if not mine:
            return 0
        memberships = list(
            Membership.objects.filter(is_active=True, user__is_active=True).select_related(
                "user", "agency"
            )
        )
        readers = {}
        for membership in memberships:
            if not membership.user.digest_enabled:
                continue
            key = f"staff:{membership.user_id}:digest:{today.isoformat()}"
            reader = readers.setdefault(key, Reader(user=membership.user))
            reader.roles[membership.agency_id].add(membership.role)
            reader.agencies[membership.agency_id] = membership.agency
        readers = _new(readers)
        if not readers:
            return 0
        counts = _counts(memberships, {r.user.pk: r for r in readers.values()}, now, today)
        drafts = []
        for key, reader in readers.items():
            language = reader.user.preferred_language
            with translation.override(language):
                agencies = []
                for agency in sorted(reader.agencies.values(), key=lambda a: str(a.name)):
                    lines = _lines(reader, agency, counts)
                    if lines:
                        agencies.append({"name": str(agency.name), "lines": lines})
            if not agencies:
                continue
            drafts.append(
                Draft(
                    key=key,
                    channel=Channel.EMAIL,
                    to=reader.user.email,
                    template="staff_digest",
                    context={
                        "recipient": reader.user.get_short_name(),
                        "date": today,
                        "agencies": agencies,
                        "preferences_url": notifications_url(language),
                    },
                    language=language,
                    kind=Kind.STAFF_DIGEST,
                    audience=Audience.STAFF,
                    sensitive=False,
                )
            )
        return messages_write(drafts, now=now)


# Court daily digest ---------------------------------------------------------------------------


def court_digests_prepare(*, now=None) -> int:
    """Write, from the digest time on, each court liaison officer's daily email (for those who
    chose it) listing the documents issued for their courts in the day up to that time: valid
    certificates and the reports the court sees. Nothing to list → no email."""
    now = now or timezone.now()
    today, moment = _digest_day(now)
    if today is None:
        return 0
    since = moment - timedelta(days=1)
    with single_run("court-digests") as mine:
        if not mine:
            return 0
        profiles = {
            f"court:{profile.user_id}:digest:{today.isoformat()}": profile
            for profile in LiaisonProfile.objects.filter(
                court_messages=LiaisonProfile.CourtMessages.DAILY, user__is_active=True
            )
            .select_related("user")
            .prefetch_related("courts")
        }
        profiles = _new(profiles)
        if not profiles:
            return 0
        courts = {court.pk for profile in profiles.values() for court in profile.courts.all()}
        issued = Q(referral__court__in=courts, issued_at__gte=since, issued_at__lt=moment)
        documents = [
            *Certificate.objects.filter(issued, revoked_at__isnull=True)
            .select_related("referral__court", "referral__agency")
            .defer("pdf", "details"),
            *CourtReport.objects.filter(issued, replaced_by__isnull=True)
            .select_related("referral__court", "referral__agency")
            .defer("pdf", "details"),
        ]
        documents.sort(key=lambda document: (document.issued_at, document.pk))
        drafts = []
        for key, profile in profiles.items():
            user, language = profile.user, profile.user.preferred_language
            followed = {court.pk for court in profile.courts.all()}
            listed = [
                document_line(document, language)
                for document in documents
                if document.referral.court_id in followed
            ]
            if not listed:
                continue
            drafts.append(
                Draft(
                    key=key,
                    channel=Channel.EMAIL,
                    to=user.email,
                    template="court_digest",
                    context={
                        "recipient": user.get_short_name(),
                        "since": since,
                        "documents": listed,
                        "preferences_url": notifications_url(language),
                    },
                    language=language,
                    kind=Kind.COURT_DIGEST,
                    audience=Audience.COURT,
                    sensitive=True,
                )
            )
        return messages_write(drafts, now=now)
