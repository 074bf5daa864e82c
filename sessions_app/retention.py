"""Retention of the program records of a referral being de-identified (ipv.pages.retention):
attendance stays (modules, dates, statuses: the figures count them); the facilitators' notes
about the person go, from the records and their history."""

from ipv.core.history import history_scrub
from sessions_app.models import Attendance


def attendance_notes_clear(*, referral_ids: list[int]) -> None:
    """Blank the notes of the attendance of `referral_ids`."""
    rows = Attendance.objects.filter(referral_id__in=referral_ids)
    rows.exclude(note="").update(note="")
    # A note a worker blanked long ago is still in the history: every row's is scrubbed.
    history_scrub(Attendance, list(rows.values_list("pk", flat=True)), note="")
