"""The confidential store: the victims, partners and family or community members named in a
court order, their consent and safe-contact rules, the outreach tasks and contacts, safety
plans, and the two narrow doors to and from the case team (a facilitator's concern, a risk
alert).

Names, contact details, notes and plans are encrypted at rest. Nothing here has a reverse
accessor on the case models (`related_name="+"`): a template or a serializer of a referral
cannot reach it. Every table is behind a row-level security policy (victims.rls); only
partner-contact workers of the agency read these rows, each read audited.
"""

from victims.models.outreach import (
    Assignment,
    Concern,
    Contact,
    FormSent,
    LetterPrinted,
    OutreachTask,
    RiskAlert,
    SafetyPlanVersion,
)
from victims.models.people import ConsentRecord, Relationship, Victim
from victims.models.safety import SafetyView

__all__ = [
    "Assignment",
    "Concern",
    "ConsentRecord",
    "Contact",
    "FormSent",
    "LetterPrinted",
    "OutreachTask",
    "Relationship",
    "RiskAlert",
    "SafetyPlanVersion",
    "SafetyView",
    "Victim",
]
