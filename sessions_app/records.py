"""A person's records request: everything the agency holds on a participant, read for one PDF.

The participant is entitled to the agency's own records about them: their details, each of
their referrals at the agency (with the history that came with a transfer), the intake (notes
and risk flags included: the agency's own assessment, kept in `referrals`, which DESIGN.md
hides from the court, not from the person), consents, attendance, fees, the documents issued,
and the change history of those rows. Nothing of the confidential store: this module lives in
`sessions_app`, a layer below `victims`, so import-linter forbids it from reading anything
victims, partners, outreach, concerns or risk alerts hold. A referral's timeline keeps only its
events, never their `details` (where the number of people an order names is written).

Queries: a fixed number per referral (its timeline), none per attendance, payment or history row.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from fees.models import FeeAssessment, FeeProposal, LedgerEntry
from ipv.accounts.models import User
from referrals import selectors as referral_selectors
from referrals.models import Consent, Intake, Participant, Referral, Transfer
from sessions_app.models import Attendance, Certificate, CourtReport, Enrollment

# Columns of a row's history that say nothing a person would call a change of their record.
_UNSHOWN = {"id", "agency", "updated_at", "participant_names", "search_document", "search_text"}
_HISTORY_LABELS = {"insert": "created", "update": "changed", "delete": "deleted"}


@dataclass
class Change:
    """One line of the history: when, who, which record, what happened to which fields."""

    at: object
    by: str
    record: object
    number: int
    what: str
    fields: list = field(default_factory=list)


@dataclass
class Records:
    participant: Participant
    people: list
    referrals: list
    consents: list
    history: list

    @property
    def counts(self) -> dict:
        """How many rows of each kind went into the bundle (for the audit trail: no content)."""
        rows = self.referrals
        return {
            "referrals": len(rows),
            "timeline": sum(len(r.entries) for r in rows),
            "consents": len(self.consents),
            "attendance": sum(len(r.attendance_rows) for r in rows),
            "ledger": sum(len(r.ledger_rows) for r in rows),
            "documents": sum(len(r.certificates) + len(r.reports) for r in rows),
            "history": len(self.history),
        }


def _by_referral(queryset) -> dict:
    grouped = defaultdict(list)
    for row in queryset:
        grouped[row.referral_id].append(row)
    return grouped


def records_of(*, agency, participant: Participant) -> Records:
    """What `agency` holds on `participant` (and on the records merged into theirs)."""
    people = list(
        Participant.objects.filter(
            Q(pk=participant.pk) | Q(merged_into=participant), agency=agency
        ).order_by("pk")
    )
    referrals = list(
        Referral.objects.filter(agency=agency, participant__in=people)
        .select_related(
            "court", "intake__booked_by", "intake__completed_by", "transferred_from__agency"
        )
        .order_by("received_on", "pk")
    )
    ids = [referral.pk for referral in referrals]
    scoped = {"agency": agency, "referral__in": ids}
    enrollments = _by_referral(
        Enrollment.objects.filter(**scoped).select_related("group").order_by("start_date", "pk")
    )
    attendance = _by_referral(
        Attendance.objects.filter(**scoped)
        .select_related("session__module", "session__group")
        .order_by("session__date", "session__start_time", "pk")
    )
    assessments = _by_referral(FeeAssessment.objects.filter(**scoped).order_by("assessed_at", "pk"))
    proposals = _by_referral(
        FeeProposal.objects.filter(**scoped)
        .select_related("proposed_by", "decided_by")
        .order_by("proposed_at", "pk")
    )
    ledger = _by_referral(
        LedgerEntry.objects.filter(**scoped)
        .select_related("recorded_by", "reverses")
        .order_by("recorded_at", "pk")
    )
    listed = ("referral_id", "code", "language", "issued_at", "revoked_at")
    certificates = _by_referral(
        Certificate.objects.filter(**scoped).only(*listed).order_by("issued_at")
    )
    reports = _by_referral(
        CourtReport.objects.filter(**scoped).only(*listed, "kind").order_by("issued_at")
    )
    # A transfer the agency accepted: the modules attended at the sending agency travelled
    # with it; their rows (and notes) stay with the agency that wrote them.
    transfers = {
        transfer.new_referral_id: transfer
        for transfer in Transfer.objects.filter(
            to_agency=agency, new_referral__in=ids, status=Transfer.Status.ACCEPTED
        ).select_related("agency")
    }
    for referral in referrals:
        referral.entries = referral_selectors.referral_timeline(referral=referral)
        referral.enrollment_rows = enrollments[referral.pk]
        referral.attendance_rows = attendance[referral.pk]
        referral.assessments = assessments[referral.pk]
        referral.proposals = proposals[referral.pk]
        referral.ledger_rows = ledger[referral.pk]
        referral.certificates = certificates[referral.pk]
        referral.reports = reports[referral.pk]
        referral.transfer_in = transfers.get(referral.pk)
    consents = list(
        Consent.objects.filter(agency=agency, participant__in=people)
        .select_related("recorded_by")
        .order_by("signed_on", "pk")
    )
    history = _history(
        agency=agency,
        rows={
            Participant: [person.pk for person in people],
            Referral: ids,
            Intake: [r.intake.pk for r in referrals if _has_intake(r)],
            Consent: [consent.pk for consent in consents],
            Enrollment: [row.pk for rows in enrollments.values() for row in rows],
            Attendance: [row.pk for rows in attendance.values() for row in rows],
            FeeAssessment: [row.pk for rows in assessments.values() for row in rows],
            FeeProposal: [row.pk for rows in proposals.values() for row in rows],
        },
    )
    return Records(participant, people, referrals, consents, history)


def _has_intake(referral) -> bool:
    try:
        return referral.intake is not None
    except Intake.DoesNotExist:
        return False


def _history(*, agency, rows: dict) -> list[Change]:
    """The row history (django-pghistory) of the person's own case rows at the agency, oldest
    first: one query per kind of row, one for the people who made the changes."""
    changes, users = [], set()
    for model, pks in rows.items():
        if not pks:
            continue
        kept = {f.name for f in model.pgh_event_model._meta.concrete_fields}
        shown = [
            f
            for f in model._meta.concrete_fields
            if f.name in kept and f.name not in _UNSHOWN and not getattr(f, "generated", False)
        ]
        previous = {}
        events = model.pgh_event_model.objects.filter(
            pgh_obj_id__in=pks, agency_id=agency.pk
        ).order_by("pgh_id")
        for event in events:
            before = previous.get(event.pgh_obj_id)
            changed = [
                f.verbose_name
                for f in shown
                if before is not None and f.value_from_object(event) != f.value_from_object(before)
            ]
            previous[event.pgh_obj_id] = event
            if event.pgh_label == "update" and not changed:
                continue
            user = (event.pgh_context or {}).get("user")
            users.add(user)
            changes.append(
                Change(
                    at=event.pgh_created_at,
                    by=user,
                    record=model._meta.verbose_name,
                    number=event.pgh_obj_id,
                    what=_HISTORY_LABELS.get(event.pgh_label, event.pgh_label),
                    fields=changed if event.pgh_label == "update" else [],
                )
            )
    names = {user.pk: user.get_full_name() for user in User.objects.filter(pk__in=users - {None})}
    for change in changes:
        change.by = names.get(change.by, "")
    return sorted(changes, key=lambda change: change.at)
