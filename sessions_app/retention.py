"""Retention of the program records of a referral being de-identified (ipv.pages.retention):
attendance stays (modules, dates, statuses: the figures count them); the facilitators' notes
about the person go, from the records and their history; the documents issued for the court
keep their code, kind, dates and modules, but no longer say whom they were about."""

import pgtrigger
from django.db import transaction
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

from ipv.core import files
from ipv.core.history import history_scrub
from sessions_app.models import Attendance, Certificate, CourtReport

# What a document said of the person, blanked where it is: the name and initials, the court's
# file number, the reasons written for the court; the birth date kept to its year.
_NO_ONE = RawSQL(
    """
    details
    || '{"name": "", "initials": "", "court_file_number": ""}'::jsonb
    || CASE WHEN details ? 'reason' THEN '{"reason": ""}'::jsonb ELSE '{}'::jsonb END
    || CASE WHEN details ? 'date_of_birth' THEN jsonb_build_object(
           'date_of_birth', left(details ->> 'date_of_birth', 4) || '-01-01')
       ELSE '{}'::jsonb END
    || CASE WHEN jsonb_typeof(details -> 'reasons') = 'array' THEN jsonb_build_object(
           'reasons', (SELECT coalesce(jsonb_agg(each || '{"reason": ""}'::jsonb), '[]'::jsonb)
                       FROM jsonb_array_elements(details -> 'reasons') AS each))
       ELSE '{}'::jsonb END
    """,
    [],
    output_field=JSONField(),
)


def attendance_notes_clear(*, referral_ids: list[int]) -> None:
    """Blank the notes of the attendance of `referral_ids`."""
    rows = Attendance.objects.filter(referral_id__in=referral_ids)
    rows.exclude(note="").update(note="")
    # A note a worker blanked long ago is still in the history: every row's is scrubbed.
    history_scrub(Attendance, list(rows.values_list("pk", flat=True)), note="")


def documents_deidentify(*, referral_ids: list[int]) -> int:
    """Blank who the documents of `referral_ids` were about, and drop their PDFs, which
    printed it: a document asked for again is printed from what is left. Documents are frozen
    once issued; only the owner lifts that guard, inside the caller's transaction. Returns how
    many documents were changed."""
    changed = 0
    for model in (Certificate, CourtReport):
        rows = model.objects.filter(referral_id__in=referral_ids)
        stored = [name for name in rows.values_list("pdf_file", flat=True) if name]
        with pgtrigger.ignore(f"{model._meta.label}:frozen"):
            changed += rows.update(details=_NO_ONE, pdf=b"", pdf_file="")
        for name in stored:
            # Once the rows no longer name the files, and only then.
            transaction.on_commit(lambda name=name: files.file_delete(name))
    return changed
