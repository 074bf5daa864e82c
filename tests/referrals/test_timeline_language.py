"""The reasons the software writes in a referral's timeline read in the reader's language,
whatever the language of whoever acted; those written before the codes were kept too."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from referrals.models import TimelineEntry
from referrals.reasons import PLACED_IN_GROUP
from referrals.services.intake import intake_book

pytestmark = pytest.mark.django_db


def _page(client, world, language):
    url = f"/{language}/a/{world.agency.slug}/referrals/{world.referral.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    # French typography may put a non-breaking space before a colon.
    return response.content.decode().replace("\xa0", " ")


def test_a_reason_written_in_french_reads_in_english_on_an_english_page(client, world):
    with translation.override("fr"):
        intake_book(
            referral=world.referral,
            by=world["intake"],
            scheduled_at=timezone.now() + timedelta(days=2),
            mode="in_person",
        )
    entry = TimelineEntry.objects.get(referral=world.referral, kind="book_intake")
    assert (entry.reason, entry.reason_code) == ("", "intake_booked")
    client.force_login(world["intake"])
    english = _page(client, world, "en")
    assert '<p class="mb-0 timeline-reason">Intake booked</p>' in english
    assert "Entrevue d'accueil fixée" not in english
    french = _page(client, world, "fr")
    assert '<p class="mb-0 timeline-reason">Entrevue d&#x27;accueil fixée</p>' in french


def test_and_one_written_in_english_reads_in_french_on_a_french_page(client, world):
    with translation.override("en"):
        TimelineEntry.objects.create(
            agency=world.agency,
            referral=world.referral,
            kind="enroll",
            by=world["intake"],
            reason_code=PLACED_IN_GROUP,
            reason_params={"group": "Mardi soir"},
        )
    client.force_login(world["intake"])
    assert "Placé dans le groupe Mardi soir." in _page(client, world, "fr")
    assert "Placed in the group Mardi soir." in _page(client, world, "en")


def test_old_lines_with_the_sentence_frozen_in_the_actors_language_are_worded_again(client, world):
    for kind, reason in (
        ("enroll", "Placé dans le groupe Mardi soir."),
        ("flag_non_compliance", "3 absences: the agency's limit is 3."),
    ):
        TimelineEntry.objects.create(
            agency=world.agency,
            referral=world.referral,
            kind=kind,
            by=world["intake"],
            reason=reason,
        )
    client.force_login(world["intake"])
    english = _page(client, world, "en")
    assert "Placed in the group Mardi soir." in english
    assert "Placé dans le groupe" not in english
    french = _page(client, world, "fr")
    assert "3 absences : la limite de l&#x27;organisme est de 3." in french


def test_what_a_person_wrote_stays_as_written(client, world):
    TimelineEntry.objects.create(
        agency=world.agency,
        referral=world.referral,
        kind="contact",
        by=world["intake"],
        reason="Placé dans le groupe du mardi, à sa demande.",
    )
    client.force_login(world["intake"])
    assert "Placé dans le groupe du mardi, à sa demande." in _page(client, world, "en")
