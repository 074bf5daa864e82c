"""Demo referrals of the first agency, one or more in every status reachable before groups,
each taken there through the services (so each has its history), and one waiting for the second
agency to accept its transfer. Here, above every app, because a referral names people in the
confidential store and a return to the court gets its notice from sessions_app. The first
agency works in French: what it writes is French. Keyed on the court file number: loading twice
leaves the same rows."""

from datetime import timedelta

from django.utils import timezone

from directory.models import Agency, Court
from ipv.accounts.models import User
from referrals.models import Intake, Referral
from referrals.services import intake
from sessions_app.services import program
from victims.services import e_referral_submit_naming, referral_create_naming

# (file number, legal name, preferred name, birth date, language, stream, order, steps)
PEOPLE = [
    (
        "4811-998-26-00101",
        "Jean-Marc Tremblay",
        "",
        "1984-03-02",
        "fr",
        "early_intervention",
        "release_order",
        [],
    ),
    (
        "4811-998-26-00102",
        "Kevin O'Brien",
        "Kev",
        "1990-07-21",
        "en",
        "coordinated_prosecution",
        "probation_order",
        ["contact"],
    ),
    (
        "4811-998-26-00103",
        "Éric Lévesque",
        "",
        "1978-11-30",
        "fr",
        "coordinated_prosecution",
        "probation_order",
        ["contact", "book"],
    ),
    (
        "4811-998-26-00104",
        "Daniel Wright",
        "Dan",
        "1995-01-14",
        "en",
        "early_intervention",
        "undertaking",
        ["book", "record"],
    ),
    (
        "4811-998-26-00105",
        "Mathieu Bélanger",
        "",
        "1988-05-09",
        "fr",
        "early_intervention",
        "release_order",
        ["book", "record", "waitlist"],
    ),
    (
        "4811-998-26-00106",
        "Samuel Okafor",
        "Sam",
        "1982-09-17",
        "en",
        "coordinated_prosecution",
        "conditional_sentence",
        ["book", "ineligible"],
    ),
    (
        "4811-998-26-00107",
        "Luc Gagnon",
        "",
        "1975-12-03",
        "fr",
        "other",
        "peace_bond",
        ["contact", "withdraw"],
    ),
    (
        "4811-998-26-00108",
        "Jean Marc Tremblay",
        "",
        "1984-03-02",
        "fr",
        "coordinated_prosecution",
        "probation_order",
        [],
    ),
    (
        "4811-998-26-00113",
        "Ryan Fontaine",
        "",
        "1992-08-26",
        "en",
        "early_intervention",
        "release_order",
        ["contact", "transfer"],
    ),
]


def _step(referral, step, worker):
    if step == "contact":
        program.referral_transition(
            referral=referral, name="contact", by=worker, reason="Joint par téléphone."
        )
    elif step == "book":
        intake.intake_book(
            referral=referral,
            by=worker,
            scheduled_at=timezone.now() + timedelta(days=2, hours=1),
            mode=Intake.Mode.IN_PERSON,
            location=referral.agency.street_address,
        )
    elif step in ("record", "ineligible"):
        eligible = step == "record"
        program.intake_record(
            referral=referral,
            by=worker,
            held_on=timezone.localdate(),
            eligibility="eligible" if eligible else "ineligible",
            court_reason="" if eligible else "Nie l'infraction; le tribunal décidera de la suite.",
            consents={"program_agreement": timezone.localdate()} if eligible else {},
            notes="Attentif; travaille de nuit, préfère un groupe du soir.",
        )
    elif step == "waitlist":
        program.referral_transition(
            referral=referral,
            name="waitlist",
            by=worker,
            reason="Le prochain groupe du soir est complet.",
        )
    elif step == "transfer":
        # Waiting for the second agency: its manager can try accepting or declining it.
        program.transfer_request(
            referral=referral,
            by=worker,
            to_agency=Agency.objects.get(slug="lakehead-healing"),
            reason="Déménage à Thunder Bay pour un emploi; suivra le programme en anglais.",
            consent_signed_on=timezone.localdate(),
        )
    elif step == "withdraw":
        program.referral_transition(
            referral=referral,
            name="withdraw",
            by=worker,
            reason="Accusations retirées par la Couronne.",
        )


def load() -> None:
    agency = Agency.objects.get(slug="riviere-des-outaouais")
    court = Court.objects.get(slug="ottawa")
    worker = User.objects.get(email="intake@demo.ipv.test")
    officer = User.objects.get(email="liaison@demo.ipv.test")
    today = timezone.localdate()
    for number, (file_number, name, preferred, born, language, stream, order, steps) in enumerate(
        PEOPLE
    ):
        if Referral.objects.filter(agency=agency, court_file_number=file_number).exists():
            continue
        person = {
            "legal_name": name,
            "preferred_name": preferred,
            "date_of_birth": born,
            "language": language,
            "phone": f"+1613555{2000 + number:04d}",
            "city": "Ottawa",
            "consent_email": False,
        }
        details = {
            "program": "ipv",
            "stream": stream,
            "source_order": order,
            "court": court,
            "court_file_number": file_number,
            "charges": "Voies de fait (art. 266)",
            "order_date": today - timedelta(days=10 + number),
            "return_court_date": today + timedelta(weeks=18),
            "complete_by": today + timedelta(weeks=16 + number),
            "source": "court",
            "referrer_name": "Louis Bélanger",
            "referrer_organisation": "Tribunal chargé des causes de violence familiale, Ottawa",
        }
        named = [{"relationship": "victim", "full_name": f"Victime fictive {number}"}]
        if number == 0:
            referral = e_referral_submit_naming(
                officer=officer,
                agency=agency,
                participant=person,
                order=details,
                named_people=named,
            )
        else:
            details["received_on"] = today - timedelta(days=9 - number)
            referral = referral_create_naming(
                agency=agency, by=worker, participant=person, order=details, named_people=named
            )
        for step in steps:
            _step(referral, step, worker)
