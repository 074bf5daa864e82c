"""The staff morning digest: one email per person and day, in their language, with what waits for
them in each agency and role, counts and links only (counts written by hand in conftest.py)."""

import psycopg
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipv.accounts.models import Membership, Role, User
from ipv.core.beat import lock_key
from ipv.notifications.models import OutboxMessage
from ipv.pages.digests import staff_digests_prepare
from ipv.pages.tasks import prepare_staff_digests
from referrals import selectors as referral_selectors
from tests.conftest import make_person
from tests.notifications.digests.conftest import (
    BEFORE_TIME,
    PARTICIPANT_NAMES,
    VICTIM_DETAILS,
)
from victims.models import Victim
from victims.rls import confidential

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"


def _in_english(*users):
    User.objects.filter(pk__in=[user.pk for user in users]).update(preferred_language="en")


def _digest(user):
    return OutboxMessage.objects.filter(kind="staff_digest", key__startswith=f"staff:{user.pk}:")


def _lines(user) -> list[tuple[str, str]]:
    """The digest's lines as (text, link), in the order written."""
    [message] = _digest(user)
    rows = message.body_text.splitlines()
    return [
        (row[2:], rows[index + 1].strip()) for index, row in enumerate(rows) if row.startswith("- ")
    ]


def test_each_role_reads_its_own_counts(scene):
    world = scene
    _in_english(*(world[key] for key in ("intake", "facilitator", "partner_contact", "manager")))
    staff_digests_prepare()
    riviere = f"{BASE}/en/a/riviere"
    assert _lines(world["intake"]) == [
        ("3 overdue referrals", f"{riviere}/referrals/?overdue=on"),
        (
            "1 intake to record: the appointment has passed",
            f"{riviere}/referrals/?status=intake_booked",
        ),
        ("1 e-referral waiting to be accepted", f"{riviere}/referrals/"),
    ]
    assert _lines(world["facilitator"]) == [
        ("2 past sessions of your groups without attendance taken", f"{riviere}/groups/"),
    ]
    assert _lines(world["partner_contact"]) == [
        ("1 outreach task assigned to you, due today", f"{riviere}/outreach/?due=today"),
        ("2 outreach tasks assigned to you, overdue", f"{riviere}/outreach/?due=overdue"),
        ("1 unassigned outreach task, due today", f"{riviere}/outreach/?due=today"),
        ("1 unassigned outreach task, overdue", f"{riviere}/outreach/?due=overdue"),
    ]
    assert _lines(world["manager"]) == [
        ("1 fee waiting for approval", f"{riviere}/fees/#approvals-heading"),
        ("1 absence review to decide", f"{riviere}/referrals/?status=non_compliant"),
    ]


def test_the_other_agency_counts_only_its_own(scene):
    world = scene
    _in_english(world["other_intake"], world["other_manager"])
    staff_digests_prepare()
    lakehead = f"{BASE}/en/a/lakehead"
    assert _lines(world["other_intake"]) == [
        ("1 overdue referral", f"{lakehead}/referrals/?overdue=on")
    ]
    assert _lines(world["other_manager"]) == [
        ("1 transfer to answer", f"{lakehead}/transfers/?status=pending")
    ]


def test_the_digest_and_the_intake_queue_agree_on_what_is_overdue(scene):
    world = scene
    _in_english(world["intake"], world["other_intake"])
    staff_digests_prepare()
    for agency, person in ((world.agency, "intake"), (world.other_agency, "other_intake")):
        queue = referral_selectors.queue_counts(agency=agency)["overdue_referrals"]
        first = _lines(world[person])[0][0]
        assert first.startswith(f"{queue} overdue referral")


def test_a_person_in_two_agencies_gets_one_email_with_both(scene):
    world = scene
    both = make_person("both@riviere.test", "Bea Deux", agency=world.agency, roles=[Role.INTAKE])
    Membership.objects.create(user=both, agency=world.other_agency, role=Role.MANAGER)
    _in_english(both)
    staff_digests_prepare()
    [message] = _digest(both)
    assert "River Services\n- 3 overdue referrals" in message.body_text
    assert "Lakehead Centre\n- 1 transfer to answer" in message.body_text
    assert message.to == "both@riviere.test"
    assert (message.audience, message.sensitive) == ("staff", False)


def test_who_turned_it_off_gets_none(scene):
    world = scene
    off = make_person("off@riviere.test", "Odile Arrêt", agency=world.agency, roles=[Role.INTAKE])
    User.objects.filter(pk=off.pk).update(digest_enabled=False)
    staff_digests_prepare()
    assert not _digest(off).exists()
    # The same role, the same counts, the digest on: it goes.
    assert _digest(world["intake"]).count() == 1


def test_nothing_waiting_means_no_email(scene):
    world = scene
    staff_digests_prepare()
    for nothing in ("other_facilitator", "other_partner_contact", "liaison", "admin"):
        assert not _digest(world[nothing]).exists(), nothing
    assert _digest(world["facilitator"]).exists()


def test_former_staff_get_none(scene):
    world = scene
    Membership.objects.filter(user=world["intake"]).update(is_active=False, ended_at=BEFORE_TIME)
    User.objects.filter(pk=world["no_mfa"].pk).update(is_active=False)
    staff_digests_prepare()
    assert not _digest(world["intake"]).exists()
    assert not _digest(world["no_mfa"]).exists()
    assert _digest(world["manager"]).exists()


def test_run_twice_writes_one_email_each(scene):
    assert staff_digests_prepare() > 0
    written = OutboxMessage.objects.filter(kind="staff_digest").count()
    assert staff_digests_prepare() == 0
    assert OutboxMessage.objects.filter(kind="staff_digest").count() == written
    [key] = {message.key for message in _digest(scene["intake"])}
    assert key == f"staff:{scene['intake'].pk}:digest:2026-12-01"


def test_nothing_is_written_before_the_digest_time(scene, settings):
    with time_machine.travel(BEFORE_TIME, tick=False):
        assert staff_digests_prepare() == 0
    settings.STAFF_DIGEST_TIME = "06:30"
    with time_machine.travel(BEFORE_TIME, tick=False):
        assert staff_digests_prepare() > 0


def test_no_digest_names_a_victim_or_a_participant(scene):
    world = scene
    # The store does hold the victim (so the check below is not vacuous).
    with confidential(world.agency):
        assert Victim.objects.get(pk=world.victim.pk).full_name == VICTIM_DETAILS[0]
    staff_digests_prepare()
    messages = list(OutboxMessage.objects.filter(kind="staff_digest"))
    assert _digest(world["partner_contact"]).exists()
    assert len(messages) >= 7
    for message in messages:
        whole = " ".join([message.subject, message.body_text, message.body_html])
        for secret in VICTIM_DETAILS + PARTICIPANT_NAMES:
            assert secret not in whole, (message.key, secret)


def test_each_reader_gets_it_in_their_language(scene):
    world = scene
    _in_english(world["no_mfa"])
    staff_digests_prepare()
    [french] = _digest(world["intake"])
    [english] = _digest(world["no_mfa"])
    assert "- 3 renvois en retard\n  http://127.0.0.1:8000/fr/a/riviere/referrals/" in (
        french.body_text
    )
    assert "- 3 overdue referrals\n  http://127.0.0.1:8000/en/a/riviere/referrals/" in (
        english.body_text
    )
    assert '<html lang="fr">' in french.body_html
    assert '<html lang="en">' in english.body_html


def test_the_queries_do_not_grow_with_the_staff(scene):
    world = scene
    with CaptureQueriesContext(connection) as first:
        staff_digests_prepare()
    OutboxMessage.objects.filter(kind="staff_digest").delete()
    for number in range(6):
        make_person(
            f"more{number}@riviere.test",
            "Marc Plus",
            agency=world.agency if number % 2 else world.other_agency,
            roles=[[Role.INTAKE], [Role.MANAGER], [Role.FACILITATOR]][number % 3],
        )
    with CaptureQueriesContext(connection) as second:
        staff_digests_prepare()
    assert len(second) == len(first), "\n".join(query["sql"] for query in second)
    assert len(first) <= 15, "\n".join(query["sql"] for query in first)


def test_a_second_beat_skips_while_the_first_prepares(scene):
    """Two beats at once: the one that does not hold the sweep's lock writes nothing."""
    key = lock_key("staff-digests")
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(7341, %s)", [key])
        assert staff_digests_prepare() == 0
        other.execute("SELECT pg_advisory_unlock(7341, %s)", [key])
    assert not OutboxMessage.objects.filter(kind="staff_digest").exists()
    # Once the other is done, the sweep writes (and the keys keep it to one email each).
    assert prepare_staff_digests.delay().get() > 0
