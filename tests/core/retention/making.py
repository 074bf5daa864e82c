"""What the retention tests share: the days the files closed, a file made and closed, and
reading back what is left (the fixtures `place` and `files` are in conftest.py)."""

import json
from datetime import UTC, date, datetime, timedelta

import time_machine

from ipv.core.history import event_model
from referrals.models import Referral
from referrals.services.referrals import referral_transition
from tests.conftest import make_referral
from victims.models import Victim
from victims.rls import confidential

# The day the closed files closed; the province's defaults: 7 years, 24 months, 90 days.
CLOSED = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
SEVEN_YEARS_ON = datetime(2033, 1, 15, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ORDER = {
    "order_date": date(2026, 1, 5),
    "received_on": date(2026, 1, 6),
    "return_court_date": date(2026, 5, 1),
    "complete_by": date(2026, 6, 1),
}
VICTIM = {
    "relationship": "victim",
    "full_name": "Sophie Lachance",
    "phone": "+16135550188",
    "email": "sophie@example.test",
    "address": "12 rue des Érables, Ottawa",
}
NAMES = ("Tremblay", "Girard", "Lachance", "sophie@example", "5550188", "Rent doubled")


def a_file(place, name, file_number, **person):
    agency, court, intake, _worker = place
    return make_referral(
        agency,
        intake,
        court,
        person={"legal_name": name, "email": "p@example.test", **person},
        named_people=[VICTIM],
        court_file_number=file_number,
        **ORDER,
    )


def withdraw(referral, by, at):
    with time_machine.travel(at, tick=False):
        return referral_transition(
            referral=referral, name="withdraw", by=by, reason=f"{referral.participant} moved away"
        )


def fresh(referral):
    return Referral.objects.select_related("participant").get(pk=referral.pk)


def history_text(model, pks) -> str:
    events = event_model(model).objects.filter(pgh_obj_id__in=pks)
    return json.dumps(list(events.values()), default=str)


def victim_of(referral):
    with confidential(referral.agency_id):
        return Victim.objects.get(referral=referral)
