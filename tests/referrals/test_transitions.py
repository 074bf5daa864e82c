"""The referral's status machine: each transition from the statuses it starts from and from no
other, its guards, a reason every time, and a line of history for every change."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from ipv.audit.models import AuditEvent
from referrals.models import Intake, Referral, TimelineEntry, Transfer
from referrals.services.referrals import (
    actions_available,
    referral_transition,
    transition_apply,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
REASON = "Discussed with the team on Monday."

OPEN = [
    "received",
    "contacted",
    "intake_booked",
    "intake_done",
    "waitlisted",
    "enrolled",
    "non_compliant",
]
CLOSED = ["completed", "discharged", "withdrawn", "returned_to_court", "transferred"]
LABELS = {
    "received": "Received",
    "contacted": "Contacted",
    "intake_booked": "Intake booked",
    "intake_done": "Intake done",
    "waitlisted": "Waitlisted",
    "enrolled": "Enrolled",
    "completed": "Completed",
    "non_compliant": "Non-compliant (under review)",
    "discharged": "Discharged",
    "withdrawn": "Withdrawn",
    "returned_to_court": "Returned to court (ineligible)",
    "transferred": "Transferred",
}
# The program's rules, written out here rather than read from the model: transition →
# (the statuses it starts from, the status it leads to).
TRANSITIONS = {
    "contact": (["received"], "contacted"),
    "book_intake": (["received", "contacted"], "intake_booked"),
    "miss_intake": (["intake_booked"], "contacted"),
    "complete_intake": (["intake_booked"], "intake_done"),
    "waitlist": (["intake_done"], "waitlisted"),
    "enroll": (["intake_done", "waitlisted"], "enrolled"),
    "flag_non_compliance": (["enrolled"], "non_compliant"),
    "resume": (["non_compliant"], "enrolled"),
    "discharge": (["non_compliant"], "discharged"),
    "withdraw": (OPEN, "withdrawn"),
    "return_to_court": (
        ["received", "contacted", "intake_booked", "intake_done"],
        "returned_to_court",
    ),
    "transfer_out": (OPEN, "transferred"),
}
REASON_ONLY = {
    "contact": "received",
    "waitlist": "intake_done",
    "flag_non_compliance": "enrolled",
    "resume": "non_compliant",
    "discharge": "non_compliant",
    "withdraw": "waitlisted",
}
ELIGIBLE_FIRST = "Record the intake first: the person must be found eligible."
ACCEPTED_FIRST = "A referral moves to another agency only when that agency accepts the transfer."


def _at(referral, status):
    """The referral, put straight in `status`. Nothing here leads to "completed" (the
    completion engine does), and the other statuses are the subject of the tests themselves."""
    # A discharged referral has its reason code (the database insists).
    why = "absences" if status == "discharged" else ""
    Referral.objects.filter(pk=referral.pk).update(status=status, discharge_reason=why)
    return Referral.objects.get(pk=referral.pk)


def _intake(world, referral, *, eligibility="eligible"):
    """An intake already held, with its outcome recorded."""
    return Intake.objects.create(
        agency=world.agency,
        referral=referral,
        scheduled_at=NOW - timedelta(days=1),
        booked_by=world["intake"],
        held_on=date(2026, 11, 23),
        eligibility=eligibility,
        completed_at=NOW - timedelta(days=1),
        completed_by=world["intake"],
    )


def _transfer(world, referral, *, status):
    answered = status != "pending"
    return Transfer.objects.create(
        agency=world.agency,
        to_agency=world.other_agency,
        referral=referral,
        reason="Moved to Thunder Bay.",
        consent_signed_on=date(2026, 11, 20),
        requested_by=world["intake"],
        status=status,
        decided_by=world["other_intake"] if answered else None,
        decided_at=NOW if answered else None,
        new_referral=world.other_referral if status == "accepted" else None,
    )


@pytest.fixture
def ready(world):
    """world.referral with every guard met (found eligible, a transfer accepted), so that a
    refusal can only come from its status."""
    _intake(world, world.referral)
    _transfer(world, world.referral, status="accepted")
    return world.referral


def _status(referral):
    return Referral.objects.get(pk=referral.pk).status


@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_transition_leads_from_its_sources_and_is_history(world, ready, name):
    sources, target = TRANSITIONS[name]
    for source in sources:
        with time_machine.travel(NOW, tick=False):
            referral = _at(ready, source)
            # The discharge's reason code is set by referral_transition, before this.
            referral.discharge_reason = "absences" if name == "discharge" else ""
            transition_apply(referral, name, by=world["intake"], reason=REASON)
        saved = Referral.objects.get(pk=ready.pk)
        assert (saved.status, saved.status_changed_at) == (target, NOW)
        entry = TimelineEntry.objects.filter(referral=ready).latest("pk")
        assert (entry.kind, entry.from_status, entry.to_status) == (name, source, target)
        assert (entry.by, entry.at, entry.reason) == (world["intake"], NOW, REASON)
        event = AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGED).latest("pk")
        assert (event.actor, event.agency, event.target_id) == (
            world["intake"],
            world.agency,
            str(ready.pk),
        )
        assert event.details == {"before": source, "after": target}
    changes = TimelineEntry.objects.filter(referral=ready, kind=name)
    assert changes.count() == len(sources)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGED).count() == len(
        sources
    )


@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_transition_is_refused_from_every_other_status(world, ready, english, name):
    sources, _target = TRANSITIONS[name]
    others = [status for status in OPEN + CLOSED if status not in sources]
    assert others
    for status in others:
        with pytest.raises(ValidationError) as refused:
            transition_apply(_at(ready, status), name, by=world["intake"], reason=REASON)
        assert refused.value.messages == [f"Not possible while the referral is “{LABELS[status]}”."]
        assert _status(ready) == status
    assert not TimelineEntry.objects.filter(referral=ready, kind=name).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGED).exists()


def test_a_refusal_in_french_is_a_validation_error_too(world):
    referral = _at(world.referral, "withdrawn")
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        referral_transition(referral=referral, name="contact", by=world["intake"], reason=REASON)
    assert refused.value.code == "status"
    assert _status(referral) == "withdrawn"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("complete_intake", "intake_booked"),
        ("waitlist", "intake_done"),
        ("enroll", "intake_done"),
        ("enroll", "waitlisted"),
    ],
)
def test_the_intake_steps_need_the_person_found_eligible(world, english, name, status):
    referral = _at(world.referral, status)
    with pytest.raises(ValidationError) as refused:
        transition_apply(referral, name, by=world["intake"], reason=REASON)
    assert refused.value.messages == [ELIGIBLE_FIRST]
    assert _status(referral) == status


def test_an_intake_found_ineligible_does_not_open_the_group(world, english):
    _intake(world, world.referral, eligibility="ineligible")
    referral = _at(world.referral, "intake_done")
    with pytest.raises(ValidationError) as refused:
        transition_apply(referral, "enroll", by=world["intake"], reason=REASON)
    assert refused.value.messages == [ELIGIBLE_FIRST]
    assert _status(referral) == "intake_done"


@pytest.mark.parametrize("transfer", [None, "pending", "declined", "cancelled"])
def test_a_referral_is_transferred_out_only_once_the_transfer_is_accepted(world, english, transfer):
    if transfer:
        _transfer(world, world.referral, status=transfer)
    referral = Referral.objects.get(pk=world.referral.pk)
    with pytest.raises(ValidationError) as refused:
        transition_apply(referral, "transfer_out", by=world["intake"], reason=REASON)
    assert refused.value.messages == [ACCEPTED_FIRST]
    assert _status(referral) == "received"


@pytest.mark.parametrize("reason", ["", "   \n\t", None])
def test_a_status_change_needs_a_reason(world, english, reason):
    with pytest.raises(ValidationError) as refused:
        referral_transition(
            referral=world.referral, name="withdraw", by=world["intake"], reason=reason
        )
    assert refused.value.message_dict == {"reason": ["Say why."]}
    assert _status(world.referral) == "received"
    assert not TimelineEntry.objects.filter(referral=world.referral, kind="withdraw").exists()


def test_the_reason_is_kept_without_its_surrounding_blanks(world):
    referral_transition(
        referral=world.referral, name="contact", by=world["intake"], reason="  Called back.\n"
    )
    assert TimelineEntry.objects.get(referral=world.referral, kind="contact").reason == (
        "Called back."
    )


@pytest.mark.parametrize(("name", "source"), REASON_ONLY.items())
def test_a_reason_only_transition_is_taken_by_referral_transition(world, ready, name, source):
    # A discharge also says why, as a code (tests/referrals/test_discharge_reason.py).
    why = {"discharge_reason": "conduct"} if name == "discharge" else {}
    referral_transition(
        referral=_at(ready, source), name=name, by=world["intake"], reason=REASON, **why
    )
    assert _status(ready) == TRANSITIONS[name][1]


@pytest.mark.parametrize(
    "name",
    [
        "book_intake",
        "miss_intake",
        "complete_intake",
        "enroll",
        "return_to_court",  # with its reason for the court, and the court's notice
        "transfer_out",
        "nothing",
    ],
)
def test_referral_transition_refuses_a_transition_that_needs_its_own_form(world, ready, name):
    with pytest.raises(ValueError, match="not a reason-only transition"):
        referral_transition(referral=ready, name=name, by=world["intake"], reason=REASON)
    assert _status(ready) == "received"


def test_the_first_contact_is_dated_once(world):
    with time_machine.travel(NOW, tick=False):
        referral_transition(
            referral=world.referral, name="contact", by=world["intake"], reason=REASON
        )
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        referral = Referral.objects.get(pk=world.referral.pk)
        transition_apply(referral, "book_intake", by=world["intake"], reason=REASON)
    saved = Referral.objects.get(pk=world.referral.pk)
    assert saved.first_contact_at == NOW
    assert saved.status_changed_at == NOW + timedelta(days=2)


def test_a_worker_on_a_stale_page_is_refused_by_the_status_of_the_moment(world, english):
    seen_by_both = Referral.objects.get(pk=world.referral.pk)
    referral_transition(referral=seen_by_both, name="withdraw", by=world["manager"], reason=REASON)
    with pytest.raises(ValidationError) as refused:
        referral_transition(
            referral=seen_by_both, name="contact", by=world["intake"], reason=REASON
        )
    assert refused.value.messages == ["Not possible while the referral is “Withdrawn”."]
    assert _status(world.referral) == "withdrawn"


@pytest.mark.parametrize(
    ("status", "names"),
    [
        ("received", ["contact", "book_intake", "return_to_court", "withdraw"]),
        ("contacted", ["book_intake", "return_to_court", "withdraw"]),
        ("intake_booked", ["complete_intake", "miss_intake", "return_to_court", "withdraw"]),
        ("intake_done", ["waitlist", "enroll", "return_to_court", "withdraw"]),
        ("waitlisted", ["enroll", "withdraw"]),
        ("enrolled", ["flag_non_compliance", "withdraw"]),
        ("non_compliant", ["resume", "discharge", "withdraw"]),
    ],
)
def test_an_open_referral_offers_its_next_steps_usual_one_first(world, status, names):
    referral = _at(world.referral, status)
    assert [action.name for action in actions_available(referral)] == names


@pytest.mark.parametrize("status", CLOSED)
def test_a_closed_referral_offers_no_action(world, ready, status):
    assert actions_available(_at(ready, status)) == []
