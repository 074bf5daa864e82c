"""Text messages: numbers that can receive them, and how many segments a body costs.

A text is sent in segments: 160 characters of the GSM 03.38 alphabet each (153 when there are
several), or 70 UTF-16 units (67) when one character is outside it. French keeps its accents:
é, è, à and ù are in the alphabet, but ê, â, î, ô, û, ç and ë are not, and they turn the whole
message into the 70-character kind.
"""

import math
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
import phonenumbers

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
# Longer texts are refused when written: a reminder is a few lines, not a letter.
MAX_SEGMENTS = 4


@dataclass(frozen=True)
class TextSize:
    encoding: str  # "gsm" or "ucs2"
    units: int  # septets, or UTF-16 code units
    segments: int


def text_size(body: str) -> TextSize:
    """The encoding, length and segment count a provider will bill for `body`."""
    try:
        # Characters of the extension table (€ [ ] { } …) take two septets, as the codec says.
        units, encoding, single, part = len(body.encode("gsm03.38")), "gsm", GSM_SINGLE, GSM_PART
    except UnicodeEncodeError:
        units = len(body.encode("utf-16-le")) // 2
        encoding, single, part = "ucs2", UCS2_SINGLE, UCS2_PART
    segments = 1 if units <= single else math.ceil(units / part)
    return TextSize(encoding=encoding, units=units, segments=segments)


def canadian_mobile_number(number) -> str | None:
    """The E.164 form of a valid Canadian number that can take texts, or None."""
    try:
        parsed = phonenumbers.parse(str(number), "CA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(parsed, "CA"):
        return None
    # Canada does not tell mobile from fixed lines by number: FIXED_LINE_OR_MOBILE is normal.
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class NoTextProvider(RuntimeError):
    """No text message provider is configured (SMS_BACKEND)."""


class NoProviderBackend:
    """Production's default until a provider is named: every text fails, visibly (the
    Outgoing messages page), instead of being written to a log."""

    def __init__(self, fail_silently=False, **kwargs):
        pass

    def send_messages(self, messages):
        raise NoTextProvider("SMS_BACKEND names no provider")

    def close(self):
        pass
