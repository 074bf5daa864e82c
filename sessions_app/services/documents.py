"""Documents for the court: the completion certificate and the attendance reports.

A document is issued once with a snapshot of what it says (the participant's file may change
later; the document does not), then rendered to PDF by a worker (or on its first download, if
the worker has not got to it). Nothing from the confidential store, no fee and no note ever
goes into one: the snapshot is built from the fields listed here, and only those.
"""

import hashlib
import json
import logging
import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory.models import Program
from ipv.audit.services import Action, audit_record
from ipv.core import files
from ipv.core.pdf import qr_code, render_pdf
from referrals.models import COURT_REPORTED, EventKind
from referrals.models import Status as ReferralStatus
from referrals.reasons import reason_text
from referrals.services.referrals import referrals_touched
from sessions_app import completion
from sessions_app.models import (
    MODULE_COUNT,
    REPLACEABLE,
    Attendance,
    Certificate,
    CourtReport,
)
from sessions_app.services.court_messages import court_document_announce, court_document_withdraw

logger = logging.getLogger(__name__)

# No 0/O or 1/I: the code is read aloud over the phone and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    """A verification code like 7KQF-3XWM-PA9C: 60 random bits, impossible to guess."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def initials(name: str) -> str:
    """ "Jean-Marc Tremblay" → "J.-M. T.": enough to match a paper, not to find a person."""
    return " ".join(
        "-".join(f"{piece[0]}." for piece in word.split("-") if piece) for word in name.split()
    )


def _attended(referral, language: str) -> list[dict]:
    """The module each counting attendance covered, first time only, oldest first. A module
    attended at another agency, before a transfer, says which: its name, and nothing else of
    that agency's records."""
    rows = (
        completion.attendance_counted(referral=referral)
        .select_related("session__module", "agency")
        .order_by("session__date", "session__start_time", "pk")
    )
    modules = {}
    for row in rows:
        module = row.session.module
        attended = {
            "number": module.number,
            "title": getattr(module, f"title_{language}"),
            "date": row.session.date.isoformat(),
        }
        if row.agency_id != referral.agency_id:
            attended["agency"] = {"fr": row.agency.name_fr, "en": row.agency.name_en}
        modules.setdefault(module.number, attended)
    return sorted(modules.values(), key=lambda module: module["number"])


def _common(referral) -> dict:
    agency, court, person = referral.agency, referral.court, referral.participant
    return {
        "name": person.legal_name,
        "initials": initials(person.legal_name),
        "program": referral.program,
        "agency": {"fr": agency.name_fr, "en": agency.name_en},
        "court": {"fr": court.name_fr, "en": court.name_en},
        "court_file_number": referral.court_file_number,
    }


@transaction.atomic
def certificate_issue(*, referral, by) -> Certificate:
    """Issue the completion certificate, in the participant's language."""
    language = referral.participant.language
    modules = _attended(referral, language)
    if len(modules) < MODULE_COUNT:
        raise ValidationError(_("Each of the twelve modules must be attended first."))
    certificate = Certificate.objects.create(
        agency_id=referral.agency_id,
        referral=referral,
        code=new_code(),
        language=language,
        issued_by=by,
        details={
            **_common(referral),
            # From the first session attended to the one that taught the last module missing
            # (not the day completion was recorded: a fee paid later, a review, a late roster).
            "started_on": min(module["date"] for module in modules),
            "completed_on": max(module["date"] for module in modules),
            "modules": modules,
        },
    )
    _render_soon(certificate)
    court_document_announce(certificate)
    referrals_touched([referral.pk])
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a certificate: the verify page says so from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at:
        raise ValidationError(_("This certificate was already revoked."), code="revoked")
    certificate.revoked_at, certificate.revoked_by = timezone.now(), by
    certificate.revocation_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    court_document_withdraw(certificate, reason="certificate revoked")
    referrals_touched([certificate.referral_id])
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=by,
        agency=certificate.referral.agency,
        target=certificate,
        label=certificate.code,
        details={"event": "certificate_revoked"},
    )
    return certificate


def _absences(referral) -> list[dict]:
    rows = (
        Attendance.objects.filter(referral=referral, status__in=completion.ABSENT)
        .filter(session__date__lte=timezone.localdate())  # nothing after the report's own day
        .select_related("session")
        .order_by("session__date")
    )
    return [{"date": row.session.date.isoformat(), "status": row.status} for row in rows]


def _report_details(referral, kind: str, language: str) -> dict:
    progress = completion.progress(referral=referral)
    details = {
        **_common(referral),
        "date_of_birth": referral.participant.date_of_birth.isoformat(),
        "status": referral.status,
        "order_date": referral.order_date.isoformat(),
        "complete_by": referral.complete_by.isoformat(),
        "modules": _attended(referral, language),
        "remaining": progress.remaining,
        "projected_finish": (
            progress.projected_finish.isoformat() if progress.projected_finish else None
        ),
        "absences": _absences(referral),
    }
    if kind == CourtReport.Kind.NON_COMPLIANCE:
        # A reason the software gave is kept as its code, worded in the report's language.
        details["reasons"] = [
            {
                "kind": entry.kind,
                "date": entry.at.date().isoformat(),
                "reason": entry.reason,
                "reason_code": entry.reason_code,
                "reason_params": entry.reason_params,
            }
            for entry in referral.timeline.filter(kind__in=COURT_REPORTED).order_by("at")
        ]
    return details


def court_report_draft(*, referral, kind: str, replaces: CourtReport | None = None) -> CourtReport:
    """The report as it would be issued now, unsaved: what the preview shows, word for word."""
    if kind not in REPLACEABLE:
        raise ValueError(f"{kind} is not a report the agency issues")
    if referral.status == ReferralStatus.TRANSFERRED:
        raise ValidationError(
            _("This referral was transferred: the agency that took it reports to the court now."),
            code="transferred",
        )
    if kind == CourtReport.Kind.NON_COMPLIANCE and referral.status != ReferralStatus.DISCHARGED:
        raise ValidationError(
            _("A non-compliance report follows a discharge from the program."), code="status"
        )
    language = referral.court.report_language
    details = _report_details(referral, kind, language)
    if replaces is not None:
        details["replaces"] = {
            "code": replaces.code,
            "issued_on": timezone.localdate(replaces.issued_at).isoformat(),
        }
    return CourtReport(
        agency_id=referral.agency_id,
        referral=referral,
        kind=kind,
        language=language,
        details=details,
        replaces=replaces,
    )


def fingerprint(document) -> str:
    """What a preview showed, in a few characters: the confirmation issues it only if the
    report would still say exactly that."""
    content = json.dumps([document.kind, document.language, document.details], sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


@transaction.atomic
def court_report_issue(
    *, referral, kind: str, by, replaces: CourtReport | None = None, previewed: str | None = None
) -> CourtReport:
    """Issue a report for the court, in the court's language: attendance so far, or the
    non-compliance that led to a discharge; or a corrected one that `replaces` an earlier.

    `previewed` is the fingerprint of the preview the worker confirmed: if the report would say
    anything else now, nothing is issued. A confirmation sent twice issues one report: the
    second finds the same report already issued, and answers with it.
    """
    from referrals.services.referrals import referral_locked

    referral = referral_locked(referral)
    if replaces is not None:
        replaces = (
            CourtReport.objects.select_for_update()
            .filter(pk=replaces.pk, referral=referral, kind=kind)
            .first()
        )
        if replaces is None:
            raise ValidationError(_("Only a report of the same kind can be replaced."))
    draft = court_report_draft(referral=referral, kind=kind, replaces=replaces)
    if previewed is not None and previewed != fingerprint(draft):
        raise ValidationError(
            _("The report has changed since the preview: read it again before sending it."),
            code="changed",
        )
    current = CourtReport.objects.filter(referral=referral, kind=kind, replaced_by__isnull=True)
    for report in current.filter(replaces=replaces) if previewed is not None else ():
        if fingerprint(report) == fingerprint(draft):
            return report  # the same confirmation, sent twice
    if replaces is not None and CourtReport.objects.filter(replaces=replaces).exists():
        raise ValidationError(_("This report was already replaced."), code="replaced")
    draft.code, draft.issued_by = new_code(), by
    draft.save()
    _render_soon(draft)
    if replaces is not None:
        # The court sees only the new report: the message about the one it replaces is moot.
        court_document_withdraw(replaces, reason="report replaced")
    court_document_announce(draft)
    referrals_touched([referral.pk])
    return draft


@transaction.atomic
def court_notice_issue(*, referral, by, reason: str) -> CourtReport:
    """The notice that the referral returns to the court, with the reason written for the
    court, in the participant's language. Its snapshot holds the order, the outcome and that
    reason: nothing of the intake's notes, its risk flags, the fee or the people named."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"court_reason": _("Write the reason for the court: it is printed on its notice.")},
            code="court_reason",
        )
    language = referral.participant.language
    intake = getattr(referral, "intake", None)
    ineligible = bool(intake and intake.eligibility == intake.Eligibility.INELIGIBLE)
    notice = CourtReport.objects.create(
        agency_id=referral.agency_id,
        referral=referral,
        kind=CourtReport.Kind.RETURN_NOTICE,
        code=new_code(),
        language=language,
        issued_by=by,
        details={
            **_common(referral),
            "date_of_birth": referral.participant.date_of_birth.isoformat(),
            "status": referral.status,
            "order_date": referral.order_date.isoformat(),
            "complete_by": referral.complete_by.isoformat(),
            "return_court_date": (
                referral.return_court_date.isoformat() if referral.return_court_date else None
            ),
            "outcome": "ineligible" if ineligible else "returned",
            "intake_held_on": intake.held_on.isoformat() if ineligible else None,
            "returned_on": timezone.localdate().isoformat(),
            "reason": reason,
        },
    )
    _render_soon(notice)
    court_document_announce(notice)
    referrals_touched([referral.pk])
    return notice


def _render_soon(document) -> None:
    """Render after the commit, in the worker; if Redis is down, the periodic job does."""
    from sessions_app.tasks import render_document

    def queue():
        try:
            render_document.delay(document._meta.model_name, document.pk)
        except Exception:  # the broker is unreachable: render_pending_documents catches up
            logger.warning("documents: could not reach the broker; the periodic job renders")

    transaction.on_commit(queue)


def verify_url(code: str, language: str) -> str:
    with translation.override(language):
        return settings.IPV_BASE_URL + reverse("verify", kwargs={"code": code})


def _day(value):
    return date.fromisoformat(value) if value else None


def _context(document) -> dict:
    """What the templates show, from the document's snapshot: names in its language, dates
    as dates, statuses as words (translated when rendered)."""
    details, language = document.details, document.language
    title = (
        _("Certificate of completion")
        if isinstance(document, Certificate)
        else document.get_kind_display()
    )
    context = {
        "title": str(title),
        "document": document,
        "details": details,
        "agency": details["agency"][language],
        "court": details["court"][language],
        "program": Program(details["program"]).label,
        "modules": [
            {
                **module,
                "date": _day(module["date"]),
                "agency": module["agency"][language] if "agency" in module else "",
            }
            for module in details.get("modules", [])
        ],
    }
    for name in (
        "started_on",
        "completed_on",
        "date_of_birth",
        "order_date",
        "complete_by",
        "return_court_date",
        "intake_held_on",
        "returned_on",
    ):
        context[name] = _day(details.get(name))
    if "replaces" in details:
        context["replaces"] = {
            **details["replaces"],
            "issued_on": _day(details["replaces"]["issued_on"]),
        }
    context["projected_finish"] = _day(details.get("projected_finish"))
    if "status" in details:
        context["status"] = ReferralStatus(details["status"]).label
        context["absences"] = [
            {"date": _day(row["date"]), "label": Attendance.Status(row["status"]).label}
            for row in details.get("absences", [])
        ]
        context["reasons"] = [
            {
                **row,
                "date": _day(row["date"]),
                "label": EventKind(row["kind"]).label,
                "reason": reason_text(
                    row["reason"], row.get("reason_code", ""), row.get("reason_params"), row["kind"]
                ),
            }
            for row in details.get("reasons", [])
        ]
    return context


def document_context(document) -> dict:
    """What the document's template shows, in the document's language (a preview shows the
    very same)."""
    with translation.override(document.language):
        return _context(document)


def document_pdf(document) -> bytes:
    """Render the document to PDF (without storing it)."""
    context = document_context(document)
    if isinstance(document, Certificate):
        url = verify_url(document.code, document.language)
        context.update(verify_url=url, qr_code=qr_code(url))
        template = "certificate.html"
    else:
        template = f"report_{document.kind}.html"
    return render_pdf(template, context, language=document.language)


def document_render(document) -> bytes:
    """The document's PDF: rendered and stored the first time (in the database or the file
    storage, ipv.core.files), read back after. Idempotent."""
    if not document.is_rendered:
        _render_and_store(document)
    if not document.is_rendered:
        # What it says changed while it was printed (retention blanked the person): printed
        # again from what it says now.
        _render_and_store(document)
    if document.pdf_file:
        return files.file_read(document.pdf_file)
    return bytes(document.pdf)


def _render_and_store(document) -> None:
    model = type(document)
    pdf = document_pdf(document)
    # Two renders at once: the first one written wins; documents never change afterwards,
    # but for retention, which blanks whom one was about (sessions_app.retention): a PDF
    # printed from what it said before is then not stored.
    unrendered = model.objects.filter(
        pk=document.pk, pdf=b"", pdf_file="", details=document.details
    )
    if files.in_database():
        unrendered.update(pdf=pdf)
    else:
        name = files.file_save("documents", pdf)
        if not unrendered.update(pdf_file=name):
            files.file_delete(name)
    document.refresh_from_db(fields=["pdf", "pdf_file", "details"])
