"""The pages the messages brought, in French and English, through axe in every state and used
from the keyboard: the link that stops a participant's email reminders, a person's choice of
notifications, the agency's reminder hours, and a victim's record with the rule about naming
the program and the automatic message in its contact log."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from directory.models import Agency
from ipv.accounts.models import LiaisonProfile, User
from referrals.models import Milestone, Participant
from referrals.services.consent import stop_token
from tests.e2e.test_outreach import named
from tests.e2e.test_signed_in_pages import sign_in
from tests.victims.messages.conftest import NOW, SOPHIE, allow, consume, record
from tests.victims.services.conftest import named as referral_naming
from tests.victims.services.conftest import person
from victims.models import Victim
from victims.rls import confidential

TEXT = {
    "fr": {
        "stop": "Arrêter les rappels par courriel",
        "stopped": "Les rappels par courriel sont arrêtés.",
        "invalid": "Ce lien n'est pas valide.",
        "save": "Enregistrer",
        "saved": "Vos choix sont enregistrés.",
        "digest": "M'envoyer un résumé du matin par courriel",
        "court_messages": "Courriels au sujet des documents délivrés pour mes tribunaux",
        "daily": "Un courriel par jour énumérant les documents de la veille",
        "from": "Les rappels partent à partir de",
        "until": "Les rappels partent jusqu'à",
        "order": "Dans la journée, l'heure de début des rappels doit précéder l'heure de fin.",
        "may_name": "Les messages peuvent indiquer qu'ils viennent du programme",
        "rules": "Règles de contact sécuritaire",
        "change_rules": "Modifier les règles de contact sécuritaire",
        "automatic": "Message automatique",
        "text": "Texto",
        "message_left": "Message laissé",
        "yes": "Oui",
        "no": "Non",
        "recorded": "Enregistré.",
    },
    "en": {
        "stop": "Stop email reminders",
        "stopped": "Email reminders are stopped.",
        "invalid": "This link is not valid.",
        "save": "Save",
        "saved": "Your choices are saved.",
        "digest": "Send me a morning digest by email",
        "court_messages": "Emails about documents issued for my courts",
        "daily": "One email a day listing the documents of the day before",
        "from": "Reminders are sent from",
        "until": "Reminders are sent until",
        "order": "Reminders must start before they end in the day.",
        "may_name": "Messages may say they come from the program",
        "rules": "Safe-contact rules",
        "change_rules": "Change the safe-contact rules",
        "automatic": "Automatic message",
        "text": "Text message",
        "message_left": "Message left",
        "yes": "Yes",
        "no": "No",
        "recorded": "Saved.",
    },
}
LANGUAGES = pytest.mark.parametrize("language", ["fr", "en"])


def tab_to(page, target, limit=60):
    """Press Tab from where the focus is until `target` has it: reached from the keyboard, and
    nothing on the way holds the focus back."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} not reached with Tab in {limit} presses")


def _url(name, language, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def _consent_email(participant):
    return Participant.objects.get(pk=participant.pk).consent_email


# 1. The link in a participant's reminder email.


@LANGUAGES
def test_the_stop_reminders_page_asks_then_stops_from_the_keyboard(
    page, live_server, world, assert_accessible, language
):
    participant = world.referral.participant
    Participant.objects.filter(pk=participant.pk).update(consent_email=True)
    words = TEXT[language]
    url = live_server.url + _url("reminders_stop", language, token=stop_token(participant.pk))

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["stop"])
    # The page names nobody: an email may be forwarded.
    expect(page.locator("main")).not_to_contain_text(participant.legal_name)
    assert_accessible(page)
    # Opening the link (as a mail scanner does) changes nothing.
    assert _consent_email(participant) is True

    button = page.get_by_role("button", name=words["stop"])
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(words["stopped"])
    expect(page.get_by_role("button", name=words["stop"])).to_have_count(0)
    assert_accessible(page)
    assert _consent_email(participant) is False


@LANGUAGES
def test_a_link_that_is_not_genuine_says_so(page, live_server, world, assert_accessible, language):
    participant = world.referral.participant
    Participant.objects.filter(pk=participant.pk).update(consent_email=True)
    token = stop_token(participant.pk)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = page.goto(live_server.url + _url("reminders_stop", language, token=forged))
    assert response.status == 404
    expect(page.get_by_role("alert")).to_contain_text(TEXT[language]["invalid"])
    expect(page.get_by_role("button", name=TEXT[language]["stop"])).to_have_count(0)
    assert_accessible(page)
    assert _consent_email(participant) is True


# 2. A person's choice of notifications.


@LANGUAGES
def test_a_staff_member_turns_the_morning_digest_off_from_the_keyboard(
    page, live_server, world, assert_accessible, language
):
    words = TEXT[language]
    sign_in(page, live_server.url, "intake@riviere.test", language)
    page.goto(live_server.url + _url("accounts:notifications", language))
    digest = page.get_by_label(named(words["digest"]))
    expect(digest).to_be_checked()
    # Only a court liaison officer chooses about the court's messages.
    expect(page.get_by_role("group", name=words["court_messages"])).to_have_count(0)
    assert_accessible(page)

    tab_to(page, digest)
    page.keyboard.press("Space")
    expect(digest).not_to_be_checked()
    save = page.get_by_role("button", name=words["save"], exact=True)
    tab_to(page, save)
    page.keyboard.press("Enter")

    expect(page.locator(".messages .alert-success")).to_contain_text(words["saved"])
    expect(page.get_by_label(named(words["digest"]))).not_to_be_checked()
    assert_accessible(page)
    assert User.objects.get(pk=world["intake"].pk).digest_enabled is False


@LANGUAGES
def test_a_court_liaison_officer_chooses_one_email_a_day_from_the_keyboard(
    page, live_server, world, assert_accessible, language
):
    words = TEXT[language]
    sign_in(page, live_server.url, "liaison@court.test", language)
    page.goto(live_server.url + _url("accounts:notifications", language))
    choices = page.get_by_role("group", name=named(words["court_messages"]))
    immediate = choices.get_by_role("radio").first
    expect(immediate).to_be_checked()
    assert_accessible(page)

    # Arrows move the choice within the group; Tab leaves it for the button.
    tab_to(page, immediate)
    page.keyboard.press("ArrowDown")
    daily = choices.get_by_role("radio", name=words["daily"])
    expect(daily).to_be_checked()
    save = page.get_by_role("button", name=words["save"], exact=True)
    tab_to(page, save)
    page.keyboard.press("Enter")

    expect(page.locator(".messages .alert-success")).to_contain_text(words["saved"])
    expect(
        page.get_by_role("group", name=named(words["court_messages"])).get_by_role(
            "radio", name=words["daily"]
        )
    ).to_be_checked()
    assert_accessible(page)
    assert LiaisonProfile.objects.get(user=world["liaison"]).court_messages == "daily"


# 3. The agency's hours for reminders.


@LANGUAGES
def test_reminder_hours_that_end_before_they_start_are_refused_in_the_pages_language(
    page, live_server, world, assert_accessible, language
):
    words = TEXT[language]
    sign_in(page, live_server.url, "manager@riviere.test", language)
    page.goto(live_server.url + _url("agency:settings", language, agency_slug=world.agency.slug))
    start = page.get_by_label(named(words["from"]))
    end = page.get_by_label(named(words["until"]))
    expect(start).to_have_value("08:00")
    expect(end).to_have_value("20:00")
    assert_accessible(page)

    start.fill("21:00")
    end.fill("07:00")
    # Enter in a field sends the form, as a keyboard user would.
    end.press("Enter")

    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("#id_quiet_hours_end")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_quiet_hours_end_error")).to_have_text(words["order"])
    # What was typed is still there.
    expect(page.get_by_label(named(words["from"]))).to_have_value("21:00")
    expect(page.get_by_label(named(words["until"]))).to_have_value("07:00")
    assert_accessible(page)
    agency = Agency.objects.get(pk=world.agency.pk)
    assert (agency.quiet_hours_start.hour, agency.quiet_hours_end.hour) == (8, 20)


# 4. A victim's record in the outreach workspace.


@LANGUAGES
def test_a_victims_record_shows_the_naming_rule_and_the_automatic_message(
    page, live_server, world, assert_accessible, language
):
    words = TEXT[language]
    with time_machine.travel(NOW, tick=True):
        referral = referral_naming(world, name="Marc-André Poirier", people=(SOPHIE,))
        sophie = person(referral, SOPHIE["full_name"])
        allow(world, sophie, may_name_program=True)
        # News once her rules allow it: the milestones' consumer (run when the milestone's
        # transaction commits, and again here as the beat would) writes the update as a text
        # and logs it on her record.
        record(referral, Milestone.Kind.ENROLLED, by=world["intake"])
        consume()

        sign_in(page, live_server.url, "partner_contact@riviere.test", language)
        record_url = _url(
            "agency:outreach_person", language, agency_slug=world.agency.slug, pk=sophie.pk
        )
        page.goto(live_server.url + record_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(SOPHIE["full_name"])
        rules = page.get_by_role("region", name=words["rules"], exact=True)
        naming = rules.locator("dt", has_text=words["may_name"]).locator(
            "xpath=following-sibling::dd[1]"
        )
        expect(naming).to_have_text(words["yes"])
        contacts = page.get_by_role("region", name="Contacts", exact=True)
        automatic = contacts.get_by_role("row").filter(has_text=words["automatic"])
        expect(automatic).to_have_count(1)
        expect(automatic).to_contain_text(words["text"])
        expect(automatic).to_contain_text(words["message_left"])
        assert_accessible(page)

        # The rules form: the box is ticked; she no longer wants it, from the keyboard.
        link = rules.get_by_role("link", name=words["change_rules"])
        tab_to(page, link)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(words["rules"])
        box = page.get_by_label(named(words["may_name"]))
        expect(box).to_be_checked()
        assert_accessible(page)
        tab_to(page, box)
        page.keyboard.press("Space")
        expect(box).not_to_be_checked()
        save = page.get_by_role("button", name=words["save"], exact=True)
        tab_to(page, save)
        page.keyboard.press("Enter")

        expect(page.locator(".messages .alert-success")).to_contain_text(words["recorded"])
        rules = page.get_by_role("region", name=words["rules"], exact=True)
        expect(
            rules.locator("dt", has_text=words["may_name"]).locator(
                "xpath=following-sibling::dd[1]"
            )
        ).to_have_text(words["no"])
        assert_accessible(page)
        with confidential(world.agency):
            assert Victim.objects.get(pk=sophie.pk).may_name_program is False
