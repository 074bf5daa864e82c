"""A person's record: everything outreach needs about them, each read audited before the page
is shown, in a number of queries that does not grow with the rows."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ipv.audit.models import AuditEvent
from victims.models import LetterPrinted
from victims.rls import confidential
from victims.services import outreach

pytestmark = pytest.mark.django_db


def record_url(world, victim=None):
    return reverse(
        "agency:outreach_person",
        kwargs={"agency_slug": world.agency.slug, "pk": (victim or world.victim).pk},
    )


def reads(world):
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.RECORD_READ,
        target_type="victims.victim",
        target_id=str(world.victim.pk),
    )


def test_the_record_shows_the_person_rules_plan_and_tasks(worker_client, world):
    outreach.rules_set(
        victim=world.victim,
        by=world["partner_contact"],
        code_word="tulipe",
        do_not_contact=True,
        channels=["phone", "letter"],
    )
    page = worker_client.get(record_url(world)).content.decode()
    for shown in (
        "Sophie Bergeron",
        "Victim named in the order",
        "+16135550188",
        "sophie@example.org",
        "tulipe",
        "Phone, Letter",
        "Version 1",
        "Follow-up",
        "Jean-Marc Tremblay",  # the participant, with their program's status
        "In a group since",
    ):
        assert shown in page, shown
    # "Do not contact" comes first, before the name.
    assert page.index("This person must not be contacted") < page.index("<h1")


def test_the_record_never_shows_intake_notes_fees_or_risk_flags(worker_client, world):
    page = worker_client.get(record_url(world)).content.decode()
    main = page.split("<main")[1].split("</main>")[0]
    # The world's referral has a fee agreed and partly paid ($100.00).
    for hidden in (r"\bFees?\b", r"100\.00", r"\bRisk\b", r"Intake notes"):
        assert not re.search(hidden, main), hidden


def test_each_reading_of_the_record_is_audited_before_it_is_shown(worker_client, world):
    assert not reads(world).exists()
    response = worker_client.get(record_url(world))
    assert response.status_code == 200
    [event] = reads(world)
    assert (event.actor, event.agency) == (world["partner_contact"], world.agency)
    worker_client.get(record_url(world))
    assert reads(world).count() == 2


def test_the_record_says_who_has_read_it(client, world):
    world.agency.managers_see_confidential = True
    world.agency.save(update_fields=["managers_see_confidential"])
    client.force_login(world["manager"])
    client.get(record_url(world))
    client.force_login(world["partner_contact"])
    page = client.get(record_url(world)).content.decode()
    readers = page.split("Who has read this record")[1]
    assert "Martine Gagnon" in readers and "Patricia Lavoie" in readers


def test_a_plan_version_page_is_audited_as_a_read_of_the_record(worker_client, world):
    url = reverse(
        "agency:outreach_plan_version",
        kwargs={"agency_slug": world.agency.slug, "pk": world.victim.pk, "number": 1},
    )
    response = worker_client.get(url)
    assert response.status_code == 200
    assert "He calls many times at night." in response.content.decode()
    assert reads(world).count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "outreach_person_edit",
        "outreach_rules",
        "outreach_consent",
        "outreach_contact",
        "outreach_close",
        "outreach_plan",
        "outreach_task_add",
    ],
)
def test_each_form_that_shows_the_person_is_audited_as_a_read(worker_client, world, name):
    url = reverse(
        f"agency:{name}", kwargs={"agency_slug": world.agency.slug, "pk": world.victim.pk}
    )
    assert worker_client.get(url).status_code == 200
    assert reads(world).count() == 1


def test_a_refused_reader_leaves_no_read_in_the_trail(client, world):
    client.force_login(world["facilitator"])
    assert client.get(record_url(world)).status_code == 403
    assert not reads(world).exists()


def _add_rows(world, count):
    worker = world["partner_contact"]
    outreach.rules_set(victim=world.victim, by=worker, channels=["phone", "letter"])
    for index in range(count):
        outreach.person_add(
            agency=world.agency,
            referral=world.referral,
            by=worker,
            full_name=f"Person {chr(65 + index)}",
            relationship="family",
        )
        outreach.consent_record(
            victim=world.victim,
            by=worker,
            topic="contact",
            given=True,
            how="phone",
            on=date(2026, 11, 2),
        )
        outreach.contact_log(
            victim=world.victim,
            by=worker,
            channel="phone",
            outcome="reached",
            at=timezone.make_aware(datetime(2026, 11, 2, 10, index)),
            services=["information"],
            note=f"Call {index}",
        )
        outreach.task_add(
            victim=world.victim, by=worker, due_on=date(2099, 2, 1 + index), assignee=worker
        )
        outreach.plan_save(victim=world.victim, by=worker, warning_signs=f"Sign {count}-{index}")
        with confidential(world.agency):
            LetterPrinted.objects.create(
                agency=world.agency, victim=world.victim, kind="start", language="fr", by=worker
            )


def _queries(client, url):
    client.get(url)  # the first request of a session records the session itself
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return queries


def _diff(few, many):
    import difflib

    def short(queries):
        return [q["sql"][:160] for q in queries.captured_queries]

    return "\n".join(difflib.unified_diff(short(few), short(many), lineterm=""))


def test_the_records_queries_do_not_grow_with_its_rows(worker_client, world):
    _add_rows(world, 1)
    few = _queries(worker_client, record_url(world))
    _add_rows(world, 5)
    many = _queries(worker_client, record_url(world))
    assert len(many) == len(few), _diff(few, many)


def test_the_homes_queries_do_not_grow_with_its_rows(worker_client, world):
    url = reverse("agency:outreach_home", kwargs={"agency_slug": world.agency.slug})
    worker = world["partner_contact"]
    outreach.assignment_set(referral=world.referral, by=worker, worker=worker)
    few = _queries(worker_client, url)
    today = timezone.localdate()
    for index in range(6):
        person = outreach.person_add(
            agency=world.agency,
            referral=world.referral,
            by=worker,
            full_name=f"Person {chr(65 + index)}",
            relationship="family",
        )
        for due in (today - timedelta(days=1), today, today + timedelta(days=index + 1)):
            outreach.task_add(victim=person, by=worker, due_on=due, assignee=worker)
        outreach.task_add(victim=person, by=worker, due_on=today)
    many = _queries(worker_client, url)
    assert len(many) == len(few), _diff(few, many)
