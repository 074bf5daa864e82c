"""A participant's milestones are rows written in the transaction of each change, and the
consumers read them with their own cursor: each milestone once, however often they run, and
again from where they stopped after a crash."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from referrals.models import Milestone, MilestoneCursor
from referrals.services.intake import intake_book
from referrals.services.milestones import Consumer, consume, milestone_record
from sessions_app.services.program import (
    intake_record,
    referral_return,
    referral_transition,
    transfer_accept,
    transfer_request,
)
from tests.conftest import make_referral
from tests.sessions_app.conftest import attended, placed, sessions, status_of, take

pytestmark = pytest.mark.django_db

ALL_KINDS = frozenset(Milestone.Kind)


def kinds(referral) -> list[str]:
    return list(Milestone.objects.filter(referral=referral).values_list("kind", flat=True))


def test_a_referral_entered_by_the_agency_is_accepted_then_its_intake_done_then_enrolled(world):
    referral = placed(world, name="Marc-André Poirier")
    assert kinds(referral) == ["accepted", "intake_done", "enrolled"]
    enrolled = Milestone.objects.get(referral=referral, kind="enrolled")
    assert (enrolled.agency, enrolled.by) == (world.agency, world["intake"])
    assert enrolled.params == {"group": world.group.pk}


def test_absences_then_the_review_then_the_discharge(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    first, second = sessions(world.group)[:2]
    assert take(clock, world, first, referral, "unexcused") == {}
    assert take(clock, world, second, referral, "unexcused") == {}
    assert status_of(referral) == "non_compliant"
    referral_transition(
        referral=referral,
        name="discharge",
        by=world["intake"],
        reason="Stopped coming.",
        discharge_reason="absences",
    )
    assert kinds(referral)[3:] == [
        "absence_recorded",
        "absence_recorded",
        "absence_review_opened",
        "discharged",
    ]
    absence = Milestone.objects.filter(referral=referral, kind="absence_recorded").first()
    assert absence.params == {"session": first.pk, "excused": False}
    assert absence.by == world["facilitator"]


def test_the_twelfth_module_completes(clock, world):
    referral = placed(world, name="Marc-André Poirier")
    attended(world, referral, sessions(world.group)[:11])
    assert take(clock, world, sessions(world.group)[11], referral) == {}
    assert kinds(referral)[-1] == "completed"


def test_a_return_to_the_court_and_a_transfer(world):
    returned = make_referral(
        world.agency, world["intake"], world.court, court_file_number="4811-998-26-00050"
    )
    referral_return(referral=returned, by=world["intake"], court_reason="Lives in Montréal.")
    assert kinds(returned) == ["accepted", "returned_to_court"]

    transfer = world.transfer
    new = transfer_accept(transfer=transfer, by=world["other_intake"])
    transferred = Milestone.objects.get(referral=transfer.referral, kind="transferred")
    assert transferred.params == {"new_referral": new.pk}
    assert (transferred.agency, kinds(new)) == (world.agency, ["accepted"])
    assert Milestone.objects.get(referral=new).agency == world.other_agency


def test_an_e_referral_is_accepted_when_the_agency_takes_it_on(world):
    from referrals.services.referrals import e_referral_accept

    referral = make_referral(
        world.agency,
        world["liaison"],
        world.court,
        via="e_referral",
        court_file_number="4811-998-26-00051",
    )
    assert kinds(referral) == []
    e_referral_accept(referral=referral, by=world["intake"])
    assert kinds(referral) == ["accepted"]


def test_a_change_refused_writes_no_milestone(world):
    referral = make_referral(
        world.agency, world["intake"], world.court, court_file_number="4811-998-26-00052"
    )
    intake_book(
        referral=referral,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(hours=1),
        mode="in_person",
        location="100 Main Street",
    )
    with pytest.raises(ValidationError):  # the program agreement is not signed
        intake_record(
            referral=referral,
            by=world["intake"],
            held_on=timezone.localdate(),
            eligibility="eligible",
            consents={},
        )
    assert kinds(referral) == ["accepted"]


def test_milestones_are_never_changed_nor_removed(world):
    milestone = Milestone.objects.filter(referral=world.referral).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(kind="completed")
    with pytest.raises(DatabaseError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).delete()


# The consumers ---------------------------------------------------------------------------


def effects() -> list[int]:
    """What the test consumer did: one row per milestone handled (rolled back with it)."""
    return sorted(
        int(name.removeprefix("effect-"))
        for name in MilestoneCursor.objects.filter(consumer__startswith="effect-").values_list(
            "consumer", flat=True
        )
    )


def recorder(*, fail_on=None, kinds=ALL_KINDS):
    def handle(milestone):
        if milestone.pk == fail_on:
            raise RuntimeError("the worker died")
        MilestoneCursor.objects.create(consumer=f"effect-{milestone.pk}")

    return Consumer(name="test.recorder", kinds=kinds, handle=handle)


@pytest.fixture
def stream(world):
    """Five milestones after those the world already wrote, on five referrals."""
    for n in range(5):
        make_referral(
            world.agency, world["intake"], world.court, court_file_number=f"4811-998-26-0070{n}"
        )
    return list(Milestone.objects.order_by("pk").values_list("pk", flat=True))


def test_a_consumer_sees_each_milestone_once_and_nothing_when_run_again(stream):
    assert consume(recorder()) == len(stream)
    assert effects() == stream
    assert consume(recorder()) == 0
    assert effects() == stream
    assert MilestoneCursor.objects.get(consumer="test.recorder").last_id == stream[-1]


def test_a_consumer_reads_only_its_kinds_and_its_cursor_passes_the_others(world, stream):
    transferred = frozenset({Milestone.Kind.TRANSFERRED})
    assert consume(recorder(kinds=transferred)) == 0
    transfer_accept(transfer=world.transfer, by=world["other_intake"])
    assert consume(recorder(kinds=transferred)) == 1
    (handled,) = effects()
    assert Milestone.objects.get(pk=handled).kind == "transferred"


def test_after_a_crash_in_a_batch_the_consumer_does_that_batch_once_and_no_earlier_one(stream):
    crash_at = stream[6]
    with pytest.raises(RuntimeError):
        consume(recorder(fail_on=crash_at), batch=3)
    # The batches before the crash are done and kept; the one that crashed left nothing.
    assert effects() == stream[:6]
    assert MilestoneCursor.objects.get(consumer="test.recorder").last_id == stream[5]

    assert consume(recorder(), batch=3) == len(stream) - 6
    assert effects() == stream


def test_two_consumers_keep_their_own_cursors(stream):
    other = Consumer(name="test.other", kinds=ALL_KINDS, handle=lambda milestone: None)
    assert consume(other) == len(stream)
    assert consume(recorder()) == len(stream)
    assert effects() == stream


def test_the_receiving_agency_gets_the_people_named_once_the_transfer_commits(
    world, django_capture_on_commit_callbacks
):
    from ipv.pages.tasks import milestones_consume
    from victims.models import Victim

    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        named_people=[{"relationship": "victim", "full_name": "Sophie Lachance"}],
        court_file_number="4811-998-26-00060",
    )
    transfer = transfer_request(
        referral=referral,
        by=world["intake"],
        to_agency=world.other_agency,
        reason="Moved to Thunder Bay.",
        consent_signed_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        new = transfer_accept(transfer=transfer, by=world["other_intake"])
    assert len(callbacks) >= 1
    assert list(Victim.objects.filter(referral=new).values_list("full_name", flat=True)) == [
        "Sophie Lachance"
    ]
    assert milestones_consume() == {
        "sessions_app.completion_after_payment": 0,
        "victims.transfer_outreach": 0,
        "victims.outreach_tasks": 0,
        "sessions_app.make_up_reminders": 0,
    }
    assert Victim.objects.filter(referral=new).count() == 1
    # Even with the consumer's cursor moved back, the people are not copied twice.
    MilestoneCursor.objects.filter(consumer="victims.transfer_outreach").update(last_id=0)
    milestones_consume()
    assert Victim.objects.filter(referral=new).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_milestone_still_in_flight_is_waited_for_not_skipped(world, monkeypatch):
    """Ids are handed out at insert, not at commit: a consumer that read a later milestone,
    committed, must not move its cursor past an earlier one still in flight."""
    monkeypatch.setattr("referrals.services.milestones._wake_consumers", lambda: None)
    consume(recorder())  # the world's milestones: the cursor starts at the end
    written, release, consumed = threading.Event(), threading.Event(), {}

    def slow_writer():
        try:
            with transaction.atomic():
                consumed["early"] = milestone_record(referral=world.referral, kind="accepted").pk
                written.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    def consumer():
        try:
            consumed["count"] = consume(recorder())
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert written.wait(timeout=10)
    later = milestone_record(referral=world.other_referral, kind="accepted").pk  # committed
    reader = threading.Thread(target=consumer)
    reader.start()
    reader.join(timeout=1)
    assert reader.is_alive()  # it waits for the writer in flight
    release.set()
    writer.join(timeout=10)
    reader.join(timeout=10)

    assert consumed["early"] < later
    assert consumed["count"] == 2
    assert effects()[-2:] == [consumed["early"], later]
