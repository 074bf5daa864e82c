"""Participants and their court referrals: the order, the intake, consents, transfers and the
timeline of everything that happened to a referral.

The victims and partners named in an order are not here: they live in the confidential store
(`victims`, a higher layer), which records them beside the referral in the same transaction.
"""

from referrals.models.choices import (
    BEFORE_ENROLMENT,
    CLOSED_STATUSES,
    COURT_REPORTED,
    OPEN_STATUSES,
    ORDER_DETAILS,
    PARTICIPANT_DETAILS,
    PROGRAM_WEEKS,
    SOURCE_DETAILS,
    STATUS_EVENTS,
    DischargeReason,
    EventKind,
    IndigenousIdentity,
    ReferralSource,
    RiskFlag,
    SourceOrder,
    Status,
    Stream,
)
from referrals.models.milestones import Milestone, MilestoneCursor
from referrals.models.participants import Participant, PossibleDuplicate
from referrals.models.records import Consent, Intake, TimelineEntry, Transfer
from referrals.models.referral import (
    ACCEPTED,
    INTAKE_ELIGIBLE,
    TRANSFER_ACCEPTED,
    Guard,
    Referral,
)

__all__ = [
    "ACCEPTED",
    "BEFORE_ENROLMENT",
    "CLOSED_STATUSES",
    "COURT_REPORTED",
    "INTAKE_ELIGIBLE",
    "OPEN_STATUSES",
    "ORDER_DETAILS",
    "PARTICIPANT_DETAILS",
    "PROGRAM_WEEKS",
    "SOURCE_DETAILS",
    "STATUS_EVENTS",
    "TRANSFER_ACCEPTED",
    "Consent",
    "DischargeReason",
    "EventKind",
    "Guard",
    "IndigenousIdentity",
    "Intake",
    "Milestone",
    "MilestoneCursor",
    "Participant",
    "PossibleDuplicate",
    "Referral",
    "ReferralSource",
    "RiskFlag",
    "SourceOrder",
    "Status",
    "Stream",
    "TimelineEntry",
    "Transfer",
]
