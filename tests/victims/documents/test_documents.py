"""What a partner-contact worker prints for a person: a version of their safety plan, discreet
unless the worker asks for the agency's name and phone, and the letters of the program notices,
refused where the person's safe-contact rules do not allow a letter. Both in the person's
language, read back from the PDF; each download audited; nobody else prints them."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from directory.models import Agency
from ipv.audit.models import AuditEvent
from referrals.models import Status
from tests.victims.documents.conftest import program_at
from victims.models import LetterPrinted, Victim
from victims.services import outreach

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("America/Toronto"))

# Whatever would say whose plan it is or why: the agency (in both languages), its phone, the
# program, the participant, the court file, the person's own name and address, the word.
TELLTALES = re.compile(
    r"Rivière|River Services|613-555-0100|IPV|IPIV|Partner Assault|partenaires violents"
    r"|program|Jean-Marc|Tremblay|4811-998|Claire|Dubois|Érables|victim",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def plan_url(world, *, slug=None, pk=None, number=None, language="en"):
    pk, number = pk or world.victim.pk, number or world.plan.number
    return f"/{language}/a/{slug or world.agency.slug}/outreach/people/{pk}/plan/{number}/pdf/"


def letter_url(world, kind="start", *, slug=None, pk=None, language="en"):
    pk = pk or world.victim.pk
    return f"/{language}/a/{slug or world.agency.slug}/outreach/people/{pk}/letters/{kind}/"


def read_pdf(response) -> tuple[str, str]:
    """The words of the PDF (blanks made one space), and all its metadata in one string."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    metadata = " ".join(f"{key}={value}" for key, value in (reader.metadata or {}).items())
    if reader.xmp_metadata is not None:
        metadata += reader.xmp_metadata.stream.get_data().decode()
    return text, metadata


def allow_letters(world, victim=None):
    return outreach.rules_set(
        victim=victim or world.victim, by=world["partner_contact"], channels=["phone", "letter"]
    )


def english_person(world, **details):
    return outreach.person_add(
        agency=world.agency,
        referral=world.referral,
        by=world["partner_contact"],
        relationship="current_partner",
        full_name="Emma Walsh",
        language="en",
        address="45 Elm Street\nOttawa, Ontario  K2P 1L4",
        **details,
    )


# --- Who may print ---------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, world):
    for url in (plan_url(world), letter_url(world)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_another_agencys_worker_gets_404_for_the_first_agencys_people(client, world):
    allow_letters(world)
    client.force_login(world["other_partner_contact"])
    for url in (plan_url(world, slug="lakehead"), letter_url(world, slug="lakehead")):
        assert client.get(url).status_code == 404
    assert not LetterPrinted.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_EXPORTED).exists()


@pytest.mark.parametrize("persona", ["facilitator", "intake"])
def test_case_workers_and_facilitators_are_refused(client, world, persona):
    allow_letters(world)
    client.force_login(world[persona])
    for url in (plan_url(world), letter_url(world)):
        assert client.get(url).status_code == 403
    assert not LetterPrinted.objects.exists()


def test_a_manager_prints_only_where_the_agency_grants_confidential_access(client, world):
    client.force_login(world["manager"])
    assert client.get(plan_url(world)).status_code == 403
    Agency.objects.filter(pk=world.agency.pk).update(managers_see_confidential=True)
    read_pdf(client.get(plan_url(world)))


def test_a_plan_version_or_a_letter_that_does_not_exist_is_404(client, world):
    client.force_login(world["partner_contact"])
    assert client.get(plan_url(world, number=2)).status_code == 404
    assert client.get(letter_url(world, kind="reminder")).status_code == 404
    # Another person's version number is not this person's.
    other = english_person(world)
    assert client.get(plan_url(world, pk=other.pk)).status_code == 404


# --- The discreet plan -----------------------------------------------------------------------


def test_a_french_speaking_persons_plan_prints_in_french_with_its_sections_in_order(client, world):
    client.force_login(world["partner_contact"])
    text, metadata = read_pdf(client.get(plan_url(world)))
    assert text.startswith("Mon plan Mis à jour le 1er décembre 2026 Signes avant-coureurs ")
    headings = [
        "Signes avant-coureurs Il boit le vendredi.",
        "Endroits sûrs où aller",
        "Personnes et numéros à appeler",
        "Documents et objets à garder prêts",
        "Enfants",
        "Sécurité technologique",
        "Mot de code et ce qu'il signifie",
    ]
    positions = [text.find(heading) for heading in headings]
    assert -1 not in positions, text
    assert positions == sorted(positions)
    assert "/Title=Mon plan" in metadata


def test_an_english_speaking_persons_plan_prints_in_english(client, world):
    emma = english_person(world)
    outreach.plan_save(victim=emma, by=world["partner_contact"], safe_places="My sister's.")
    client.force_login(world["partner_contact"])
    response = client.get(plan_url(world, pk=emma.pk, number=1))
    text, metadata = read_pdf(response)
    assert text.startswith("My plan Updated 1 Dec 2026 Warning signs Safe places to go ")
    assert "Safe places to go My sister's. People and numbers to call" in text
    assert "Code word and what it means" in text
    assert "/Title=My plan" in metadata


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_discreet_plan_says_nothing_of_whose_plan_it_is_nor_why(client, world, language):
    if language == "en":
        Victim.objects.filter(pk=world.victim.pk).update(language="en")
    client.force_login(world["partner_contact"])
    response = client.get(plan_url(world))
    text, metadata = read_pdf(response)
    assert "Il boit le vendredi." in text  # the plan itself is there: the check can fail
    assert not TELLTALES.search(text), TELLTALES.search(text)
    assert not TELLTALES.search(metadata), metadata
    for field in ("/Author", "/Subject", "/Keywords"):
        assert field not in metadata
    assert response["Content-Disposition"] == 'attachment; filename="plan-2026-12-01.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_asked_for_the_plan_names_the_agency_and_its_phone_and_nothing_more(client, world):
    client.force_login(world["partner_contact"])
    response = client.get(plan_url(world) + "?agency=1")
    text, metadata = read_pdf(response)
    assert "Services Rivière — 613-555-0100" in text
    rest = text.replace("Services Rivière — 613-555-0100", "")
    assert not TELLTALES.search(rest), TELLTALES.search(rest)
    assert not TELLTALES.search(metadata), metadata
    assert response["Content-Disposition"] == 'attachment; filename="plan-2026-12-01.pdf"'


# --- Letters ---------------------------------------------------------------------------------


def test_a_letter_is_written_to_the_person_in_french_with_the_agencys_letterhead(client, world):
    allow_letters(world)
    client.force_login(world["partner_contact"])
    response = client.get(letter_url(world, "start"))
    text, _metadata = read_pdf(response)
    assert text.startswith("Services Rivière 100 Main Street, Ottawa (Ontario) K1P 5J3 ")
    assert "Téléphone : 613-555-0100" in text or "Téléphone\xa0: 613-555-0100" in text
    assert "Ottawa, le 1er décembre 2026" in text
    assert "Bonjour Claire Dubois," in text
    assert "Jean-Marc Tremblay a commencé le Programme d’intervention auprès des partenaires" in (
        text.replace("'", "’")
    )
    assert "(Programme IPV)" in text
    assert "Claire Dubois 12, rue des Érables Ottawa (Ontario) K1N 5T5" in text
    assert "S’il n’est pas sécuritaire pour vous de recevoir du courrier à cette adresse" in (
        text.replace("'", "’")
    )
    assert response["Content-Disposition"] == 'attachment; filename="letter-2026-12-01.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_an_english_speaking_person_gets_an_english_letter_and_its_printing_is_recorded(
    client, world
):
    emma = allow_letters(world, english_person(world))
    program_at(world, Status.COMPLETED)
    client.force_login(world["partner_contact"])
    text, _metadata = read_pdf(client.get(letter_url(world, "completion", pk=emma.pk)))
    assert text.startswith("River Services 100 Main Street, Ottawa, Ontario K1P 5J3 ")
    assert "Phone: 613-555-0100" in text
    assert "Ottawa, 1 Dec 2026" in text
    assert "Dear Emma Walsh," in text
    assert (
        "Jean-Marc Tremblay has completed the Partner Assault Response program (IPV program)."
        in text
    )
    assert "Emma Walsh 45 Elm Street Ottawa, Ontario K2P 1L4" in text
    assert (
        "If it is not safe for you to receive mail at this address, call us at 613-555-0100" in text
    )
    letter = LetterPrinted.objects.get()
    assert (letter.victim, letter.kind, letter.language) == (emma, "completion", "en")
    assert letter.by == world["partner_contact"]


def test_a_letter_the_rules_do_not_allow_is_refused_then_printed_once_they_do(client, world):
    client.force_login(world["partner_contact"])
    # Phone calls only, until the worker records otherwise.
    refused = client.get(letter_url(world, "start"))
    assert refused.status_code == 200
    assert refused["Content-Type"].startswith("text/html")
    page = refused.content.decode()
    assert "This letter cannot be printed" in page
    assert "Their safe-contact rules do not allow this channel: letter." in page
    assert "no-store" in refused["Cache-Control"]
    assert not LetterPrinted.objects.exists()

    allow_letters(world)
    read_pdf(client.get(letter_url(world, "start")))
    assert LetterPrinted.objects.filter(victim=world.victim, kind="start").count() == 1


def test_no_letter_without_a_mailing_address(client, world):
    outreach.person_update(victim=allow_letters(world), by=world["partner_contact"], address="")
    client.force_login(world["partner_contact"])
    page = client.get(letter_url(world, "start")).content.decode()
    assert "There is no mailing address for this person." in page
    assert not LetterPrinted.objects.exists()


def test_withdrawn_consent_stops_the_notices_but_a_discharge(client, world):
    allow_letters(world)
    outreach.consent_record(
        victim=world.victim,
        by=world["partner_contact"],
        topic="contact",
        given=False,
        how="phone",
        on=NOW.date(),
    )
    client.force_login(world["partner_contact"])
    for kind, status in (("start", Status.ENROLLED), ("completion", Status.COMPLETED)):
        program_at(world, status)
        page = client.get(letter_url(world, kind)).content.decode()
        assert "This person withdrew their consent to be contacted." in page
    program_at(world, Status.DISCHARGED)
    read_pdf(client.get(letter_url(world, "discharge")))
    assert list(LetterPrinted.objects.values_list("kind", flat=True)) == ["discharge"]


def test_do_not_contact_stops_even_a_discharge_notice(client, world):
    outreach.rules_set(
        victim=world.victim,
        by=world["partner_contact"],
        channels=["letter"],
        do_not_contact=True,
    )
    program_at(world, Status.DISCHARGED)
    client.force_login(world["partner_contact"])
    page = client.get(letter_url(world, "discharge")).content.decode()
    assert "This person must not be contacted." in page
    assert not LetterPrinted.objects.exists()


def test_the_letter_service_reads_the_rules_as_they_are_now_not_as_the_caller_read_them(world):
    stale = allow_letters(world)
    outreach.rules_set(victim=world.victim, by=world["partner_contact"], channels=["phone"])
    with pytest.raises(ValidationError):
        outreach.letter_printed(
            victim=stale, by=world["partner_contact"], kind="start", language="fr"
        )
    with pytest.raises(ValidationError):
        outreach.letter_printed(
            victim=allow_letters(world), by=world["partner_contact"], kind="reminder", language="fr"
        )
    assert not LetterPrinted.objects.exists()


# --- The audit trail ---------------------------------------------------------------------------


def test_each_download_is_one_audit_event_naming_the_record_never_its_content(client, world):
    allow_letters(world)
    client.force_login(world["partner_contact"])
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_EXPORTED)
    read_pdf(client.get(plan_url(world)))
    assert exports.count() == 1
    read_pdf(client.get(letter_url(world, "start")))
    assert exports.count() == 2
    for event in exports:
        assert event.actor == world["partner_contact"]
        assert event.agency == world.agency
        assert (event.target_type, event.target_id) == ("victims.victim", str(world.victim.pk))
        assert event.details == {"rows": 1}
        assert "Claire" not in event.target_label + str(event.target_labels)


def test_a_refused_letter_is_audited_as_a_read_not_a_download(client, world):
    client.force_login(world["partner_contact"])
    client.get(letter_url(world, "start"))
    event = AuditEvent.objects.get(target_type="victims.victim")
    assert event.action == AuditEvent.Action.RECORD_READ
    assert event.target_id == str(world.victim.pk)


# --- The controls the person's record shows ----------------------------------------------------


def test_the_print_form_asks_by_a_labelled_checkbox_for_the_agency(world):
    request = RequestFactory().get("/")
    request.agency = world.agency
    with translation.override("en"):
        html = render_to_string(
            "victims/_plan_print.html",
            {"victim": world.victim, "plan": world.plan},
            request=request,
        )
    assert f'action="/en/a/riviere/outreach/people/{world.victim.pk}/plan/1/pdf/"' in html
    assert 'method="get"' in html
    assert 'name="agency"' in html and 'value="1"' in html
    assert 'for="plan-1-agency"' in html and 'id="plan-1-agency"' in html


@pytest.mark.parametrize(
    ("kind", "status"),
    [("start", Status.RECEIVED), ("completion", Status.ENROLLED), ("discharge", Status.ENROLLED)],
)
def test_a_letter_that_would_say_something_untrue_is_refused(client, world, kind, status):
    allow_letters(world)
    program_at(world, status)
    client.force_login(world["partner_contact"])
    page = client.get(letter_url(world, kind)).content.decode()
    assert "The participant&#x27;s program is not where this letter says it is." in page
    assert not LetterPrinted.objects.exists()
    # Positive control: the letter that is true of the program prints.
    program_at(
        world,
        {"start": Status.ENROLLED, "completion": Status.COMPLETED}.get(kind, Status.DISCHARGED),
    )
    read_pdf(client.get(letter_url(world, kind)))


def test_a_person_who_refused_updates_gets_no_start_or_completion_letter(client, world):
    allow_letters(world)
    outreach.consent_record(
        victim=world.victim,
        by=world["partner_contact"],
        topic="updates",
        given=False,
        how="phone",
        on=NOW.date(),
    )
    client.force_login(world["partner_contact"])
    page = client.get(letter_url(world, "start")).content.decode()
    assert "This person withdrew their consent to updates on the program." in page
    program_at(world, Status.DISCHARGED)
    read_pdf(client.get(letter_url(world, "discharge")))
