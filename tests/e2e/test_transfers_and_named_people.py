"""In the browser, in both languages, and through axe: a transfer accepted (the receiving
agency's page then points to its own referral), a transfer waiting for an answer, the referral
form grown and shrunk by its "Add a person" and "Remove" buttons, Enter still saving it, and the
fee page of an agency with no fee schedule."""

import pytest
from playwright.sync_api import expect

from referrals.models import Referral
from referrals.services.transfers import transfer_accept
from tests.e2e.test_referrals import _visit_all, either
from tests.e2e.test_signed_in_pages import sign_in


@pytest.mark.parametrize("language", ["fr", "en"])
def test_transfer_pages_and_the_fee_page_without_a_schedule_pass_axe(
    page, live_server, world, assert_accessible, language
):
    pending = world.transfer
    sign_in(page, live_server.url, "manager@lakehead.test", language)
    agency = f"/{language}/a/{world.other_agency.slug}"
    _visit_all(
        page,
        live_server.url,
        [
            f"{agency}/transfers/",
            f"{agency}/transfers/{pending.pk}/",
            f"{agency}/referrals/{world.other_referral.pk}/fees/",
            f"{agency}/referrals/{world.other_referral.pk}/fees/assess/",
        ],
        assert_accessible,
    )
    transfer_accept(transfer=pending, by=world["other_intake"])
    _visit_all(
        page,
        live_server.url,
        [f"{agency}/transfers/", f"{agency}/transfers/{pending.pk}/"],
        assert_accessible,
    )
    page.get_by_role(
        "link",
        name=either(
            "Ouvrir le renvoi dans votre file d'accueil", "Open the referral in your queue"
        ),
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jean Marc Tremblay")
    assert_accessible(page)


def test_people_are_added_and_removed_and_enter_saves_the_referral(
    page, live_server, world, assert_accessible
):
    sign_in(page, live_server.url, "intake@riviere.test", "en")
    page.goto(f"{live_server.url}/en/a/{world.agency.slug}/referrals/new/")
    page.get_by_label("Full name").fill("Odile Pivert")
    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_role("group", name="Person 2")).to_be_visible()
    expect(page.get_by_role("group", name="Person 1").get_by_label("Full name")).to_have_value(
        "Odile Pivert"
    )
    assert_accessible(page)
    page.get_by_role("group", name="Person 2").get_by_label("Full name").fill("Berthe Loriot")
    page.get_by_role("button", name="Remove person 1").click()
    expect(page.get_by_role("group", name="Person 2")).to_have_count(0)
    person = page.get_by_role("group", name="Person 1")
    expect(person.get_by_label("Full name")).to_have_value("Berthe Loriot")
    person.get_by_label("Relationship").select_option("victim")

    for field, value in {
        "person-legal_name": "Étienne Côté-Labrecque",
        "person-date_of_birth": "1979-06-15",
        "order-court_file_number": "4811-998-26-05555",
        "order-charges": "Assault (s. 266)",
        "order-order_date": "2026-11-02",
        "order-complete_by": "2027-03-01",
    }.items():
        page.locator(f"#id_{field}").fill(value)
    for field, value in {
        "person-language": "fr",
        "order-program": "ipv",
        "order-stream": "early_intervention",
        "order-source_order": "release_order",
        "order-court": str(world.court.pk),
        "order-source": "court",
    }.items():
        page.locator(f"#id_{field}").select_option(value)
    page.locator("#id_order-court_file_number").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Étienne Côté-Labrecque")
    referral = Referral.objects.get(court_file_number="4811-998-26-05555")
    assert referral.agency == world.agency
