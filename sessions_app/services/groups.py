"""Curricula, groups and their sessions: writing a curriculum's new version, opening a group,
scheduling its weekly sessions, cancelling or moving one."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipv.audit.services import Action, audit_record
from sessions_app import defaults
from sessions_app.models import MODULE_COUNT, Curriculum, Group, Module, Session
from sessions_app.services.reminders import session_reminders_cancel

# How far ahead a group's sessions are written: enough for a newcomer's twelve weeks and a
# few make-ups. A periodic job keeps every running group this far ahead.
HORIZON_WEEKS = 26
# A group starts, a session moves and a person joins a group within a year from today.
AHEAD = timedelta(days=365)
TOO_FAR = gettext_lazy("Choose a day within a year: by %(limit)s.")


def check_within_a_year(day: date, field: str) -> None:
    """Refuse a day further than a year ahead (a typing mistake, like 9999-12-31)."""
    latest = timezone.localdate() + AHEAD
    if day > latest:
        limit = formats.date_format(latest, "DATE_FORMAT")
        raise ValidationError({field: TOO_FAR % {"limit": limit}}, code="too_far")


def _latest(agency, program) -> Curriculum | None:
    return Curriculum.objects.filter(agency=agency, program=program).order_by("-version").first()


def curriculum_current(*, agency, program) -> Curriculum:
    """The agency's latest curriculum of `program`; the default one when it has none yet,
    written once even when two requests ask for it at the same moment."""
    current = _latest(agency, program)
    if current is not None:
        return current
    rows = [
        {"title_fr": t_fr, "title_en": t_en, "description_fr": d_fr, "description_en": d_en}
        for t_fr, t_en, d_fr, d_en in defaults.MODULES[program]
    ]
    try:
        with transaction.atomic():
            return _curriculum_write(
                agency=agency, program=program, version=1, modules=rows, by=None
            )
    except IntegrityError:  # the other request wrote it first: (agency, program, version)
        return _latest(agency, program)


@transaction.atomic
def _curriculum_write(*, agency, program, version, modules, by) -> Curriculum:
    if len(modules) != MODULE_COUNT:
        raise ValidationError(_("A curriculum has exactly twelve modules."), code="twelve")
    curriculum = Curriculum.objects.create(
        agency=agency, program=program, version=version, created_by=by
    )
    rows = []
    for number, fields in enumerate(modules, start=1):
        module = Module(agency=agency, curriculum=curriculum, number=number, **fields)
        module.full_clean(exclude=["agency", "curriculum"])
        rows.append(module)
    Module.objects.bulk_create(rows)
    return curriculum


@transaction.atomic
def curriculum_revise(*, agency, program, by, modules: list[dict]) -> Curriculum:
    """Write a new version of the curriculum. Sessions not yet held teach the new modules;
    sessions already held keep the ones they taught."""
    current = curriculum_current(agency=agency, program=program)
    Curriculum.objects.select_for_update().filter(pk=current.pk).get()
    # Read again once the lock is held: a revision saved meanwhile is the one to follow.
    current = _latest(agency, program)
    new = _curriculum_write(
        agency=agency, program=program, version=current.version + 1, modules=modules, by=by
    )
    by_number = {module.number: module for module in new.modules.all()}
    upcoming = Session.objects.filter(
        group__agency=agency,
        group__program=program,
        date__gte=timezone.localdate(),
        attendance__isnull=True,
    ).select_related("module")
    for session in upcoming:
        session.module = by_number[session.module.number]
        session.save(update_fields=["module"])
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=by,
        agency=agency,
        target=new,
        label=new,
        details={"event": "curriculum_revised"},
    )
    return new


def _first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@transaction.atomic
def group_create(*, agency, by, facilitators=(), **fields) -> Group:
    """Open a group and write its sessions: modules 1 to 12 for a closed cohort, round and
    round for an open-entry group."""
    group = Group(agency=agency, **fields)
    check_within_a_year(group.start_date, "start_date")
    group.full_clean(exclude=["agency"])
    if agency.programs and group.program not in agency.programs:
        raise ValidationError(
            {"program": _("This agency does not offer this program.")}, code="program"
        )
    group.start_date = _first_on_or_after(group.start_date, group.weekday)
    group.save()
    group.facilitators.set(facilitators)
    sessions_extend(group=group)
    audit_record(
        action=Action.RECORD_CREATED, actor=by, agency=agency, target=group, label=group.name
    )
    return group


@transaction.atomic
def sessions_extend(*, group: Group, until: date | None = None) -> int:
    """Write the group's weekly sessions up to `until` (default: the horizon). Idempotent:
    the sessions already written stay; a closed cohort stops after its twelve modules."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    until = until or timezone.localdate() + timedelta(weeks=HORIZON_WEEKS)
    curriculum = curriculum_current(agency=group.agency, program=group.program)
    modules = {module.number: module for module in curriculum.modules.all()}
    existing = list(group.sessions.order_by("date"))
    taught = [session for session in existing if session.status == Session.Status.SCHEDULED]
    if group.format == Group.Format.CLOSED and len(taught) >= MODULE_COUNT:
        return 0
    last = existing[-1].date if existing else None
    day = group.start_date if last is None else last + timedelta(weeks=1)
    number = (taught[-1].module.number % MODULE_COUNT) + 1 if taught else 1
    rows = []
    while day <= until:
        if group.format == Group.Format.CLOSED and len(taught) + len(rows) >= MODULE_COUNT:
            break
        rows.append(
            Session(
                agency_id=group.agency_id,
                group=group,
                module=modules[number],
                date=day,
                start_time=group.start_time,
            )
        )
        day += timedelta(weeks=1)
        number = number % MODULE_COUNT + 1
    Session.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def session_cancel(*, session: Session, by, reason: str) -> Session:
    """Cancel a session (not an absence for anyone). In a closed cohort, its module is taught
    again after the last session."""
    session = Session.objects.select_for_update().select_related("group").get(pk=session.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session is already cancelled."), code="cancelled")
    if session.attendance.exists():
        raise ValidationError(
            _("Attendance was taken at this session: it took place."), code="held"
        )
    session_reminders_cancel(session=session)
    session.status, session.note = Session.Status.CANCELLED, reason
    session.save(update_fields=["status", "note"])
    group = session.group
    if group.format == Group.Format.CLOSED:
        last = group.sessions.order_by("-date").first()
        Session.objects.create(
            agency_id=group.agency_id,
            group=group,
            module=session.module,
            date=last.date + timedelta(weeks=1),
            start_time=group.start_time,
        )
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=by,
        agency=group.agency,
        target=session,
        label=session,
        details={"event": "session_cancelled"},
    )
    return session


@transaction.atomic
def session_move(*, session: Session, by, date, start_time, reason: str) -> Session:
    """Move a session to another day or time, before it is held."""
    session = Session.objects.select_for_update().select_related("group").get(pk=session.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("A cancelled session cannot be moved."), code="cancelled")
    if session.attendance.exists():
        raise ValidationError(
            _("Attendance was taken at this session: it took place."), code="held"
        )
    if date < timezone.localdate():
        raise ValidationError({"date": _("Choose a day to come.")}, code="past")
    check_within_a_year(date, "date")
    clash = session.group.sessions.filter(date=date, status=Session.Status.SCHEDULED)
    if clash.exclude(pk=session.pk).exists():
        raise ValidationError({"date": _("The group already meets that day.")}, code="clash")
    session_reminders_cancel(session=session)
    session.moved_from = session.moved_from or session.date
    session.date, session.start_time, session.note = date, start_time, reason
    session.save(update_fields=["moved_from", "date", "start_time", "note"])
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=by,
        agency=session.group.agency,
        target=session,
        label=session,
        details={"event": "session_moved"},
    )
    return session
