"""The words of the referrals app: languages, court streams and orders, statuses, risk flags,
what can happen to a referral, and which details describe a person, an order, its source."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Twelve weekly group sessions: the shortest a program can take once it starts.
PROGRAM_WEEKS = 12


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


class DischargeReason(models.TextChoices):
    """Why a person was discharged from the program, as a code that can be counted (the
    worker's written reason stays beside it)."""

    ABSENCES = "absences", _("Absences")
    CONDUCT = "conduct", _("Conduct in the group")
    NEW_CHARGE = "new_charge", _("New charge or breach of a court order")
    NOT_ENGAGED = "not_engaged", _("Did not take part in the program")
    OTHER = "other", _("Other")


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


# The history entries whose reason is printed on the non-compliance report to the court.
COURT_REPORTED = (EventKind.FLAG_NON_COMPLIANCE, EventKind.DISCHARGE)


# What the court sees of a referral's timeline: its status changes, nothing else.
STATUS_EVENTS = frozenset(EventKind.values[: EventKind.values.index("transfer_out") + 1])
