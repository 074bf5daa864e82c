"""The partner-contact worker's home: their tasks by due date, the tasks nobody holds, their
caseload, filters, and a search for a referral no task leads to."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from victims.services import outreach

pytestmark = pytest.mark.django_db


def home_url(world, **query):
    url = reverse("agency:outreach_home", kwargs={"agency_slug": world.agency.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def tasks(world):
    """Sophie's tasks: one overdue, one due today (both the worker's), one nobody holds."""
    worker, today = world["partner_contact"], timezone.localdate()
    add = outreach.task_add
    return {
        "overdue": add(
            victim=world.victim, by=worker, due_on=today - timedelta(days=2), assignee=worker
        ),
        "today": add(victim=world.victim, by=worker, due_on=today, assignee=worker),
        "unassigned": add(victim=world.victim, by=worker, due_on=today + timedelta(days=1)),
    }


def section(page, heading, next_heading):
    return page.split(f">{heading}</h")[1].split(f">{next_heading}</h")[0]


def test_my_tasks_come_in_three_parts_and_the_unassigned_apart(worker_client, world, tasks):
    response = worker_client.get(home_url(world))
    home = response.context["home"]
    assert [t.pk for t in home.overdue] == [tasks["overdue"].pk]
    assert [t.pk for t in home.today] == [tasks["today"].pk]
    assert [t.pk for t in home.upcoming] == [world.task.pk]
    assert [t.pk for t in home.unassigned] == [tasks["unassigned"].pk]
    page = response.content.decode()
    assert "1 of your tasks is overdue." in page
    assert "Sophie Bergeron" in section(page, "Overdue", "Due today")


def test_the_filters_narrow_the_tasks(worker_client, world, tasks):
    home = worker_client.get(home_url(world, due="today")).context["home"]
    assert [t.pk for t in home.today] == [tasks["today"].pk]
    assert home.overdue == home.upcoming == []
    home = worker_client.get(home_url(world, program="ipiv")).context["home"]
    assert home.overdue == home.today == home.upcoming == home.unassigned == []
    home = worker_client.get(home_url(world, language="en")).context["home"]
    assert home.today == []
    home = worker_client.get(home_url(world, kind="concern")).context["home"]
    assert home.today == []
    home = worker_client.get(home_url(world, kind="follow_up", language="fr")).context["home"]
    assert [t.pk for t in home.today] == [tasks["today"].pk]


def test_a_filter_that_is_not_a_choice_is_ignored(worker_client, world, tasks):
    response = worker_client.get(home_url(world, due="yesterday", program="x"))
    assert response.status_code == 200
    assert len(response.context["home"].today) == 1


def test_the_caseload_links_to_each_referral(worker_client, world):
    worker = world["partner_contact"]
    outreach.assignment_set(referral=world.referral, by=worker, worker=worker)
    page = worker_client.get(home_url(world)).content.decode()
    link = reverse(
        "agency:outreach_referral",
        kwargs={"agency_slug": world.agency.slug, "referral": world.referral.pk},
    )
    assert f'href="{link}"' in section(page, "My caseload", "Find a referral")


def test_a_referral_without_a_task_is_found_by_name_or_court_file_number(worker_client, world):
    for text in ("tremblay", "4811-998-26-00001"):
        found = worker_client.get(home_url(world, q=text)).context["found"]
        assert world.referral in found
        assert world.other_referral not in found
    assert worker_client.get(home_url(world, q="Other Person")).context["found"] == []


def test_the_agency_home_leads_partner_contact_workers_to_the_workspace(client, world):
    agency_home = reverse("agency:home", kwargs={"agency_slug": world.agency.slug})
    workspace = reverse("agency:outreach_home", kwargs={"agency_slug": world.agency.slug})
    client.force_login(world["partner_contact"])
    assert f'href="{workspace}"' in client.get(agency_home).content.decode()
    client.force_login(world["intake"])
    assert f'href="{workspace}"' not in client.get(agency_home).content.decode()
