"""The court referral and its status machine: named transitions, each with its guards."""

from dataclasses import dataclass
from datetime import date, timedelta

import pghistory
import pgtrigger
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from phonenumber_field.modelfields import PhoneNumberField

from directory.models import Program
from ipv.core.fields import within_bounds
from ipv.core.search import Unaccented
from ipv.core.validators import validate_name
from referrals.models.choices import (
    BEFORE_ENROLMENT,
    OPEN_STATUSES,
    PROGRAM_WEEKS,
    DischargeReason,
    ReferralSource,
    SourceOrder,
    Status,
    Stream,
)
from referrals.models.milestones import MilestoneKind
from referrals.models.participants import Participant
from referrals.models.records import Intake, Transfer

# The referral's copy of its participant's names, kept by the database: search reads one table.
REFERRAL_NAMES = pgtrigger.Trigger(
    name="participant_names",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert | pgtrigger.Update,
    func="""
        SELECT concat_ws(' ', legal_name, NULLIF(preferred_name, '')) INTO NEW.participant_names
        FROM referrals_participant WHERE id = NEW.participant_id;
        RETURN NEW;
    """,
)


@dataclass(frozen=True)
class Guard:
    """A transition's condition, with what to tell the worker when it does not hold."""

    test: object
    message: Promise

    def __call__(self, referral) -> bool:
        return self.test(referral)


def _intake_eligible(referral) -> bool:
    intake = getattr(referral, "intake", None)
    return bool(intake and intake.is_complete and intake.eligibility == Intake.Eligibility.ELIGIBLE)


INTAKE_ELIGIBLE = Guard(
    _intake_eligible,
    _("Record the intake first: the person must be found eligible."),
)
ACCEPTED = Guard(
    lambda referral: referral.is_accepted,
    _("Accept the e-referral first: the court sees whether the agency took it on."),
)


TRANSFER_ACCEPTED = Guard(
    lambda referral: referral.transfers.filter(status=Transfer.Status.ACCEPTED).exists(),
    _("A referral moves to another agency only when that agency accepts the transfer."),
)


def _action(label, *, form: str = "reason", milestone: str = ""):
    """What a transition is called on the referral page, how it is asked for, and the
    participant's milestone it makes (written with it, see referrals.services.milestones)."""
    return {"label": label, "form": form, "milestone": milestone}


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["participant_names", "search_document", "updated_at"],
)
class Referral(ConcurrentTransitionMixin, models.Model):
    """A court's order that a person attend the program, at one agency.

    The status changes only through the transitions below, each with a reason, each kept in
    the referral's timeline (`TimelineEntry`).
    """

    class Via(models.TextChoices):
        STAFF = "staff", _("Entered by the agency")
        E_REFERRAL = "e_referral", _("E-referral from the court")
        TRANSFER = "transfer", _("Transfer from another agency")

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("agency"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("participant"),
    )
    program = models.CharField(_("program"), max_length=4, choices=Program)
    stream = models.CharField(_("court stream"), max_length=30, choices=Stream)
    source_order = models.CharField(_("order"), max_length=30, choices=SourceOrder)
    court = models.ForeignKey(
        "directory.Court",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("court"),
    )
    court_file_number = models.CharField(_("court file number"), max_length=50)
    charges = models.TextField(_("charges"), max_length=2000)
    order_date = models.DateField(_("date of the order"))
    return_court_date = models.DateField(_("return court date"), null=True, blank=True)
    complete_by = models.DateField(_("complete by"))
    source = models.CharField(_("referred by"), max_length=20, choices=ReferralSource)
    referrer_name = models.CharField(
        _("referring person"), max_length=150, blank=True, validators=[validate_name]
    )
    referrer_organisation = models.CharField(
        _("referring person's office"), max_length=200, blank=True
    )
    referrer_phone = PhoneNumberField(_("referring person's phone"), blank=True, region="CA")
    referrer_email = models.EmailField(_("referring person's email"), blank=True)
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    status = FSMField(
        _("status"), max_length=20, choices=Status, default=Status.RECEIVED, protected=True
    )
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    # Set by the discharge alone (blank for every other status), so discharges can be counted
    # by why; the worker's written reason stays in the timeline.
    discharge_reason = models.CharField(
        _("reason for the discharge"), max_length=20, choices=DischargeReason, blank=True
    )
    via = models.CharField(_("arrived as"), max_length=20, choices=Via, default=Via.STAFF)
    submitted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The form it came from, sent once: a second send of the same form (a double click, a
    # refresh, two tabs) finds this referral instead of recording the person twice.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # An e-referral waits for the agency to accept it; a referral the agency enters is accepted.
    accepted_at = models.DateTimeField(pgettext_lazy("referral", "accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("referral", "accepted by"),
    )
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("transferred from"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    participant_names = models.TextField(default="", editable=False)
    search_document = models.GeneratedField(
        expression=SearchVector(
            Unaccented(
                "participant_names",
                models.Func(
                    Lower("court_file_number"),
                    models.Value("[^[:alnum:]]"),
                    models.Value(""),
                    models.Value("g"),
                    function="regexp_replace",
                ),
            ),
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(
                "agency",
                models.F("received_on").desc(),
                models.F("id").desc(),
                name="referrals_queue",
            ),
            models.Index(
                "court",
                models.F("received_on").desc(),
                models.F("id").desc(),
                name="referrals_court",
            ),
            models.Index(fields=["agency", "status"], name="referrals_agency_status"),
            models.Index(fields=["court", "status"], name="referrals_court_status"),
            # The timeliness figures read the referrals first contacted in a period.
            models.Index(
                fields=["agency", "first_contact_at"],
                condition=Q(first_contact_at__isnull=False),
                name="referrals_first_contact",
            ),
            GinIndex(fields=["search_document"], name="referrals_search"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(complete_by__gt=models.F("order_date")),
                name="referrals_complete_by_after_order",
                violation_error_message=_("The complete-by date must come after the order."),
            ),
            models.CheckConstraint(
                condition=Q(return_court_date__isnull=True)
                | Q(return_court_date__gte=models.F("order_date")),
                name="referrals_return_date_after_order",
                violation_error_message=_("The return court date cannot come before the order."),
            ),
            models.CheckConstraint(
                condition=Q(received_on__gte=models.F("order_date")),
                name="referrals_received_after_order",
                violation_error_message=_("A referral cannot arrive before the order was made."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="referrals_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DISCHARGED, discharge_reason__in=DischargeReason.values)
                | ~Q(status=Status.DISCHARGED) & Q(discharge_reason=""),
                name="referrals_discharge_reason",
                violation_error_message=_("A discharge, and only a discharge, has a reason code."),
            ),
            models.CheckConstraint(
                condition=Q(program__in=Program.values),
                name="referrals_program_valid",
            ),
            within_bounds(
                "order_date",
                "return_court_date",
                "complete_by",
                "received_on",
                name="referrals_referral_dates_bounded",
            ),
            within_bounds(
                "status_changed_at",
                "accepted_at",
                "first_contact_at",
                name="referrals_referral_moments_bounded",
                moments=True,
            ),
        ]
        triggers = [REFERRAL_NAMES]

    def __str__(self):
        return _("Referral %(number)s") % {"number": self.number}

    @property
    def number(self) -> str:
        return f"R-{self.pk:06d}" if self.pk else "—"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    # Deadlines ---------------------------------------------------------------------------

    @property
    def days_without_contact(self) -> int | None:
        """Days since the referral arrived, while nobody has reached the person yet."""
        if self.status != Status.RECEIVED:
            return None
        return (timezone.localdate() - self.received_on).days

    @property
    def contact_overdue(self) -> bool:
        waiting = self.days_without_contact
        return waiting is not None and waiting > self.agency.contact_within_days

    @property
    def projected_finish(self) -> date | None:
        """The earliest the program can end: twelve weekly sessions from next week."""
        if self.status not in BEFORE_ENROLMENT:
            return None
        return timezone.localdate() + timedelta(weeks=PROGRAM_WEEKS)

    @property
    def finish_at_risk(self) -> bool:
        finish = self.projected_finish
        return finish is not None and finish > self.complete_by

    # Transitions ---------------------------------------------------------------------------
    # Each is called by services.referral_transition (or a service of its own), which checks
    # the guards with their messages, records the reason and the timeline event, and saves.

    @transition(
        status,
        source=Status.RECEIVED,
        target=Status.CONTACTED,
        conditions=[ACCEPTED],
        custom=_action(_("Record the first contact")),
    )
    def contact(self):
        self.first_contact_at = self.first_contact_at or timezone.now()

    @transition(
        status,
        source=[Status.RECEIVED, Status.CONTACTED],
        target=Status.INTAKE_BOOKED,
        conditions=[ACCEPTED],
        custom=_action(_("Book the intake"), form="intake_book"),
    )
    def book_intake(self):
        self.first_contact_at = self.first_contact_at or timezone.now()

    @transition(
        status,
        source=Status.INTAKE_BOOKED,
        target=Status.CONTACTED,
        custom=_action(_("The person missed the intake"), form="intake_missed"),
    )
    def miss_intake(self):
        pass

    @transition(
        status,
        source=Status.INTAKE_BOOKED,
        target=Status.INTAKE_DONE,
        conditions=[INTAKE_ELIGIBLE],
        custom=_action(
            _("Record the intake"), form="intake_record", milestone=MilestoneKind.INTAKE_DONE
        ),
    )
    def complete_intake(self):
        pass

    @transition(
        status,
        source=Status.INTAKE_DONE,
        target=Status.WAITLISTED,
        conditions=[INTAKE_ELIGIBLE],
        custom=_action(_("Put on the waitlist")),
    )
    def waitlist(self):
        pass

    @transition(
        status,
        source=[Status.INTAKE_DONE, Status.WAITLISTED],
        target=Status.ENROLLED,
        conditions=[INTAKE_ELIGIBLE],
        custom=_action(_("Enrol in a group"), form="enrolment", milestone=MilestoneKind.ENROLLED),
    )
    def enroll(self):
        pass

    @transition(
        status,
        source=Status.ENROLLED,
        target=Status.COMPLETED,
        custom=_action(
            _("Complete the program"), form="automatic", milestone=MilestoneKind.COMPLETED
        ),
    )
    def complete(self):
        # Whether the program is complete (the twelve modules, the agency's fee rule) is
        # decided by sessions_app's completion engine, which alone takes this transition.
        pass

    @transition(
        status,
        source=Status.ENROLLED,
        target=Status.NON_COMPLIANT,
        custom=_action(
            _("Flag for non-compliance review"), milestone=MilestoneKind.ABSENCE_REVIEW_OPENED
        ),
    )
    def flag_non_compliance(self):
        pass

    @transition(
        status,
        source=Status.NON_COMPLIANT,
        target=Status.ENROLLED,
        custom=_action(_("Continue in the program")),
    )
    def resume(self):
        pass

    @transition(
        status,
        source=Status.NON_COMPLIANT,
        target=Status.DISCHARGED,
        custom=_action(_("Discharge"), milestone=MilestoneKind.DISCHARGED),
    )
    def discharge(self):
        pass

    @transition(
        status,
        source=list(OPEN_STATUSES),
        target=Status.WITHDRAWN,
        custom=_action(_("Withdraw from the program")),
    )
    def withdraw(self):
        pass

    @transition(
        status,
        source=[Status.RECEIVED, Status.CONTACTED, Status.INTAKE_BOOKED, Status.INTAKE_DONE],
        target=Status.RETURNED_TO_COURT,
        custom=_action(
            _("Return to court (ineligible)"),
            form="return",
            milestone=MilestoneKind.RETURNED_TO_COURT,
        ),
    )
    def return_to_court(self):
        pass

    @transition(
        status,
        source=list(OPEN_STATUSES),
        target=Status.TRANSFERRED,
        conditions=[TRANSFER_ACCEPTED],
        custom=_action(
            _("Transfer to another agency"), form="transfer", milestone=MilestoneKind.TRANSFERRED
        ),
    )
    def transfer_out(self):
        pass
