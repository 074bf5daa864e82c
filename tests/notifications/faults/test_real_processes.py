"""The outbox under faults, with real processes: Celery workers and beats (`celery -A ipv …`) on
the test database and a Redis server the test stops and starts. What reached the providers is
counted from the record the test backends keep (tests.notifications.faults.backends)."""

import time
from collections import Counter
from datetime import date, timedelta
from datetime import time as clock

from django.db import transaction
from django.utils import timezone

from directory.models import Agency
from ipv.accounts.models import Role
from ipv.notifications.models import Channel, Kind, OutboxMessage, State
from ipv.notifications.sending import message_id
from ipv.notifications.services import Draft, messages_write
from referrals.models import Participant, Referral, Status
from sessions_app.models import Enrollment
from sessions_app.services.groups import group_create
from tests.conftest import make_person
from tests.factories import AgencyFactory, CourtFactory
from tests.notifications.faults.conftest import wait_for

# Beat asks for the outbox to be sent every second (tests.notifications.faults.settings).
BEAT_PERIOD = 1.0


_KEYS = {}


def _key(delivery: dict) -> str:
    """The outbox key an email was sent under, found from its Message-ID (a digest of the key)."""
    if delivery["id"] not in _KEYS:
        keys = OutboxMessage.objects.values_list("key", flat=True)
        _KEYS.update({message_id(key): key for key in keys})
    return _KEYS[delivery["id"]]


def _delivered(processes) -> Counter:
    return Counter(_key(delivery) for delivery in processes.deliveries())


def _emails(count: int, prefix: str) -> list[str]:
    """`count` emails written to the outbox in one committed transaction; their keys."""
    context = {"invitation": {"full_name": "", "agency": None}, "url": "https://x.test/", "days": 7}
    with transaction.atomic():
        messages_write(
            Draft(
                key=f"{prefix}:{n:04d}",
                channel=Channel.EMAIL,
                to=f"person{n}@example.org",
                template="invitation",
                context=context,
                language="fr" if n % 2 else "en",
                kind=Kind.ACCOUNT,
            )
            for n in range(count)
        )
    return [f"{prefix}:{n:04d}" for n in range(count)]


def test_messages_written_while_redis_is_down_are_sent_once_when_it_is_back(
    client, processes, redis_server, broker
):
    agency = AgencyFactory(slug="riviere")
    manager = make_person(
        "manager@riviere.test", "Martine Gagnon", agency=agency, roles=[Role.MANAGER]
    )
    worker = processes.start("worker", "worker", wait=False)
    beat = processes.start("beat", "beat", wait=False)
    processes.wait_ready(worker, beat)
    redis_server.stop()

    client.force_login(manager)
    for n in range(5):
        started = time.monotonic()
        response = client.post(
            f"/fr/a/{agency.slug}/staff/invite/",
            {"email": f"person{n}@riviere.test", "roles": ["intake"], "language": "fr"},
        )
        assert response.status_code == 302
        assert time.monotonic() - started < 5
    invitations = OutboxMessage.objects.filter(kind=Kind.INVITATION)
    keys = {message.key for message in invitations}
    assert len(keys) == 5
    # Two of beat's periods: with Redis down, nothing reaches the worker; the outbox keeps all.
    time.sleep(2 * BEAT_PERIOD)
    assert processes.deliveries() == []
    assert invitations.filter(state=State.PENDING).count() == 5

    redis_server.start()
    wait_for(
        lambda: invitations.filter(state=State.SENT).count() == 5,
        40,
        "the invitations to be sent after Redis came back",
        processes.logs(),
    )
    time.sleep(2 * BEAT_PERIOD)  # beat goes on asking: nothing goes twice
    assert _delivered(processes) == dict.fromkeys(keys, 1)


def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_other_after_the_lease(processes, broker):
    lease = {"OUTBOX_LEASE_SECONDS": "6", "IPV_FAULTS_DELAY": "0.01"}
    first = processes.start("worker", "first", wait=False, **lease)
    second = processes.start("worker", "second", wait=False, **lease)
    beat = processes.start("beat", "beat", wait=False, **lease)
    processes.wait_ready(first, second, beat)
    keys = _emails(400, "faults:kill")
    messages = OutboxMessage.objects.filter(key__startswith="faults:kill:")

    def first_is_mid_batch() -> bool:
        """The first worker has sent some of its batch, and has more of it still to send."""
        sent = [_key(d) for d in processes.deliveries() if d["pid"] == first.pid]
        if len(sent) < 10:
            return False
        claim = messages.get(key=sent[-1]).claim
        return messages.filter(claim=claim, state=State.SENDING).count() >= 10

    wait_for(first_is_mid_batch, 30, "the first worker to be mid-batch", processes.logs())
    processes.kill(first)
    claims = {
        message.claim
        for message in messages.filter(
            key__in=[_key(d) for d in processes.deliveries() if d["pid"] == first.pid]
        )
    }
    in_flight = {
        message.key: message.lease_until
        for message in messages.filter(claim__in=claims, state=State.SENDING)
    }
    assert len(in_flight) >= 9  # the kill left work behind: the test is not vacuous

    wait_for(
        lambda: messages.filter(state=State.SENT).count() == len(keys),
        45,
        "every message to be sent",
        processes.logs(),
    )
    deliveries = processes.deliveries()
    counts = Counter(_key(delivery) for delivery in deliveries)
    assert set(counts) == set(keys)  # none lost
    twice = {key for key, count in counts.items() if count > 1}
    # Only the message whose provider had accepted it when the worker died, not yet recorded
    # as sent, may go twice: one at most, for a worker that sends one message at a time.
    assert twice <= set(in_flight)
    assert len(twice) <= 1
    assert max(counts.values()) <= 2
    # What the dead worker held went out from the other one, once its lease had run out.
    last_sender = {_key(delivery): delivery["pid"] for delivery in deliveries}
    assert {last_sender[key] for key in in_flight} == {second.pid}
    for message in messages.filter(key__in=in_flight):
        assert message.sent_at >= in_flight[message.key]


REMINDED = 1_000
GROUP_SIZE = 40


def _enrolled_tomorrow(count: int) -> set[str]:
    """`count` people enrolled in groups that meet tomorrow (local date), who agreed to texts;
    the agency reminds the day before from midnight, at any hour. Their mobile numbers."""
    agency = AgencyFactory(slug="riviere")
    Agency.objects.filter(pk=agency.pk).update(
        session_reminder_time=clock(0, 0),
        quiet_hours_start=clock(0, 0),
        quiet_hours_end=clock(23, 59),
    )
    worker = make_person("intake@riviere.test", "Isabelle Roy", agency=agency, roles=[Role.INTAKE])
    court = CourtFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)
    groups = [
        group_create(
            agency=agency,
            by=worker,
            name=f"Groupe {n}",
            program="ipv",
            language="fr",
            weekday=tomorrow.weekday(),
            start_time=clock(18, 30),
            start_date=tomorrow,
            capacity=GROUP_SIZE,
            location="100 Main Street",
        )
        for n in range(-(-count // GROUP_SIZE))
    ]
    numbers = [f"+1613555{n:04d}" for n in range(count)]
    people = Participant.objects.bulk_create(
        Participant(
            agency=agency,
            legal_name=f"Personne {n}",
            date_of_birth=date(1985, 1, 1),
            language="fr" if n % 2 else "en",
            phone=number,
            consent_sms=True,
        )
        for n, number in enumerate(numbers)
    )
    today = timezone.localdate()
    referrals = Referral.objects.bulk_create(
        Referral(
            agency=agency,
            participant=person,
            court=court,
            program="ipv",
            stream="early_intervention",
            source_order="release_order",
            source="court",
            court_file_number=f"4811-998-26-{n:05d}",
            charges="Assault (s. 266)",
            order_date=today - timedelta(days=30),
            received_on=today - timedelta(days=28),
            complete_by=today + timedelta(days=120),
            status=Status.ENROLLED,
            submitted_by=worker,
            accepted_at=timezone.now(),
            accepted_by=worker,
        )
        for n, person in enumerate(people)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            agency=agency,
            referral=referral,
            group=groups[n // GROUP_SIZE],
            start_date=tomorrow,
            created_by=worker,
        )
        for n, referral in enumerate(referrals)
    )
    return set(numbers)


def test_two_workers_and_two_beats_send_each_of_a_thousand_reminders_once(processes):
    numbers = _enrolled_tomorrow(REMINDED)
    # Each text takes a moment at the provider, so that both workers have a share to send.
    workers = [
        processes.start("worker", name, wait=False, IPV_FAULTS_DELAY="0.002")
        for name in ("first", "second")
    ]
    beats = [processes.start("beat", name, wait=False) for name in ("beat-1", "beat-2")]
    processes.wait_ready(*workers, *beats)
    reminders = OutboxMessage.objects.filter(kind=Kind.SESSION_REMINDER)

    wait_for(
        lambda: reminders.filter(state=State.SENT).count() >= REMINDED,
        50,
        "the reminders to be sent",
        processes.logs(),
    )
    time.sleep(2 * BEAT_PERIOD)  # both beats go on sweeping: nothing is written or sent twice
    deliveries = processes.deliveries()
    assert Counter(number for d in deliveries for number in d["to"]) == dict.fromkeys(numbers, 1)
    assert reminders.count() == REMINDED
    assert {delivery["channel"] for delivery in deliveries} == {"sms"}
    # Both beats asked for the sweep, and both workers sent a share: the test is not vacuous.
    for beat in beats:
        assert "prepare-session-reminders" in beat.log.read_text()
    assert {delivery["pid"] for delivery in deliveries} == {worker.pid for worker in workers}
