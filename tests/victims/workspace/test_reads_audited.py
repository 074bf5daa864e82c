"""Every page that names people is a read in the audit trail: the referral's outreach page
(one event per person it names), the home (one event for the page, with how many rows), and
a form shown again with its errors."""

from django.urls import reverse

from ipv.audit.models import AuditEvent

READ = AuditEvent.Action.RECORD_READ


def reads(world):
    return AuditEvent.objects.filter(actor=world["partner_contact"], action=READ)


def test_the_referrals_outreach_page_is_a_read_of_each_person_it_names(world, worker_client):
    before = reads(world).count()
    url = reverse("agency:outreach_referral", args=[world.agency.slug, world.referral.pk])
    assert worker_client.get(url).status_code == 200
    events = list(reads(world).order_by("pk")[before:])
    assert [(e.target_type, e.target_id) for e in events] == [
        ("victims.victim", str(world.victim.pk))
    ]


def test_the_home_is_one_read_with_the_rows_it_listed(world, worker_client):
    before = reads(world).count()
    assert (
        worker_client.get(reverse("agency:outreach_home", args=[world.agency.slug])).status_code
        == 200
    )
    (event,) = reads(world).order_by("pk")[before:]
    assert (event.target_type, event.target_id) == ("victims.victim", "")
    assert event.details["rows"] == 1


def test_a_form_shown_again_with_its_errors_is_a_read(world, worker_client):
    before = reads(world).count()
    url = reverse("agency:outreach_rules", args=[world.agency.slug, world.victim.pk])
    response = worker_client.post(url, {"safe_from": "17:00", "safe_until": "17:00"})
    assert response.status_code == 400
    assert reads(world).count() == before + 1
