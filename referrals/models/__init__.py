"""Participants and their court referrals: the order, the intake, consents, transfers and the
timeline of everything that happened to a referral.

The victims and partners named in an order are not here: they live in the confidential store
(`victims`), which this app writes to but never reads back.
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
    EventKind,
    IndigenousIdentity,
    Language,
    ReferralSource,
    RiskFlag,
    SourceOrder,
    Status,
    Stream,
)
from referrals.models.participants import Participant, PossibleDuplicate
from referrals.models.records import Consent, Intake, TimelineEntry, Transfer
from referrals.models.referral import (
    ACCEPTED,
    ALL_MODULES_ATTENDED,
    FEE_RULE,
    INTAKE_ELIGIBLE,
    TRANSFER_ACCEPTED,
    Guard,
    Referral,
    fee_rule_met,
)

__all__ = [
    "ACCEPTED",
    "ALL_MODULES_ATTENDED",
    "BEFORE_ENROLMENT",
    "CLOSED_STATUSES",
    "COURT_REPORTED",
    "FEE_RULE",
    "INTAKE_ELIGIBLE",
    "OPEN_STATUSES",
    "ORDER_DETAILS",
    "PARTICIPANT_DETAILS",
    "PROGRAM_WEEKS",
    "SOURCE_DETAILS",
    "STATUS_EVENTS",
    "TRANSFER_ACCEPTED",
    "Consent",
    "EventKind",
    "Guard",
    "IndigenousIdentity",
    "Intake",
    "Language",
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
    "fee_rule_met",
]
