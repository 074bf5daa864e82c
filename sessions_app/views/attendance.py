"""The roster: one screen per session, every person expected with their attendance. Each line
saves on its own with htmx; without JavaScript the whole roster is one form."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ipv.core.forms import posted
from ipv.core.permissions import requires
from referrals.selectors import search as referral_search
from sessions_app import selectors
from sessions_app.forms import MakeupChoiceForm, MakeupSearchForm, RosterRowForm
from sessions_app.models import Attendance
from sessions_app.services.attendance import Mark, attendance_record, roster
from sessions_app.views.groups import _session

# At most this many people to choose from when several match the name typed.
MATCHES = 10


def _rows(session, data=None, among=None):
    """A form per person on the roster (or those of them among these referral ids), filled
    with what was recorded."""
    people = roster(session=session, among=among)
    marks = Attendance.objects.filter(session=session)
    if among is not None:
        marks = marks.filter(referral_id__in=among)
    recorded = {row.referral_id: row for row in marks}
    return [_row(referral, recorded.get(referral.pk), data) for referral in people]


def _row(referral, mark, data=None):
    """A person's line on the roster, filled with their mark (None when none is recorded)."""
    initial = (
        {"status": mark.status, "minutes_late": mark.minutes_late, "note": mark.note}
        if mark
        else {}
    )
    form = RosterRowForm(data, referral=referral, initial=initial)
    form.mark = mark
    return form


def _marks(rows) -> list[Mark]:
    return [
        Mark(
            referral_id=row.referral.pk,
            status=row.cleaned_data["status"],
            minutes_late=row.cleaned_data["minutes_late"],
            note=row.cleaned_data["note"],
        )
        for row in rows
        if row.cleaned_data.get("status")
    ]


def _save(request, session, rows) -> bool:
    """Validate and save the rows; put each refusal on its row. True when all saved."""
    if not all(row.is_valid() for row in rows):
        return False
    refused = attendance_record(session=session, by=request.user, marks=_marks(rows))
    for row in rows:
        if row.referral.pk in refused:
            row.add_error("status", refused[row.referral.pk])
    return not refused


@requires("attendance.take")
@require_http_methods(["GET", "POST"])
def session_roster(request, pk):
    session = _session(request, pk)
    rows = _rows(session, posted(request))
    if request.method == "POST" and _save(request, session, rows):
        messages.success(request, _("Attendance saved."))
        return _to_roster(request, session)
    context = {
        "session": session,
        "rows": rows,
        "makeup_form": MakeupSearchForm(),
    }
    status = 400 if any(row.errors for row in rows) else 200
    return render(request, "sessions_app/roster.html", context, status=status)


@requires("attendance.take")
@require_POST
def roster_row(request, pk, referral_id):
    """One line of the roster, saved on its own (htmx), answered with the line again."""
    session = _session(request, pk)
    rows = _rows(session, request.POST, among=[referral_id])
    if not rows:
        raise Http404
    row = rows[0]
    saved = _save(request, session, [row])
    if saved:  # the line again, as recorded
        mark = Attendance.objects.filter(session=session, referral_id=referral_id).first()
        row = _row(row.referral, mark)
    context = {"session": session, "row": row, "saved": saved}
    return render(request, "sessions_app/roster.html#row", context, status=200 if saved else 400)


@requires("attendance.take")
@require_POST
def session_makeup(request, pk):
    """Add someone from another group who came to make up this session's module: found by
    name or court file number (three characters at least), then chosen from the matches, even
    a single one, so that nobody is marked present by a search alone."""
    session = _session(request, pk)
    candidates = selectors.makeup_candidates(session=session)
    if "referral" in request.POST:
        choice = MakeupChoiceForm(request.POST, candidates=candidates)
        if choice.is_valid():
            return _add_makeup(request, session, choice.cleaned_data["referral"])
        messages.error(request, _("Choose who came."))
        return _to_roster(request, session)
    search = MakeupSearchForm(request.POST)
    matches = (
        list(referral_search(candidates, search.cleaned_data["q"])[:MATCHES])
        if search.is_valid()
        else []
    )
    if search.is_valid() and not matches:
        search.add_error("q", _("Nobody enrolled in another group of this program matches."))
    context = {
        "session": session,
        "rows": _rows(session),
        "makeup_form": search,
        "makeup_choice": MakeupChoiceForm(
            candidates=candidates.filter(pk__in=[m.pk for m in matches])
        )
        if matches
        else None,
    }
    return render(request, "sessions_app/roster.html", context, status=200 if matches else 400)


def _add_makeup(request, session, referral):
    refused = attendance_record(
        session=session,
        by=request.user,
        marks=[Mark(referral_id=referral.pk, status=Attendance.Status.PRESENT)],
        makeup=True,
    )
    if refused:
        messages.error(request, refused[referral.pk])
    else:
        messages.success(
            request,
            _("%(name)s added to the roster, present.")
            % {"name": referral.participant.display_name},
        )
    return _to_roster(request, session)


def _to_roster(request, session):
    return redirect("agency:session_roster", agency_slug=request.agency.slug, pk=session.pk)
