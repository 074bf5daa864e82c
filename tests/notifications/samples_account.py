"""Sample contexts for the account, referral and intake messages (templates/emails/…).

Every module tests/notifications/samples_*.py holds a `SAMPLES` dict: "emails/<name>" or
"texts/<name>" → the context the template is rendered with (or a list of contexts, one per
branch worth rendering). tests/notifications/test_templates.py renders each template with its
samples in French and in English. Unsaved model instances, fixed values: no database.
"""

from datetime import UTC, datetime

from directory.models import Agency
from ipv.accounts.models import Invitation, User
from referrals.models import Intake, Participant, Referral

AGENCY = Agency(
    slug="riviere",
    name_fr="Services Rivière",
    name_en="River Services",
    phone="613-555-0100",
)
MANAGER = User(email="manager@riviere.test", full_name="Martine Gagnon")
PARTICIPANT = Participant(legal_name="Jean Tremblay", preferred_name="Jean", language="fr")
INTAKE = Intake(
    referral=Referral(agency=AGENCY, participant=PARTICIPANT),
    scheduled_at=datetime(2026, 12, 2, 14, 30, tzinfo=UTC),
    mode=Intake.Mode.IN_PERSON,
    location="100, rue Main, Ottawa",
)
URL = "https://ipv.example.org/fr/x/AbCdEf123/"

SAMPLES = {
    "emails/invitation": [
        {
            "invitation": Invitation(
                email="isabelle@riviere.test",
                full_name="Isabelle Roy",
                agency=AGENCY,
                invited_by=MANAGER,
            ),
            "url": URL,
            "days": 7,
        },
        # A court liaison officer: no agency, no name.
        {"invitation": Invitation(email="liaison@court.test"), "url": URL, "days": 7},
    ],
    "emails/sign_in_unlock": {
        "user": User(email="isabelle@riviere.test", full_name="Isabelle Roy"),
        "url": URL,
        "hours": 2,
    },
    "emails/e_referral_received": {"agency": AGENCY, "url": URL},
}
