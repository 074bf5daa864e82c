"""Outreach: the work with victims and partners, and what they say of their safety.

Counts only, for those who may read the outreach half (partner-contact workers, managers):
no name, no list of people behind a figure. The confidential store is read inside
`confidential(agency)`, for the agency's own figures alone: nothing here is counted for a
court or across agencies.
"""

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ipv.figures.definitions import SHARE, Figure, Result, Section, protected_parts
from ipv.figures.periods import Period
from ipv.figures.scope import Scope
from victims.models import Contact, OutreachTask, SafetyPlanVersion, SafetyView
from victims.models.outreach import Outcome, Service, TaskKind
from victims.models.safety import Abuse, Moment
from victims.rls import confidential

FIRST_CONTACTS_DUE = Figure(
    "outreach_first_contacts_due",
    _("People with a first contact due"),
    _(
        "People whose first-contact task (made when the referral was accepted) fell due in "
        "the period, each person once. A task cancelled by its due date (the person withdrew "
        "consent, must not be contacted, or outreach closed) is not counted; one cancelled "
        "later is."
    ),
)
REACHED_ON_TIME = Figure(
    "outreach_reached_on_time",
    _("Reached by the due date"),
    _(
        "Of the people with a first contact due in the period, those reached (a contact whose "
        "outcome is “reached”) at the latest on the day the task was due."
    ),
)
REACHED_ON_TIME_SHARE = Figure(
    "outreach_reached_on_time_share",
    _("Share reached by the due date"),
    _("People reached by the due date, out of the people with a first contact due."),
    unit=SHARE,
)
PEOPLE_REACHED = Figure(
    "outreach_people_reached",
    _("People reached"),
    _(
        "People with at least one contact in the period whose outcome is “reached”, "
        "each person once, whatever the task."
    ),
)
ATTEMPTS = Figure(
    "outreach_attempts",
    _("Contacts and attempts"),
    _(
        "Every contact or attempt a worker logged in the period, whatever came of it, the "
        "person's own calls and visits included. Messages the system sent on its own are not "
        "counted."
    ),
)
SERVICES = Figure(
    "outreach_services",
    _("Services given"),
    _(
        "Services given at contacts in the period: a contact counts once for each service it "
        "lists, so the total can exceed the number of contacts."
    ),
    chart="bar",
)
PLANS_MADE = Figure(
    "outreach_plans_made",
    _("Safety plans made"),
    _("People whose safety plan was first saved in the period (its first version)."),
)
PLANS_UPDATED = Figure(
    "outreach_plans_updated",
    _("Safety plan updates"),
    _(
        "Later versions of safety plans saved in the period: a plan saved three times after "
        "its first version counts three."
    ),
)
VIEWS_DEFINITION = _(
    "People whose view at the participant's exit is dated in the period and who also gave "
    "their view at first contact. Counts from 1 to 4 are shown as “< 5”, even here: "
    "so small a group could point at one person."
)
FEEL_SAFER = Figure(
    "outreach_views_safety",
    _("How safe they feel at exit, compared with first contact"),
    VIEWS_DEFINITION,
    chart="bar",
)
ABUSE_AT_EXIT = Figure(
    "outreach_views_abuse",
    _("The abuse at exit, as they say"),
    VIEWS_DEFINITION,
    chart="bar",
)

# The rows of how safe they feel, each a condition on an exit view with its first contact's.
SAFETY_ROWS = (
    ("safer", _("Feel safer"), Q(feels_safe__gt=F("first__feels_safe"))),
    ("same", _("Feel as safe"), Q(feels_safe=F("first__feels_safe"))),
    ("less_safe", _("Feel less safe"), Q(feels_safe__lt=F("first__feels_safe"))),
)


def _in(field: str, period: Period, *, moments: bool = False) -> Q:
    if moments:
        return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_before})
    return Q(**{f"{field}__range": (period.start, period.end)})


def _both(periods, name: str, expression, condition: Q) -> dict:
    """`expression` counted under `condition` and each period's own condition; people
    (`victim`) once each."""
    now, before = periods
    distinct = expression == "victim"
    return {
        f"{name}__now": Count(expression, filter=condition & now, distinct=distinct),
        f"{name}__before": Count(expression, filter=condition & before, distinct=distinct),
    }


def _pair(totals: dict, name: str) -> tuple[int, int]:
    return totals[f"{name}__now"], totals[f"{name}__before"]


def _first_contacts(agency: int, current: Period, previous: Period) -> dict:
    """One query: the people with a first contact due, and those reached by then."""
    reached_by_due = Contact.objects.filter(
        victim_id=OuterRef("victim_id"),
        outcome=Outcome.REACHED,
        at__date__lte=OuterRef("due_on"),
    )
    tasks = (
        OutreachTask.objects.filter(agency_id=agency, kind=TaskKind.ACCEPTED)
        .filter(_in("due_on", previous) | _in("due_on", current))
        # Cancelled by its due date: the duty to reach them ended before the deadline.
        .exclude(state=OutreachTask.State.CANCELLED, done_at__date__lte=F("due_on"))
        .annotate(on_time=Exists(reached_by_due))
    )
    periods = (_in("due_on", current), _in("due_on", previous))
    return tasks.aggregate(
        **_both(periods, "due", "victim", Q()),
        **_both(periods, "on_time", "victim", Q(on_time=True)),
    )


def _contacts(agency: int, current: Period, previous: Period) -> dict:
    """One query: people reached, contacts and attempts, and each service given."""
    contacts = Contact.objects.filter(agency_id=agency, automatic=False).filter(
        _in("at", previous, moments=True) | _in("at", current, moments=True)
    )
    periods = (_in("at", current, moments=True), _in("at", previous, moments=True))
    wanted = {
        **_both(periods, "reached", "victim", Q(outcome=Outcome.REACHED)),
        **_both(periods, "attempts", "pk", Q()),
    }
    for service in Service.values:
        wanted |= _both(periods, service, "pk", Q(services__contains=[service]))
    return contacts.aggregate(**wanted)


def _plans(agency: int, current: Period, previous: Period) -> dict:
    """One query: first versions and later versions saved."""
    plans = SafetyPlanVersion.objects.filter(agency_id=agency).filter(
        _in("saved_at", previous, moments=True) | _in("saved_at", current, moments=True)
    )
    periods = (_in("saved_at", current, moments=True), _in("saved_at", previous, moments=True))
    return plans.aggregate(
        **_both(periods, "made", "pk", Q(number=1)),
        **_both(periods, "updated", "pk", Q(number__gt=1)),
    )


def _views(agency: int, current: Period, previous: Period) -> dict:
    """One query: the exit views of each period beside the same person's first-contact
    view, by how safe they feel compared and by what they say of the abuse."""
    views = (
        SafetyView.objects.filter(agency_id=agency, moment=Moment.EXIT)
        .filter(_in("on", previous) | _in("on", current))
        .annotate(
            first=FilteredRelation(
                "victim__safety_views",
                condition=Q(victim__safety_views__moment=Moment.FIRST_CONTACT),
            )
        )
        .filter(first__isnull=False)
    )
    periods = (_in("on", current), _in("on", previous))
    wanted = _both(periods, "people", "pk", Q())
    for key, _label, condition in SAFETY_ROWS:
        wanted |= _both(periods, key, "pk", condition)
    for abuse in Abuse.values:
        wanted |= _both(periods, abuse, "pk", Q(abuse=abuse))
    return views.aggregate(**wanted)


def _their_views(views: dict, figures: list) -> list[Result]:
    """The victims' view figures, (figure, its rows as (key, label)), each with its rows: every
    count of 1 to 4 hidden, and the rows that would give a hidden one away beside their total
    (ipv.figures.definitions.protected). They count the same people: where one's rows cannot
    be kept beside that total, it is hidden in each, with all their rows (else the one shown
    would give the other's back)."""
    people = _pair(views, "people")
    (now, nows), (before, befores) = (
        protected_parts(
            people[column],
            [
                ([_pair(views, key)[column] for key, _label in rows], [key for key, _ in rows])
                for _figure, rows in figures
            ],
        )
        for column in (0, 1)
    )
    return [
        Result(
            figure,
            now,
            before,
            rows=[
                Result(figure, nows[f][i], befores[f][i], label=label, by=key)
                for i, (key, label) in enumerate(rows)
            ],
        )
        for f, (figure, rows) in enumerate(figures)
    ]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute(scope: Scope, current: Period, previous: Period) -> list[Result]:
    agency = scope.single_agency
    if agency is None:
        # What victims say is counted for their agency alone: never for a court, a region
        # or the province.
        raise ValueError("outreach figures are counted for one agency at a time")
    with confidential(agency):
        tasks = _first_contacts(agency, current, previous)
        contacts = _contacts(agency, current, previous)
        plans = _plans(agency, current, previous)
        views = _views(agency, current, previous)
    due, on_time = _pair(tasks, "due"), _pair(tasks, "on_time")
    services = [
        Result(SERVICES, *_pair(contacts, value), label=label, by=value)
        for value, label in Service.choices
    ]
    return [
        Result(FIRST_CONTACTS_DUE, *due),
        Result(REACHED_ON_TIME, *on_time),
        Result(
            REACHED_ON_TIME_SHARE,
            _share(on_time[0], due[0]),
            _share(on_time[1], due[1]),
            counted=due,
        ),
        Result(PEOPLE_REACHED, *_pair(contacts, "reached")),
        Result(ATTEMPTS, *_pair(contacts, "attempts")),
        Result(
            SERVICES,
            sum(row.current for row in services),
            sum(row.previous for row in services),
            rows=services,
        ),
        Result(PLANS_MADE, *_pair(plans, "made")),
        Result(PLANS_UPDATED, *_pair(plans, "updated")),
        *_their_views(
            views,
            [
                (FEEL_SAFER, [(key, label) for key, label, _condition in SAFETY_ROWS]),
                (ABUSE_AT_EXIT, Abuse.choices),
            ],
        ),
    ]


SECTION = Section(
    "outreach",
    _("Outreach to victims and partners"),
    "outreach",
    (
        FIRST_CONTACTS_DUE,
        REACHED_ON_TIME,
        REACHED_ON_TIME_SHARE,
        PEOPLE_REACHED,
        ATTEMPTS,
        SERVICES,
        PLANS_MADE,
        PLANS_UPDATED,
        FEEL_SAFER,
        ABUSE_AT_EXIT,
    ),
    compute,
    one_agency=True,
)
