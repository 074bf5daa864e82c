"""Who reaches the outreach workspace: partner-contact workers of the agency; managers only
where the agency grants confidential access; everyone else 403, another agency 404."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Route name → (the kwargs of the first agency's object, how it is asked, what a worker gets).
ROUTES = {
    "outreach_home": (lambda w: {}, "get", 200),
    "outreach_referral": (lambda w: {"referral": w.referral.pk}, "get", 200),
    "outreach_assign": (lambda w: {"referral": w.referral.pk}, "post", 400),
    "outreach_person_new": (lambda w: {"referral": w.referral.pk}, "get", 200),
    "outreach_alert": (lambda w: {"referral": w.referral.pk}, "get", 200),
    "outreach_person": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_person_edit": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_rules": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_consent": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_contact": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_close": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_reopen": (lambda w: {"pk": w.victim.pk}, "post", 302),
    "outreach_plan": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_plan_version": (lambda w: {"pk": w.victim.pk, "number": 1}, "get", 200),
    "outreach_task_add": (lambda w: {"pk": w.victim.pk}, "get", 200),
    "outreach_task_done": (lambda w: {"pk": w.task.pk}, "post", 302),
    "outreach_task_assign": (lambda w: {"pk": w.task.pk}, "post", 302),
}
# The same objects of the other agency.
FOREIGN = {
    "referral": lambda w: w.other_referral.pk,
    "pk": lambda w: w.other_victim.pk,
    "number": lambda w: w.other_plan.number,
}


def _url(name, world, *, slug=None, foreign=False):
    kwargs = ROUTES[name][0](world)
    if foreign:
        kwargs = {key: FOREIGN[key](world) for key in kwargs} | (
            {"pk": world.other_task.pk} if "task" in name else {}
        )
    return reverse(f"agency:{name}", kwargs={"agency_slug": slug or world.agency.slug, **kwargs})


def _ask(client, name, url):
    return getattr(client, ROUTES[name][1])(url)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_people_are_sent_to_sign_in(client, world, name):
    response = _ask(client, name, _url(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize("persona", ["intake", "facilitator", "manager"])
def test_other_roles_of_the_agency_are_refused(client, world, name, persona):
    client.force_login(world[persona])
    assert _ask(client, name, _url(name, world)).status_code == 403


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_partner_contact_worker_of_the_agency_gets_the_page(client, world, name):
    client.force_login(world["partner_contact"])
    assert _ask(client, name, _url(name, world)).status_code == ROUTES[name][2]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_manager_gets_the_page_where_the_agency_grants_confidential_access(client, world, name):
    world.agency.managers_see_confidential = True
    world.agency.save(update_fields=["managers_see_confidential"])
    client.force_login(world["manager"])
    assert _ask(client, name, _url(name, world)).status_code == ROUTES[name][2]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_worker_of_another_agency_gets_404_under_this_agencys_address(client, world, name):
    client.force_login(world["other_partner_contact"])
    assert _ask(client, name, _url(name, world)).status_code == 404


@pytest.mark.parametrize("name", sorted(set(ROUTES) - {"outreach_home"}))
def test_another_agencys_object_is_404_under_ones_own_address(client, world, name):
    client.force_login(world["partner_contact"])
    assert _ask(client, name, _url(name, world, foreign=True)).status_code == 404


@pytest.mark.parametrize("name", sorted(set(ROUTES) - {"outreach_home"}))
def test_another_agencys_object_under_its_own_address_is_404_to_a_non_member(client, world, name):
    client.force_login(world["partner_contact"])
    url = _url(name, world, slug=world.other_agency.slug, foreign=True)
    assert _ask(client, name, url).status_code == 404


def test_a_worker_of_the_other_agency_reaches_its_own_objects(client, world):
    """The positive control of the 404s above: the same ids work at their own agency."""
    client.force_login(world["other_partner_contact"])
    url = _url("outreach_person", world, slug=world.other_agency.slug, foreign=True)
    assert client.get(url).status_code == 200
