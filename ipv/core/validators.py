"""Validators shared by every app."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Marks that reorder the text around them: a name holding one shows as another on a page, in
# a PDF or in a spreadsheet ("Trojan Source").
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


# Zero-width non-joiner and joiner: part of how some scripts and emoji are written.
JOINERS = frozenset("\u200c\u200d")


def validate_name(value: str) -> None:
    """A person's or an organisation's name: no control character (tab, line break, NUL…), no
    line or paragraph separator, no mark that changes the direction of the text."""
    for char in value:
        if char in BIDI_CONTROLS:
            raise ValidationError(
                _("A name cannot contain a mark that changes the direction of the text."),
                code="bidi",
            )
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise ValidationError(
                _("A name cannot contain control characters such as a tab or a line break."),
                code="control",
            )
        if unicodedata.category(char) == "Cf":
            # Invisible (a zero-width space, a soft hyphen…): the name would look like one
            # already known while matching no search and no duplicate.
            raise ValidationError(
                _("A name cannot contain invisible characters."), code="invisible"
            )


def hidden_mark(value: str, *, multiline: bool) -> ValidationError | None:
    """Why typed text is not plain, or None: a mark that reverses the text around it (a city
    that reads backwards on a roster, a reason that reads otherwise on the court's copy), or a
    control character (line breaks only in a box made for several lines)."""
    for char in value:
        if char in BIDI_CONTROLS:
            return ValidationError(
                _("Remove the mark that changes the direction of the text."), code="bidi"
            )
        if multiline and char in "\n\r\t":
            continue
        if char in JOINERS:
            continue  # what joins letters in some scripts, and emoji
        if unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cf"):
            return ValidationError(
                _("Remove the control or invisible characters (a tab, a line break…)."),
                code="control",
            )
    return None
