"""Referrals in the browser: an e-referral from the court to the waitlist, in French, and every
referral page of the agency and of the court portal passing axe-core in both languages."""

import re
from datetime import date, timedelta

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from referrals.services.intake import intake_book
from tests.conftest import PASSWORD, make_referral, totp_code
from tests.e2e.test_signed_in_pages import sign_in


def either(french, english):
    """A label in French, or in English while the French catalog does not have it yet. A
    required field's label ends with an asterisk."""
    return re.compile(rf"^\s*(?:{re.escape(french)}|{re.escape(english)})\s*\*?\s*$")


def _visit_all(page, base, paths, assert_accessible):
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, f"{path}: {response.status}"
        assert_accessible(page)


def _sign_in_checked(page, base, email, assert_accessible):
    """Sign in in French as `sign_in` does, with axe on the password page and the code page."""
    page.goto(f"{base}/fr/account/login/")
    assert_accessible(page)
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_code").fill(totp_code())
    page.locator("#id_code").press("Enter")
    expect(page.locator("#id_code")).to_have_count(0)


def _succeeded(page):
    """The page a form led to says it worked (in the messages, whatever the words)."""
    expect(page.locator(".messages .alert-success")).to_be_visible()


def test_a_court_e_referral_reaches_the_waitlist_in_french(
    new_page, live_server, world, assert_accessible
):
    # The site's today (Ontario's), which is not the machine's near midnight UTC.
    base, today = live_server.url, timezone.localdate()

    officer = new_page(locale="fr-CA")
    _sign_in_checked(officer, base, "liaison@court.test", assert_accessible)
    expect(officer).to_have_url(f"{base}/fr/court/")
    assert_accessible(officer)
    officer.get_by_role("link", name=either("Envoyer un renvoi", "Send a referral")).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(
        either("Envoyer un renvoi", "Send a referral")
    )
    assert_accessible(officer)

    officer.get_by_label(either("Nom légal", "Legal name")).fill("Samuel Ouellet")
    officer.get_by_label(either("Date de naissance", "Date of birth")).fill("1990-05-17")
    officer.get_by_label(either("Langue de service", "Language of service")).select_option("fr")
    officer.get_by_label(either("Organisme", "Agency")).select_option(label="Services Rivière")
    officer.get_by_label(either("Programme", "Program")).select_option("ipv")
    officer.get_by_label(either("Volet judiciaire", "Court stream")).select_option(
        "early_intervention"
    )
    officer.get_by_label(either("Ordonnance", "Order")).select_option("release_order")
    officer.get_by_label(either("Tribunal", "Court")).select_option(str(world.court.pk))
    officer.get_by_label(either("Numéro de dossier du tribunal", "Court file number")).fill(
        "4811-998-26-00417"
    )
    officer.get_by_label(either("Accusations", "Charges")).fill("Voies de fait (art. 266)")
    officer.get_by_label(either("Date de l'ordonnance", "Date of the order")).fill(
        (today - timedelta(days=14)).isoformat()
    )
    officer.get_by_label(either("Date de la prochaine comparution", "Return court date")).fill(
        (today + timedelta(weeks=18)).isoformat()
    )
    officer.get_by_label(either("À terminer d'ici le", "Complete by")).fill(
        (today + timedelta(weeks=16)).isoformat()
    )
    officer.get_by_label(either("Source du renvoi", "Referred by")).select_option("court")
    victim = officer.get_by_role("group", name=either("Personne 1", "Person 1"))
    victim.get_by_label(either("Nom complet", "Full name")).fill("Chantal Ouellet")
    victim.get_by_label(either("Lien", "Relationship")).select_option("victim")
    officer.get_by_role("button", name=either("Envoyer le renvoi", "Send the referral")).click()

    _succeeded(officer)
    expect(officer.get_by_role("heading", level=1)).to_have_text("Samuel Ouellet")
    expect(officer.get_by_text("Chantal Ouellet")).to_have_count(0)
    where = officer.get_by_role(
        "region", name=either("Où en est la personne", "Where the person stands")
    )
    accepted = where.locator(
        "dt", has_text=either("Accepté par l'organisme", "Accepted by the agency")
    )
    expect(accepted.locator("xpath=following-sibling::dd[1]")).to_have_text(
        either("Pas encore", "Not yet")
    )
    assert_accessible(officer)

    # The agency's intake worker, in a browser of their own.
    worker = new_page(locale="fr-CA")
    _sign_in_checked(worker, base, "intake@riviere.test", assert_accessible)
    expect(worker).to_have_url(f"{base}/fr/a/riviere/")
    assert_accessible(worker)
    worker.get_by_role("navigation", name=either("Organisme", "Agency")).get_by_role(
        "link", name=either("File d'accueil", "Intake queue")
    ).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(
        either("File d'accueil", "Intake queue")
    )
    assert_accessible(worker)
    search = worker.get_by_role("search")
    search.get_by_role(
        "searchbox",
        name=either("Nom ou numéro de dossier du tribunal", "Name or court file number"),
    ).fill("Samuel Ouellet")
    search.get_by_role("button", name=either("Rechercher", "Search")).click()
    # The results are replaced in place (htmx), and the address keeps the search.
    expect(worker).to_have_url(re.compile(r"[?&]q=Samuel(\+|%20)Ouellet"))
    expect(search).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    results = worker.locator("#results")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and one referral
    assert_accessible(worker)
    results.get_by_role("link", name="Samuel Ouellet").click()

    expect(worker.get_by_role("heading", level=1)).to_have_text("Samuel Ouellet")
    # The victim went to the confidential store: the referral never shows her name.
    expect(worker.get_by_text("Chantal Ouellet")).to_have_count(0)
    assert_accessible(worker)
    worker.get_by_role("button", name=either("Accepter le renvoi", "Accept the referral")).click()
    _succeeded(worker)
    expect(
        worker.get_by_role("button", name=either("Accepter le renvoi", "Accept the referral"))
    ).to_have_count(0)
    assert_accessible(worker)

    book = either("Fixer l'entrevue d'accueil", "Book the intake")
    worker.get_by_role("link", name=book).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(book)
    assert_accessible(worker)
    worker.get_by_label(either("Rendez-vous", "Appointment")).fill(
        f"{(today + timedelta(days=7)).isoformat()}T10:00"
    )
    worker.get_by_role("button", name=book).click()
    _succeeded(worker)
    assert_accessible(worker)

    record = either("Consigner l'entrevue d'accueil", "Record the intake")
    worker.get_by_role("link", name=record).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(record)
    assert_accessible(worker)
    worker.get_by_label(either("Tenue le", "Held on")).fill(today.isoformat())
    worker.get_by_role("radio", name=either("Admissible", "Eligible")).check()
    worker.get_by_label(
        either(
            "Entente de participation (règles et présences)",
            "Program agreement (rules and attendance)",
        )
    ).fill(today.isoformat())
    worker.get_by_role("button", name=record).click()
    _succeeded(worker)
    assert_accessible(worker)

    waitlist = either("Inscrire sur la liste d'attente", "Put on the waitlist")
    worker.get_by_role("link", name=waitlist).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(waitlist)
    assert_accessible(worker)
    worker.get_by_label(either("Motif", "Reason")).fill("Aucun groupe en français avant janvier.")
    worker.get_by_role("button", name=waitlist).click()
    _succeeded(worker)
    waitlisted = either("Sur la liste d'attente", "Waitlisted")
    expect(worker.locator(".lead .status-badge")).to_have_text(waitlisted)
    assert_accessible(worker)

    # The court sees where the person stands: accepted today, on the waitlist.
    officer.reload()
    expect(where.locator(".status-badge")).to_have_text(waitlisted)
    with translation.override("fr"):
        accepted_on = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    expect(accepted.locator("xpath=following-sibling::dd[1]")).to_have_text(accepted_on)
    assert_accessible(officer)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_referral_page_of_an_agency_passes_axe(
    page, new_page, live_server, world, assert_accessible, language
):
    booked = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Bouchard", "date_of_birth": date(1979, 6, 14)},
        court_file_number="4811-998-26-00003",
    )
    intake_book(
        referral=booked,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(days=7),
        mode="in_person",
        location="100 rue Principale",
    )
    sign_in(page, live_server.url, "intake@riviere.test", language)
    agency = f"/{language}/a/{world.agency.slug}"
    referral, participant = world.referral.pk, world.referral.participant_id
    filters = (
        f"q=trem&status=all&stream=early_intervention&program=ipv&language=fr"
        f"&court={world.court.pk}&overdue=on"
    )
    paths = [
        f"{agency}/referrals/",
        f"{agency}/referrals/?{filters}",
        f"{agency}/referrals/?status=nonsense&court=0",
        f"{agency}/referrals/new/",
        f"{agency}/referrals/{referral}/",
        f"{agency}/referrals/{referral}/edit/",
        f"{agency}/referrals/{referral}/status/contact/",
        f"{agency}/referrals/{referral}/intake/book/",
        f"{agency}/referrals/{referral}/transfer/",
        f"{agency}/referrals/{booked.pk}/",
        f"{agency}/referrals/{booked.pk}/intake/book/",
        f"{agency}/referrals/{booked.pk}/intake/missed/",
        f"{agency}/referrals/{booked.pk}/intake/record/",
        f"{agency}/transfers/",
        f"{agency}/transfers/{world.transfer.pk}/",
        f"{agency}/participants/{participant}/",
        f"{agency}/participants/{participant}/edit/",
        f"{agency}/participants/{world.duplicate.participant_id}/",
    ]
    _visit_all(page, live_server.url, paths, assert_accessible)

    # Sent empty, the form comes back with each error next to its field.
    page.goto(f"{live_server.url}{agency}/referrals/new/")
    page.get_by_role("button", name=either("Enregistrer le renvoi", "Save the referral")).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    legal_name = page.get_by_label(either("Nom légal", "Legal name"))
    expect(legal_name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_person-legal_name_error")).to_be_visible()
    assert_accessible(page)

    # The receiving agency's side of a transfer: the referral, its history, an answer to give.
    receiving = new_page()
    sign_in(receiving, live_server.url, "intake@lakehead.test", language)
    path = f"/{language}/a/{world.other_agency.slug}/transfers/{world.transfer.pk}/"
    _visit_all(receiving, live_server.url, [path], assert_accessible)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_court_portal_page_passes_axe(page, live_server, world, assert_accessible, language):
    sign_in(page, live_server.url, "liaison@court.test", language)
    court = f"/{language}/court"
    paths = [
        f"{court}/",
        f"{court}/?q=tremblay&status=all&court={world.court.pk}&agency={world.agency.pk}",
        f"{court}/?status=nonsense",
        f"{court}/referrals/new/",
        f"{court}/referrals/{world.referral.pk}/",
    ]
    _visit_all(page, live_server.url, paths, assert_accessible)

    page.goto(f"{live_server.url}{court}/referrals/new/")
    page.get_by_role("button", name=either("Envoyer le renvoi", "Send the referral")).click()
    agency = page.get_by_label(either("Organisme", "Agency"))
    expect(agency).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_order-agency_error")).to_be_visible()
    assert_accessible(page)
