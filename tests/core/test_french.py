"""French as good as the English: dates, times, phone numbers and addresses as Canada writes
them; the French catalog follows FRENCH.md (terms, typography, inclusive writing); documents
on Letter paper; emails that declare their own language."""

import io
import re
from datetime import date, datetime, time
from pathlib import Path

import phonenumbers
import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation
from pypdf import PdfReader

from directory.models import Agency
from ipv.core.i18n import format_address, format_phone
from ipv.notifications.models import OutboxMessage
from ipv.notifications.services import email_enqueue
from referrals.forms import ParticipantForm
from sessions_app.services.documents import document_pdf

FRENCH = Path(settings.BASE_DIR, "locale/fr/LC_MESSAGES/django.po")


def _render(source, **context):
    return Template("{% load ipv %}" + source).render(Context(context))


def test_french_dates_write_the_first_of_the_month_1er():
    with translation.override("fr"):
        assert formats.date_format(date(2026, 12, 1)) == "1er décembre 2026"
        assert formats.date_format(date(2026, 12, 2)) == "2 décembre 2026"
        assert _render('{{ day|date:"DATE_FORMAT" }}', day=date(2026, 12, 1)) == (
            "1er décembre 2026"
        )
        # Numeric dates have no ordinal.
        assert formats.date_format(date(2026, 12, 1), "SHORT_DATE_FORMAT") == "2026-12-01"
    with translation.override("en"):
        assert "er" not in formats.date_format(date(2026, 12, 1))


def test_french_times_have_no_leading_zero_and_no_minutes_on_the_hour():
    with translation.override("fr"):
        assert formats.time_format(time(9, 30)) == "9\xa0h\xa030"
        assert formats.time_format(time(18, 0)) == "18\xa0h"
        assert _render('{{ at|time:"TIME_FORMAT" }}', at=time(9, 5)) == "9\xa0h\xa005"
        moment = datetime(2026, 11, 30, 14, 41)
        assert formats.date_format(moment, "DATETIME_FORMAT") == (
            "30 novembre 2026 à 14\xa0h\xa041"
        )
        assert formats.date_format(datetime(2026, 12, 1, 9, 0), "DATETIME_FORMAT") == (
            "1er décembre 2026 à 9\xa0h"
        )
    with translation.override("en"):
        assert formats.time_format(time(9, 30)) == "9:30 a.m."


@pytest.mark.parametrize("language", ["fr", "en"])
def test_phone_numbers_are_written_with_hyphens_in_both_languages(language):
    with translation.override(language):
        assert format_phone(phonenumbers.parse("+16135550142")) == "613-555-0142"
        assert format_phone("+18668630511") == "1-866-863-0511"
        assert _render("{{ number|phone }}", number="+16135550142") == "613-555-0142"
        assert format_phone("") == ""


def test_addresses_are_written_as_canada_post_does_in_each_language():
    agency = Agency(street_address="100, rue Main", city="Ottawa", postal_code="K1K 0V4")
    with translation.override("fr"):
        assert format_address(agency) == ("100, rue Main", "Ottawa (Ontario)\xa0\xa0K1K\xa00V4")
        assert _render('{{ agency|address:"line" }}', agency=agency) == (
            "100, rue Main, Ottawa (Ontario)\xa0\xa0K1K\xa00V4"
        )
        assert _render("{{ agency|address }}", agency=agency) == (
            "100, rue Main<br>Ottawa (Ontario)\xa0\xa0K1K\xa00V4"
        )
        gatineau = Agency(street_address="", city="Gatineau", postal_code="J8X 3X7")
        assert format_address(gatineau) == ("Gatineau (Québec)\xa0\xa0J8X\xa03X7",)
    with translation.override("en"):
        assert format_address(agency)[1] == "Ottawa, Ontario\xa0\xa0K1K\xa00V4"


@pytest.mark.django_db
def test_the_postal_code_error_is_in_the_page_language():
    for language, expected in (
        ("fr", "Entrez un code postal canadien, par exemple K1K 0V4."),
        ("en", "Enter a Canadian postal code, such as K1K 0V4."),
    ):
        with translation.override(language):
            form = ParticipantForm(data={"postal_code": "12345"})
            assert form.errors["postal_code"] == [expected]


# --- The French catalog against FRENCH.md -------------------------------------------------

# What FRENCH.md's "never" column and the issue ban, anywhere in a French message.
BANNED = [
    "e-mail",
    "n°",
    "volet autochtone",
    "renvoyé au tribunal",
    "renvoyer au tribunal",
    "non-conformité",
    "non conforme",
    "peine avec sursis",
    "cautionnement",
    "date de retour au tribunal",
    "informations personnelles",
    "aiguillage",
    "intervenant auprès des partenaires",
    "sûr(e)",
    "(e)",
]
# A man's title alone: each must come with its feminine in the same message.
DOUBLETS = {
    r"\banimateurs?\b": r"\banimatrices?\b",
    r"\bintervenants?\b": r"\bintervenantes?\b",
    r"\bagents?\b": r"\bagentes?\b",
    r"\badministrateurs?\b": r"\badministratrices?\b",
}


def _french_messages():
    with FRENCH.open("rb") as file:
        for message in read_po(file):
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                yield message.id, string


def test_the_french_catalog_uses_none_of_the_banned_terms():
    found = [
        (term, string)
        for _, string in _french_messages()
        for term in BANNED
        if term in string.lower()
    ]
    assert found == []


def test_the_french_catalog_names_roles_with_both_genders():
    found = [
        string
        for _, string in _french_messages()
        for masculine, feminine in DOUBLETS.items()
        if re.search(masculine, string, re.I) and not re.search(feminine, string, re.I)
    ]
    assert found == []


def test_the_french_catalog_follows_canadian_typography():
    """A non-breaking space before « : » and inside « », none before ; ! ?; « no », not « n° »."""
    found = [
        string
        for _, string in _french_messages()
        if re.search(r"[^\xa0]:(\s|$)", string)
        or re.search(r"«[^\xa0]|[^\xa0]»", string)
        or re.search(r"\s[;!?]", string)
    ]
    assert found == []


def test_home_is_the_dashboard_beside_the_intake_queue():
    with translation.override("fr"):
        assert translation.gettext("Home") == "Tableau de bord"
        assert translation.gettext("Intake queue") == "File d'accueil"
        assert translation.gettext("Name and title") == "Nom et fonction"
        assert "Programme IPIV" in translation.gettext("IPIV — Indigenous program") + (
            translation.gettext(
                "Only an Indigenous-led agency can offer the Indigenous program (IPIV)."
            )
        )


# --- Documents and emails ------------------------------------------------------------------


@pytest.mark.django_db
def test_documents_are_printed_on_letter_paper(client, world):
    for document in (world.certificate, world.report):
        reader = PdfReader(io.BytesIO(document_pdf(document)))
        box = reader.pages[0].mediabox
        assert sorted((round(box.width), round(box.height))) == [612, 792], document
    client.force_login(world["intake"])
    response = client.get(f"/fr/a/{world.agency.slug}/fees/receipts/{world.payment.pk}/")
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)


@pytest.mark.django_db
def test_a_french_certificate_writes_colons_and_dates_the_french_way(world):
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(document_pdf(world.certificate))).pages
    )
    assert "Code de vérification\xa0:" in text or "Code de vérification :" in text
    assert "1er septembre 2026" in text
    assert "Nom et fonction" in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_email_declares_its_own_language(world, language):
    assert email_enqueue(
        to="someone@example.org",
        template="invitation",
        context={"invitation": world.invitation, "url": "https://example.org/x", "days": 7},
        language=language,
        key=f"account:invitation:{language}",
    )
    message = OutboxMessage.objects.get(key=f"account:invitation:{language}")
    assert f'<html lang="{language}">' in message.body_html


@pytest.mark.django_db
def test_a_referral_received_today_says_today_not_0_days(client, world):
    from django.utils import timezone

    from tests.conftest import make_referral

    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Alexandre Côté", "date_of_birth": date(1990, 5, 5)},
        court_file_number="4811-998-26-00099",
        received_on=timezone.localdate(),
    )
    client.force_login(world["intake"])
    page = client.get(f"/fr/a/{world.agency.slug}/referrals/{referral.pk}/").content.decode()
    assert "Reçu aujourd'hui" in page
    assert "il y a 0 jour" not in page
    queue = client.get(f"/fr/a/{world.agency.slug}/referrals/").content.decode()
    assert "0 jour sans contact" not in queue
    assert "Reçu aujourd'hui" in queue
