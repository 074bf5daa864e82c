"""Participants and their court referrals: the order, the intake, consents, transfers and the
timeline of everything that happened to a referral.

The victims and partners named in an order are not here: they live in the confidential store
(`victims`), which this app writes to but never reads back.
"""

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
from localflavor.ca.models import CAPostalCodeField
from phonenumber_field.modelfields import PhoneNumberField

from directory.models import Program
from ipv.audit.models import APPEND_ONLY
from ipv.core.fields import ChoiceArrayField
from ipv.core.search import Folded

# Twelve weekly group sessions: the shortest a program can take once it starts.
PROGRAM_WEEKS = 12


class Language(models.TextChoices):
    """The languages the program is delivered in."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class IndigenousIdentity(models.TextChoices):
    FIRST_NATIONS = "first_nations", _("First Nations")
    METIS = "metis", _("Métis")
    INUIT = "inuit", _("Inuit")
    OTHER = "other", _("Indigenous, another identity")
    NOT_INDIGENOUS = "no", _("Not Indigenous")
    PREFER_NOT = "prefer_not", _("Prefers not to say")


class Stream(models.TextChoices):
    """How the Domestic Violence Court program sent the person."""

    EARLY_INTERVENTION = "early_intervention", _("Early Intervention")
    COORDINATED_PROSECUTION = "coordinated_prosecution", _("Coordinated Prosecution")
    OTHER = "other", _("Other")


class SourceOrder(models.TextChoices):
    PROBATION_ORDER = "probation_order", _("Probation order")
    RELEASE_ORDER = "release_order", _("Release order or bail (including a bail variation)")
    PEACE_BOND = "peace_bond", _("Peace bond (s. 810)")
    UNDERTAKING = "undertaking", _("Undertaking")
    CONDITIONAL_SENTENCE = "conditional_sentence", _("Conditional sentence")
    OTHER = "other", _("Other")


class ReferralSource(models.TextChoices):
    COURT = "court", _("Court or Crown")
    PROBATION = "probation", _("Probation officer")
    VWAP = "vwap", _("Victim/Witness Assistance Program")
    CENTRAL_INTAKE = "central_intake", _("Central intake")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    CONTACTED = "contacted", _("Contacted")
    INTAKE_BOOKED = "intake_booked", _("Intake booked")
    INTAKE_DONE = "intake_done", _("Intake done")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    NON_COMPLIANT = "non_compliant", _("Non-compliant (under review)")
    DISCHARGED = "discharged", _("Discharged")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RETURNED_TO_COURT = "returned_to_court", _("Returned to court (ineligible)")
    TRANSFERRED = "transferred", _("Transferred")


CLOSED_STATUSES = frozenset(
    {
        Status.COMPLETED,
        Status.DISCHARGED,
        Status.WITHDRAWN,
        Status.RETURNED_TO_COURT,
        Status.TRANSFERRED,
    }
)
OPEN_STATUSES = frozenset(Status) - CLOSED_STATUSES
BEFORE_ENROLMENT = frozenset(
    {
        Status.RECEIVED,
        Status.CONTACTED,
        Status.INTAKE_BOOKED,
        Status.INTAKE_DONE,
        Status.WAITLISTED,
    }
)


class RiskFlag(models.TextChoices):
    """What the intake noticed that the team must keep in mind. Never shown to the court."""

    WEAPONS = "weapons", _("Access to weapons")
    THREATS = "threats", _("Threats toward the victim or a partner")
    STRANGULATION = "strangulation", _("Past strangulation")
    SEPARATION = "separation", _("Recent or pending separation")
    SUICIDE = "suicide", _("Suicidal thoughts")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    MENTAL_HEALTH = "mental_health", _("Mental health concerns")
    CHILDREN = "children", _("Children in the home or child protection involved")
    PRIOR_BREACH = "prior_breach", _("Earlier breach of a court order")


# What a participant tells the agency about themselves: the intake form, and what travels
# with them when their referral is transferred.
PARTICIPANT_DETAILS = (
    "legal_name",
    "preferred_name",
    "date_of_birth",
    "pronouns",
    "language",
    "other_languages",
    "interpreter_needed",
    "interpreter_language",
    "phone",
    "email",
    "street_address",
    "city",
    "postal_code",
    "indigenous_identity",
    "accessibility_needs",
    "consent_sms",
    "consent_email",
)
# The court order as the court made it.
ORDER_DETAILS = (
    "program",
    "stream",
    "source_order",
    "court",
    "court_file_number",
    "charges",
    "order_date",
    "return_court_date",
    "complete_by",
)
# Who sent it.
SOURCE_DETAILS = (
    "source",
    "referrer_name",
    "referrer_organisation",
    "referrer_phone",
    "referrer_email",
)


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
PARTICIPANT_NAMES = pgtrigger.Trigger(
    name="referral_names",
    when=pgtrigger.After,
    operation=pgtrigger.UpdateOf("legal_name", "preferred_name"),
    func="""
        UPDATE referrals_referral SET participant_names = '' WHERE participant_id = NEW.id;
        RETURN NULL;
    """,
)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["search_text"],
)
class Participant(models.Model):
    """A person referred to the program, as one agency knows them."""

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("agency"),
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    preferred_name = models.CharField(_("preferred name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    language = models.CharField(
        _("language of service"),
        max_length=2,
        choices=Language,
        help_text=_("The language of the group, and of every letter and certificate."),
    )
    other_languages = models.CharField(_("other languages spoken"), max_length=200, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(_("interpreter's language"), max_length=100, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, region="CA")
    email = models.EmailField(_("email"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = CAPostalCodeField(_("postal code"), blank=True)
    indigenous_identity = models.CharField(
        _("Indigenous identity (self-identified)"),
        max_length=20,
        choices=IndigenousIdentity,
        blank=True,
        help_text=_("Optional. Asked to offer the Indigenous program (IPIV) where it exists."),
    )
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=2000, blank=True)
    consent_sms = models.BooleanField(_("agrees to text message reminders"), default=False)
    consent_email = models.BooleanField(_("agrees to email reminders"), default=False)
    # Set when a worker found this record to be a person the agency already knew.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = models.GeneratedField(
        expression=Folded("legal_name", "preferred_name"),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["legal_name", "pk"]
        indexes = [
            models.Index(fields=["agency", "date_of_birth"], name="referrals_participant_dob"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__gt=date(1900, 1, 1)),
                name="referrals_participant_birth_date_plausible",
                violation_error_message=_("Enter a date of birth after 1900."),
            ),
            models.CheckConstraint(
                condition=Q(interpreter_needed=False) | ~Q(interpreter_language=""),
                name="referrals_participant_interpreter_language",
                violation_error_message=_("Say which language the interpreter speaks."),
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")),
                name="referrals_participant_not_merged_into_itself",
            ),
        ]
        triggers = [PARTICIPANT_NAMES]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The legal name, with the name the person goes by when it differs."""
        if self.preferred_name and self.preferred_name != self.legal_name:
            return f"{self.legal_name} ({self.preferred_name})"
        return self.legal_name


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
INTAKE_ANSWERED = Guard(
    lambda referral: bool(getattr(referral, "intake", None) and referral.intake.is_complete),
    _("Record the intake's outcome first."),
)
ACCEPTED = Guard(
    lambda referral: referral.is_accepted,
    _("Accept the e-referral first: the court sees whether the agency took it on."),
)


def _all_modules_attended(referral) -> bool:
    from sessions_app.completion import ALL_MODULES, modules_attended

    return modules_attended(referral=referral) >= ALL_MODULES


ALL_MODULES_ATTENDED = Guard(
    _all_modules_attended, _("Each of the twelve modules must be attended first.")
)


def fee_rule_met(referral) -> bool:
    """True unless the agency holds completion back until the fee is paid, and it is not."""
    from fees.services import is_settled

    return not referral.agency.fees_hold_completion or is_settled(referral)


FEE_RULE = Guard(
    fee_rule_met, _("The agency completes the program once the fee is paid, and it is not yet.")
)
TRANSFER_ACCEPTED = Guard(
    lambda referral: referral.transfers.filter(status=Transfer.Status.ACCEPTED).exists(),
    _("A referral moves to another agency only when that agency accepts the transfer."),
)


def _action(label, *, form: str = "reason"):
    """What a transition is called on the referral page, and how it is asked for."""
    return {"label": label, "form": form}


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
    referrer_name = models.CharField(_("referring person"), max_length=150, blank=True)
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
    via = models.CharField(_("arrived as"), max_length=20, choices=Via, default=Via.STAFF)
    submitted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
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
            Folded(
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
                condition=Q(program__in=Program.values),
                name="referrals_program_valid",
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
        custom=_action(_("Record the intake"), form="intake_record"),
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
        custom=_action(_("Enrol in a group"), form="enrolment"),
    )
    def enroll(self):
        pass

    @transition(
        status,
        source=Status.ENROLLED,
        target=Status.COMPLETED,
        conditions=[ALL_MODULES_ATTENDED, FEE_RULE],
        custom=_action(_("Complete the program"), form="automatic"),
    )
    def complete(self):
        pass

    @transition(
        status,
        source=Status.ENROLLED,
        target=Status.NON_COMPLIANT,
        custom=_action(_("Flag for non-compliance review")),
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
        custom=_action(_("Discharge")),
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
        custom=_action(_("Return to court (ineligible)")),
    )
    def return_to_court(self):
        pass

    @transition(
        status,
        source=list(OPEN_STATUSES),
        target=Status.TRANSFERRED,
        conditions=[TRANSFER_ACCEPTED],
        custom=_action(_("Transfer to another agency"), form="transfer"),
    )
    def transfer_out(self):
        pass


class EventKind(models.TextChoices):
    """What can happen to a referral. The transitions' names come first."""

    CONTACT = "contact", _("First contact made")
    BOOK_INTAKE = "book_intake", _("Intake booked")
    MISS_INTAKE = "miss_intake", _("Intake missed")
    COMPLETE_INTAKE = "complete_intake", _("Intake done")
    WAITLIST = "waitlist", _("Added to the waitlist")
    ENROLL = "enroll", _("Enrolled in a group")
    COMPLETE = "complete", _("Completed the program")
    FLAG_NON_COMPLIANCE = "flag_non_compliance", _("Flagged for non-compliance review")
    RESUME = "resume", _("Continues in the program")
    DISCHARGE = "discharge", _("Discharged")
    WITHDRAW = "withdraw", _("Withdrawn")
    RETURN_TO_COURT = "return_to_court", _("Returned to court (ineligible)")
    TRANSFER_OUT = "transfer_out", _("Transferred to another agency")
    CREATED = "created", _("Referral recorded")
    E_REFERRAL = "e_referral", _("E-referral sent by the court")
    ACCEPTED = "accepted", _("E-referral accepted")
    TRANSFERRED_IN = "transferred_in", _("Received by transfer")
    EDITED = "edited", _("Details corrected")
    INTAKE_RESCHEDULED = "intake_rescheduled", _("Intake rescheduled")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
    MERGED = "merged", _("Moved to a person already known")
    GROUP_CHANGED = "group_changed", _("Moved to another group")


# What the court sees of a referral's timeline: its status changes, nothing else.
STATUS_EVENTS = frozenset(EventKind.values[: EventKind.values.index("transfer_out") + 1])


class TimelineEntry(models.Model):
    """One line of a referral's timeline: who did what, when, and why. Never changed."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="timeline", verbose_name=_("referral")
    )
    kind = models.CharField(_("what"), max_length=30, choices=EventKind)
    from_status = models.CharField(
        pgettext_lazy("status", "from"), max_length=20, choices=Status, blank=True
    )
    to_status = models.CharField(
        pgettext_lazy("status", "to"), max_length=20, choices=Status, blank=True
    )
    reason = models.TextField(_("why"), max_length=2000, blank=True)
    by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="referrals_event_timeline")]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_status_change(self) -> bool:
        return self.kind in STATUS_EVENTS


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Intake(models.Model):
    """The intake appointment of a referral, then what it found."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")

    class Eligibility(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, related_name="intake", verbose_name=_("referral")
    )
    scheduled_at = models.DateTimeField(_("appointment"))
    mode = models.CharField(_("how"), max_length=10, choices=Mode, default=Mode.IN_PERSON)
    location = models.CharField(
        _("place or video link"),
        max_length=300,
        blank=True,
        help_text=_("The address of the office, or the link of the video call."),
    )
    interpreter_booked = models.BooleanField(_("interpreter booked"), default=False)
    booked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    times_rescheduled = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    times_missed = models.PositiveSmallIntegerField(_("times missed"), default=0)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    eligibility = models.CharField(_("eligibility"), max_length=10, choices=Eligibility, blank=True)
    notes = models.TextField(_("intake notes"), max_length=10_000, blank=True)
    risk_flags = ChoiceArrayField(
        models.CharField(max_length=20, choices=RiskFlag),
        default=list,
        blank=True,
        verbose_name=_("risk flags"),
    )
    completed_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        indexes = [
            models.Index(
                fields=["scheduled_at"],
                condition=Q(completed_at__isnull=True, reminder_sent_at__isnull=True),
                name="referrals_intake_reminder_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, eligibility="", held_on__isnull=True)
                | Q(completed_at__isnull=False, held_on__isnull=False) & ~Q(eligibility=""),
                name="referrals_intake_outcome_complete",
            ),
        ]

    def __str__(self):
        return _("Intake of %(referral)s") % {"referral": self.referral}

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def risk_flag_labels(self) -> list[str]:
        return [RiskFlag(flag).label for flag in self.risk_flags]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Consent(models.Model):
    """A consent or release of information the participant signed (and may withdraw)."""

    class Kind(models.TextChoices):
        PROGRAM_AGREEMENT = "program_agreement", _("Program agreement (rules and attendance)")
        RELEASE_COURT = "release_court", _("Release of information to the court")
        RELEASE_PROBATION = "release_probation", _("Release of information to probation")
        RELEASE_PARTNER = (
            "release_partner",
            _("Release of attendance and completion to the victim or partner"),
        )
        RELEASE_TRANSFER = "release_transfer", _("Release of the file to another agency")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("participant"),
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("referral"),
    )
    kind = models.CharField(_("consent"), max_length=30, choices=Kind)
    signed_on = models.DateField(_("signed on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["kind", "-signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("signed_on")),
                name="referrals_consent_withdrawn_after_signed",
                violation_error_message=_("A consent cannot be withdrawn before it was signed."),
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Transfer(models.Model):
    """A referral moving to another agency (the person moved), with their consent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the other agency")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", pgettext_lazy("transfer", "Cancelled")

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from agency"),
    )
    to_agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("to agency"),
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("referral")
    )
    reason = models.TextField(_("why"), max_length=2000)
    consent_signed_on = models.DateField(_("participant's consent signed on"))
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decision_note = models.TextField(_("answer"), max_length=2000, blank=True)
    new_referral = models.OneToOneField(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referral at the new agency"),
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status="pending"),
                name="referrals_transfer_one_pending",
                violation_error_message=_("A transfer of this referral is already waiting."),
            ),
            models.CheckConstraint(
                condition=~Q(to_agency=models.F("agency")),
                name="referrals_transfer_to_another_agency",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", new_referral__isnull=False)
                | ~Q(status="accepted") & Q(new_referral__isnull=True),
                name="referrals_transfer_accepted_has_referral",
            ),
        ]

    def __str__(self):
        return _("Transfer of %(referral)s") % {"referral": self.referral}


class PossibleDuplicate(models.Model):
    """A new participant who resembles someone the agency already knows, for a worker to
    merge or keep apart."""

    class Resolution(models.TextChoices):
        MERGED = "merged", _("Same person: merged")
        KEPT = "kept", _("Different people: kept apart")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="possible_duplicates",
        verbose_name=_("new participant"),
    )
    existing = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant already known"),
    )
    name_similarity = models.FloatField(_("name similarity"))
    same_birth_date = models.BooleanField(_("same date of birth"))
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    resolution = models.CharField(_("decision"), max_length=10, choices=Resolution, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-name_similarity"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "existing"], name="referrals_duplicate_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(participant=models.F("existing")),
                name="referrals_duplicate_not_itself",
            ),
        ]

    def __str__(self):
        return f"{self.participant} ~ {self.existing}"
