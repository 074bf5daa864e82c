"""Text messages: the segments a body costs (French keeps its accents), and the numbers that
can receive one."""

import pytest

from ipv.notifications.texts import (
    NoProviderBackend,
    NoTextProvider,
    canadian_mobile_number,
    text_size,
)


@pytest.mark.parametrize(
    ("body", "encoding", "units", "segments"),
    [
        ("a" * 160, "gsm", 160, 1),
        ("a" * 161, "gsm", 161, 2),
        ("a" * 306, "gsm", 306, 2),
        ("a" * 307, "gsm", 307, 3),
        ("ê" * 70, "ucs2", 70, 1),
        ("ê" * 71, "ucs2", 71, 2),
        ("ê" * 134, "ucs2", 134, 2),
        ("ê" * 135, "ucs2", 135, 3),
        # é, è, à, ù are in the GSM alphabet; ê, ç, â are not.
        ("Séance mardi à 18 h 30, après le café", "gsm", 37, 1),
        ("Votre séance est prête", "ucs2", 22, 1),
        ("Reçu", "ucs2", 4, 1),
        # The extension table's characters take two septets.
        ("Frais : 10 €", "gsm", 13, 1),
        ("€" * 80, "gsm", 160, 1),
        ("€" * 81, "gsm", 162, 2),
        # Outside the basic plane: two UTF-16 units.
        ("🙂", "ucs2", 2, 1),
    ],
)
def test_text_size(body, encoding, units, segments):
    size = text_size(body)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("613-555-0142", "+16135550142"),
        ("(613) 555-0142", "+16135550142"),
        ("+1 416 555 0100", "+14165550100"),
        ("1-613-555-0142", "+16135550142"),
        # Toll-free, foreign, too short, not a number.
        ("1-800-555-0199", None),
        ("+1 888 555 0199", None),
        ("+1 212 555 0142", None),
        ("+33 6 12 34 56 78", None),
        ("613-555-014", None),
        ("hello", None),
        ("", None),
    ],
)
def test_canadian_mobile_number(number, expected):
    assert canadian_mobile_number(number) == expected


def test_without_a_provider_every_text_fails_visibly():
    with pytest.raises(NoTextProvider):
        NoProviderBackend().send_messages([object()])
