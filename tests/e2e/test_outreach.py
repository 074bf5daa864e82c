"""Outreach in the browser, in French, through axe on every page: a court's referral accepted
becomes a task for the partner-contact worker, who records the person's consent and safe-contact
rules, logs a call (a text the rules forbid is refused first, with the reason and nothing typed
lost), writes a safety plan and prints it discreetly; a facilitator raises a concern from the
roster and it becomes an urgent task; a discharge becomes a notice to give; and the person's
record shows who has read it. Then the same again as the application role, under row-level
security."""

import re
from datetime import date, datetime, time, timedelta

import time_machine
from django.db import connection
from django.utils import formats, timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from referrals.models import Consent, Intake
from referrals.services.intake import intake_book
from referrals.services.referrals import e_referral_accept
from sessions_app.services.enrollment import enroll
from sessions_app.services.program import intake_record, referral_transition
from tests.conftest import ORDER, PERSON
from tests.e2e.test_signed_in_pages import sign_in
from victims.models import OutreachTask, Victim
from victims.models.outreach import TaskKind
from victims.rls import confidential
from victims.services import e_referral_submit_naming

PARTICIPANT = {
    "legal_name": "Gabriel Lefebvre",
    "date_of_birth": date(1987, 8, 21),
    "language": "fr",
    "phone": "+16135550111",
}
# The person the order names: her language is set by the partner-contact worker.
EMILIE = {"relationship": "victim", "full_name": "Émilie Gauthier", "phone": "+16135550177"}
COURT_FILE = "4811-998-26-00613"
NOTE = "Elle préfère un appel le matin, quand il est au travail."
WARNING_SIGNS = "Il appelle plusieurs fois la nuit."
CODE_WORD = "Tournesol : appeler le 911 sans rien dire."
CONCERN = "A dit en groupe ce soir qu'elle allait « le payer » en rentrant."


def named(label):
    """A field's label as shown, with the asterisk of a required field or without."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def _ten_in_the_morning(day):
    return datetime.combine(day, time(10, 0), tzinfo=timezone.get_default_timezone())


def _short_date(day):
    with translation.override("fr"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def _time(moment):
    with translation.override("fr"):
        return formats.time_format(moment, "TIME_FORMAT")


def _succeeded(page, text):
    expect(page.locator(".messages .alert-success")).to_contain_text(text)


def _open_task(referral, kind):
    with confidential(referral.agency_id):
        return OutreachTask.objects.get(referral=referral, kind=kind, state="open")


def _accepted_e_referral(world):
    """A court liaison officer's e-referral naming Émilie, accepted by the intake worker: the
    "accepted" milestone, read by the outreach consumer once its transaction commits."""
    referral = e_referral_submit_naming(
        officer=world["liaison"],
        agency=world.agency,
        participant={**PERSON, **PARTICIPANT},
        order={**ORDER, "court": world.court, "court_file_number": COURT_FILE},
        named_people=[EMILIE],
    )
    return e_referral_accept(referral=referral, by=world["intake"])


def _in_the_facilitators_group(world, referral):
    """Through intake (eligible, agreement signed) into world.group from today, as the intake
    worker's pages do it."""
    intake_book(
        referral=referral,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(hours=1),
        mode="in_person",
        location="100 Main Street",
    )
    today = timezone.localdate()
    intake_record(
        referral=referral,
        by=world["intake"],
        held_on=today,
        eligibility=Intake.Eligibility.ELIGIBLE,
        consents={Consent.Kind.PROGRAM_AGREEMENT: today},
    )
    enroll(referral=referral, group=world.group, start_date=today, by=world["intake"])


def test_outreach_follows_the_participant_from_acceptance_to_discharge_in_french(
    page, new_page, live_server, world, assert_accessible
):
    _from_acceptance_to_discharge(page, new_page, live_server.url, world, assert_accessible)


def test_the_same_flow_holds_under_row_level_security(
    page, new_page, live_server, world, as_app, assert_accessible
):
    """The same, with the site and the test connected as the application role (as in
    production): neither superuser nor exempt from row security, so the policies apply to
    every read and write of the confidential store, the live server's included (it shares
    Django's connection settings)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (as_app.role, False, False)
    _from_acceptance_to_discharge(page, new_page, live_server.url, world, assert_accessible)
    # Émilie's record is there for her agency; a query that names no agency reads nothing.
    with confidential(world.agency):
        assert Victim.objects.filter(agency=world.agency).count() == 1
    assert Victim.objects.filter(agency=world.agency).count() == 0


def _from_acceptance_to_discharge(page, new_page, base, world, assert_accessible):
    agency = f"/fr/a/{world.agency.slug}"
    # Ten in the morning on the day of the facilitator's group's second session (a Tuesday,
    # days ahead): inside the safe hours set below, and the roster is tonight's.
    session = world.group.sessions.order_by("date")[1]
    with time_machine.travel(_ten_in_the_morning(session.date), tick=True):
        referral = _accepted_e_referral(world)
        # Its consumer ran once the acceptance committed (Celery runs tasks inline in tests).
        accepted = _open_task(referral, TaskKind.ACCEPTED)
        assert accepted.assignee is None

        # The partner-contact worker finds the task on their home, among those nobody holds.
        worker = page
        sign_in(worker, base, "partner_contact@riviere.test")
        worker.get_by_role("navigation", name="Organisme").get_by_role(
            "link", name="Intervention auprès des victimes"
        ).click()
        expect(worker.get_by_role("heading", level=1)).to_have_text(
            "Intervention auprès des victimes"
        )
        unassigned = worker.get_by_role("table", name="Tâches non attribuées", exact=True)
        row = unassigned.get_by_role("row").filter(has_text="Émilie Gauthier")
        expect(row).to_contain_text("Renvoi accepté\u00a0: premier contact")
        expect(row).to_contain_text("Gabriel Lefebvre")
        assert_accessible(worker)

        # They take the referral's outreach on.
        row.get_by_role("link", name="Gabriel Lefebvre").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Gabriel Lefebvre")
        assert_accessible(worker)
        worker.get_by_role("button", name="Attribuer").click()
        _succeeded(worker, "Intervention attribuée.")
        assert_accessible(worker)
        worker.get_by_role("link", name="Émilie Gauthier").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Émilie Gauthier")
        assert_accessible(worker)

        # Her language: French (the order named her without one).
        worker.get_by_role("link", name="Modifier son identité ou ses coordonnées").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Identité et coordonnées")
        assert_accessible(worker)
        worker.get_by_label(named("Langue")).select_option("fr")
        worker.get_by_role("button", name="Enregistrer").click()
        _succeeded(worker, "Enregistré.")
        expect(worker.locator(".lead")).to_contain_text("Français")

        # Her consent to be contacted, given by phone today.
        worker.get_by_role("link", name="Consigner une réponse sur le consentement").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Consigner le consentement")
        assert_accessible(worker)
        worker.get_by_label(named("Consentement")).select_option("contact")
        worker.get_by_role("radio", name="Donné").check()
        worker.get_by_label(named("Comment")).select_option("phone")
        worker.get_by_role("button", name="Enregistrer").click()
        _succeeded(worker, "Enregistré.")
        consent = worker.get_by_role("region", name="Consentement", exact=True)
        expect(consent.get_by_role("table", name="Réponses données", exact=True)).to_contain_text(
            "Par téléphone"
        )
        assert_accessible(worker)

        # Her safe-contact rules: phone and letter, weekdays, from 9 to 5, a voicemail allowed.
        worker.get_by_role("link", name="Modifier les règles de contact sécuritaire").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Règles de contact sécuritaire")
        assert_accessible(worker)
        channels = worker.get_by_role("group", name="Moyens permis")
        expect(channels.get_by_label(named("Téléphone"))).to_be_checked()
        channels.get_by_label(named("Lettre")).check()
        days = worker.get_by_role("group", name="Jours sûrs")
        days.get_by_label(named("samedi")).uncheck()
        days.get_by_label(named("dimanche")).uncheck()
        worker.get_by_label(named("Moment sûr à partir de")).fill("09:00")
        worker.get_by_label(named("Moment sûr jusqu'à")).fill("17:00")
        worker.get_by_label(named("Un message vocal peut être laissé")).check()
        worker.get_by_label(named("Mot de code")).fill("Tournesol")
        worker.get_by_role("button", name="Enregistrer").click()
        _succeeded(worker, "Enregistré.")
        rules = worker.get_by_role("region", name="Règles de contact sécuritaire", exact=True)
        expect(rules).to_contain_text("Téléphone, Lettre")
        expect(rules).to_contain_text(f"De {_time(time(9))} à {_time(time(17))}")
        assert_accessible(worker)

        # A text message: her rules forbid it. The reason is on the page, in French, next to
        # the channel, and everything typed is still there.
        worker.get_by_role("link", name="Consigner un contact").first.click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Consigner un contact")
        assert_accessible(worker)
        worker.get_by_label(named("Moyen")).select_option("text")
        worker.get_by_label(named("Résultat")).select_option("reached")
        worker.get_by_label(named("Planification de la sécurité")).check()
        worker.get_by_label(named("Notes")).fill(NOTE)
        worker.get_by_label(named("Tâche accomplie par ce contact")).select_option(str(accepted.pk))
        worker.get_by_role("button", name="Consigner le contact").click()
        expect(worker.get_by_role("alert")).to_be_visible()
        expect(worker.locator("#id_channel")).to_have_attribute("aria-invalid", "true")
        expect(worker.locator("#id_channel_error")).to_have_text(
            "Ses règles de contact sécuritaire ne permettent pas ce moyen\xa0: texto."
        )
        expect(worker.get_by_label(named("Moyen"))).to_have_value("text")
        expect(worker.get_by_label(named("Résultat"))).to_have_value("reached")
        expect(worker.get_by_label(named("Planification de la sécurité"))).to_be_checked()
        expect(worker.get_by_label(named("Notes"))).to_have_value(NOTE)
        expect(worker.get_by_label(named("Tâche accomplie par ce contact"))).to_have_value(
            str(accepted.pk)
        )
        assert_accessible(worker)

        # A phone call logged at 8:30 this morning: before her safe hours, refused too.
        when = worker.get_by_label(named("Quand"))
        now_typed = when.input_value()
        worker.get_by_label(named("Moyen")).select_option("phone")
        when.fill(f"{session.date.isoformat()}T08:30")
        worker.get_by_role("button", name="Consigner le contact").click()
        expect(worker.locator("#id_channel_error")).to_have_text(
            "Ses règles de contact sécuritaire ne permettent de la joindre qu'entre "
            f"{_time(time(9))} et {_time(time(17))}."
        )
        expect(when).to_have_value(f"{session.date.isoformat()}T08:30")
        expect(worker.get_by_label(named("Notes"))).to_have_value(NOTE)
        assert_accessible(worker)

        # Now, by phone: logged, and it does the first-contact task.
        when.fill(now_typed)
        worker.get_by_role("button", name="Consigner le contact").click()
        _succeeded(worker, "Contact consigné.")
        contacts = worker.get_by_role("region", name="Contacts", exact=True)
        expect(contacts).to_contain_text("Téléphone")
        expect(contacts).to_contain_text("Jointe")
        expect(contacts).to_contain_text(NOTE)
        tasks = worker.get_by_role("region", name="Tâches", exact=True)
        expect(
            tasks.get_by_role("row").filter(has_text="Renvoi accepté\u00a0: premier contact")
        ).to_contain_text("Faite")
        assert_accessible(worker)

        # Her safety plan, its first version, and the version's page.
        worker.get_by_role("link", name="Rédiger le plan de sécurité").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Plan de sécurité")
        assert_accessible(worker)
        worker.get_by_label(named("Signes avant-coureurs")).fill(WARNING_SIGNS)
        worker.get_by_label(named("Endroits sûrs où aller")).fill("Chez sa sœur, rue Dalhousie.")
        worker.get_by_label(named("Mot de code et ce qu'il signifie")).fill(CODE_WORD)
        worker.get_by_role("button", name="Enregistrer une nouvelle version").click()
        _succeeded(worker, "Plan de sécurité enregistré dans une nouvelle version.")
        worker.get_by_role("region", name="Plan de sécurité", exact=True).get_by_role(
            "link", name="Version 1"
        ).click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Plan de sécurité, version 1")
        expect(worker.locator("main")).to_contain_text(WARNING_SIGNS)
        assert_accessible(worker)

        # Printed discreetly: titled "Mon plan", no agency named (the box left unticked).
        print_button = worker.get_by_role("button", name="Imprimer le plan (PDF)")
        expect(
            worker.get_by_label(named("Inclure le nom et le numéro de téléphone de l'organisme"))
        ).not_to_be_checked()
        with worker.expect_download() as download:
            print_button.click()
        text = "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
        assert "Mon plan" in text
        assert WARNING_SIGNS in text
        for name in ("Services Rivière", "River Services", "Gabriel Lefebvre", "Émilie"):
            assert name not in text, name
        response = worker.request.get(download.value.url)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert "no-store" in response.headers["cache-control"]

        # The participant goes through intake into the facilitator's group (the intake
        # worker's doing); a facilitator, in a browser of their own, raises a concern from
        # tonight's roster and sees nothing of Émilie.
        _in_the_facilitators_group(world, referral)
        facilitator = new_page(locale="fr-CA")
        sign_in(facilitator, base, "facilitator@riviere.test")
        facilitator.get_by_role("region", name="Prochaines séances", exact=True).get_by_role(
            "link", name=f"{_short_date(session.date)} — {world.group.name}"
        ).click()
        expect(facilitator.get_by_role("heading", level=1)).to_have_text("Présences")
        assert_accessible(facilitator)
        facilitator.get_by_role(
            "link", name="Inquiétude pour la sécurité d'une personne — Gabriel Lefebvre"
        ).click()
        expect(facilitator.get_by_role("heading", level=1)).to_have_text(
            "Inquiétude pour la sécurité d'une personne"
        )
        assert_accessible(facilitator)
        facilitator.get_by_label(named("Ce qui a été dit ou constaté")).fill(CONCERN)
        facilitator.get_by_role(
            "button",
            name="Transmettre à l'équipe d'intervention auprès des victimes et des partenaires",
        ).click()
        _succeeded(
            facilitator,
            "Votre inquiétude a été transmise à l'équipe d'intervention auprès des victimes "
            "et des partenaires.",
        )
        expect(facilitator.get_by_role("heading", level=1)).to_have_text("Présences")
        expect(facilitator.get_by_text("Émilie")).to_have_count(0)
        assert_accessible(facilitator)

        # Back with the partner-contact worker: an urgent task, due today, theirs.
        worker.goto(f"{base}{agency}/outreach/")
        today = worker.get_by_role("table", name="Mes tâches à faire aujourd'hui", exact=True)
        concern = today.get_by_role("row").filter(
            has_text="Inquiétude pour la sécurité d'une personne"
        )
        expect(concern).to_contain_text("Urgent")
        expect(concern).to_contain_text("Émilie Gauthier")
        assert_accessible(worker)

        # The intake worker flags the absences, then discharges him: a notice to give her.
        referral_transition(
            referral=referral,
            name="flag_non_compliance",
            by=world["intake"],
            reason="Trois absences sans motif.",
        )
        referral_transition(
            referral=referral,
            name="discharge",
            by=world["intake"],
            reason="Ne vient plus.",
            discharge_reason="absences",
        )
        worker.reload()
        upcoming = worker.get_by_role("table", name="Mes tâches à venir", exact=True)
        discharge = upcoming.get_by_role("row").filter(
            has_text="Exclusion du programme\u00a0: avis"
        )
        expect(discharge).to_contain_text("Avis obligatoire")
        expect(discharge).to_contain_text("Émilie Gauthier")
        assert_accessible(worker)

        # Her record: the program as outreach needs it, and who has read the record — the
        # partner-contact worker, reading and printing; never the facilitator.
        discharge.get_by_role("link", name="Émilie Gauthier").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Émilie Gauthier")
        expect(
            worker.get_by_role(
                "region", name="Le programme de la personne participante", exact=True
            )
        ).to_contain_text("Exclu du programme")
        readers = worker.get_by_role("region", name="Qui a consulté cette fiche", exact=True)
        expect(readers).to_contain_text("Patricia Lavoie")
        expect(readers).to_contain_text("imprimée ou exportée")
        expect(readers).not_to_contain_text("François Tremblay")
        assert_accessible(worker)
