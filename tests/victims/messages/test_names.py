"""What an update says: unless the person's rules allow it, nothing that tells what it is about
(the program's names in either language, the agency's name, "violence"), only the agency's
phone; and never the participant's name, even when the program may be named."""

import re

import pytest

from ipv.notifications.services import render_email, render_text
from tests.victims.messages.conftest import PARTICIPANT, allow, consume, messages_to

pytestmark = pytest.mark.django_db

# What would give the message away, in either language.
REVEALING = [
    "IPV",
    "IPIV",
    "PAR",
    "Partner Assault",
    "partenaires",
    "Programme",
    "program",
    "violen",
    "River Services",
    "Services Rivière",
]
NAMES = ["Marc-André", "Marc", "André", "Poirier"]


def found(words, text) -> list[str]:
    return [word for word in words if re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE)]


def rendered(context, language) -> list[str]:
    subject, text, html = render_email("victim_update", context, language)
    return [subject, text, html, render_text("victim_update", context, language)]


def context(**changes):
    return {
        "phone": "613-555-0100",
        "named": False,
        "program": "ipv",
        "news": "completed",
    } | changes


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("program", ["ipv", "ipiv"])
@pytest.mark.parametrize("news", ["intake_done", "enrolled", "completed"])
def test_unless_allowed_the_message_names_nothing_but_the_agencys_phone(language, program, news):
    for body in rendered(context(program=program, news=news), language):
        assert found(REVEALING + NAMES, body) == []
    assert "613-555-0100" in rendered(context(), language)[1]
    # The control: the same words are found when the program may be named.
    named = rendered(context(named=True, program=program, news=news), language)
    assert all(found(["program", "Programme"], body) for body in named)


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("en", "Partner Assault Response program"),
        ("fr", "Programme d'intervention auprès des partenaires violents"),
    ],
)
def test_when_allowed_it_names_the_program_in_the_readers_language(language, name):
    subject, text, _html, sms = rendered(context(named=True), language)
    assert subject == name
    assert name in text and name in sms


def test_the_indigenous_program_is_named_for_an_ipiv_referral():
    _subject, text, _html, sms = rendered(context(named=True, program="ipiv"), "en")
    assert "Indigenous Intimate Partner Violence program" in text
    assert "Partner Assault" not in sms


def test_the_message_written_never_names_the_participant_nor_the_program(world, referral, sophie):
    allow(world, sophie, channels=["email"])
    consume()
    (message,) = messages_to(sophie)
    bodies = [message.subject, message.body_text, message.body_html]
    assert all(body for body in bodies)  # the control: there is something to read
    assert [found(REVEALING + NAMES, body) for body in bodies] == [[], [], []]
    assert PARTICIPANT not in "".join(bodies)


def test_a_person_who_allows_it_reads_the_program_never_the_participant(world, referral, sophie):
    allow(world, sophie, channels=["text"], may_name_program=True)
    consume()
    (message,) = messages_to(sophie)
    assert "Programme d'intervention auprès des partenaires violents" in message.body_text
    assert found(NAMES, message.body_text) == []
    assert message.segments <= 4
