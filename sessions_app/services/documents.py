"""Documents for the court: the completion certificate and the attendance reports.

A document is issued once with a snapshot of what it says (the participant's file may change
later; the document does not), then rendered to PDF by a worker (or on its first download, if
the worker has not got to it). Nothing from the confidential store, no fee and no note ever
goes into one: the snapshot is built from the fields listed here, and only those.
"""

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
from ipv.core.pdf import qr_code, render_pdf
from referrals.models import COURT_REPORTED, EventKind
from referrals.models import Status as ReferralStatus
from referrals.reasons import reason_text
from sessions_app import completion
from sessions_app.models import MODULE_COUNT, Attendance, Certificate, CourtReport

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
    """The module each counting attendance covered, first time only, oldest first."""
    rows = (
        Attendance.objects.filter(referral=referral)
        .filter(completion.counts(referral.agency.late_threshold_minutes))
        .select_related("session__module")
        .order_by("session__date")
    )
    modules = {}
    for row in rows:
        module = row.session.module
        modules.setdefault(
            module.number,
            {
                "number": module.number,
                "title": getattr(module, f"title_{language}"),
                "date": row.session.date.isoformat(),
            },
        )
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


@transaction.atomic
def court_report_issue(*, referral, kind: str, by) -> CourtReport:
    """Issue a report for the court, in the court's language: attendance so far, or the
    non-compliance that led to a discharge."""
    language = referral.court.report_language
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
    report = CourtReport.objects.create(
        agency_id=referral.agency_id,
        referral=referral,
        kind=kind,
        code=new_code(),
        language=language,
        issued_by=by,
        details=details,
    )
    _render_soon(report)
    return report


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
        "modules": [{**module, "date": _day(module["date"])} for module in details["modules"]],
    }
    for name in ("started_on", "completed_on", "date_of_birth", "order_date", "complete_by"):
        context[name] = _day(details.get(name))
    context["projected_finish"] = _day(details.get("projected_finish"))
    if "status" in details:
        context["status"] = ReferralStatus(details["status"]).label
        context["absences"] = [
            {"date": _day(row["date"]), "label": Attendance.Status(row["status"]).label}
            for row in details["absences"]
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


def document_pdf(document) -> bytes:
    """Render the document to PDF (without storing it)."""
    with translation.override(document.language):
        context = _context(document)
    if isinstance(document, Certificate):
        url = verify_url(document.code, document.language)
        context.update(verify_url=url, qr_code=qr_code(url))
        template = "certificate.html"
    else:
        template = f"report_{document.kind}.html"
    return render_pdf(template, context, language=document.language)


def document_render(document) -> bytes:
    """The document's PDF: rendered and stored the first time, read back after. Idempotent."""
    if document.is_rendered:
        return bytes(document.pdf)
    model = type(document)
    pdf = document_pdf(document)
    # Two renders at once: the first one written wins; documents never change afterwards.
    model.objects.filter(pk=document.pk, pdf=b"").update(pdf=pdf)
    document.refresh_from_db(fields=["pdf"])
    return bytes(document.pdf)
