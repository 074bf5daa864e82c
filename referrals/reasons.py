"""The reasons the software gives itself in a referral's timeline ("Intake booked", "Placed in
the group Mardi soir.", "2 unexcused absences: …"). They are stored as a code and its values
and worded when read: in the reader's language on a page, in the document's in a PDF — never
frozen in the language of whoever happened to act.

Lines written before the codes were kept hold the sentence itself, in the actor's language;
`reason_text` recognises those sentences in any language of the site and words them again.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

INTAKE_BOOKED = "intake_booked"
ELIGIBLE = "eligible"
PLACED_IN_GROUP = "placed_in_group"
MODULES_ATTENDED = "modules_attended"
UNEXCUSED_ABSENCES = "unexcused_absences"
ABSENCES = "absences"
EMAIL_REMINDERS_STOPPED = "email_reminders_stopped"

# Each code's sentence in the active language, its %(…)s placeholders still in it; `count`
# chooses the plural form.
WORDINGS: dict[str, Callable[[int], str]] = {
    INTAKE_BOOKED: lambda count: gettext("Intake booked"),
    ELIGIBLE: lambda count: gettext("Eligible"),
    PLACED_IN_GROUP: lambda count: gettext("Placed in the group %(group)s."),
    MODULES_ATTENDED: lambda count: gettext("Each of the twelve modules attended."),
    UNEXCUSED_ABSENCES: lambda count: ngettext(
        "%(count)s unexcused absence: the agency's limit is %(limit)s.",
        "%(count)s unexcused absences: the agency's limit is %(limit)s.",
        count,
    ),
    ABSENCES: lambda count: ngettext(
        "%(count)s absence: the agency's limit is %(limit)s.",
        "%(count)s absences: the agency's limit is %(limit)s.",
        count,
    ),
    EMAIL_REMINDERS_STOPPED: lambda count: gettext(
        "The person stopped email reminders, from the link in a reminder."
    ),
}
NUMBERS = ("count", "limit")
# The timeline event each reason is given for: an old line is worded again only there, so
# that what a person wrote elsewhere is never mistaken for one.
GIVEN_FOR = {
    INTAKE_BOOKED: "book_intake",
    ELIGIBLE: "complete_intake",
    PLACED_IN_GROUP: "enroll",
    MODULES_ATTENDED: "complete",
    UNEXCUSED_ABSENCES: "flag_non_compliance",
    ABSENCES: "flag_non_compliance",
    EMAIL_REMINDERS_STOPPED: "edited",
}


@dataclass(frozen=True)
class Reason:
    """A reason the software gives: a code of WORDINGS and the values its sentence needs."""

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in WORDINGS:
            raise ValueError(f"unknown reason {self.code!r}")

    def __str__(self) -> str:
        return worded(self.code, self.params)


def worded(code: str, params: dict | None = None) -> str:
    """The reason `code` in the active language."""
    params = params or {}
    return WORDINGS[code](params.get("count", 1)) % params


@cache
def _patterns(language: str) -> list[tuple[str, re.Pattern]]:
    """Each code's sentences in `language` (every plural form), as patterns to recognise."""
    patterns = []
    with translation.override(language):
        for code, wording in WORDINGS.items():
            for sentence in {wording(1), wording(2)}:
                regex = re.sub(
                    r"%\\\((\w+)\\\)s",
                    lambda match: rf"(?P<{match[1]}>.+?)",
                    re.escape(sentence),
                )
                patterns.append((code, re.compile(regex)))
    return patterns


def recognised(text: str, kind: str) -> Reason | None:
    """The reason an old timeline line of `kind` wrote out in some language of the site, if
    it is one."""
    for language, _name in settings.LANGUAGES:
        for code, pattern in _patterns(language):
            if GIVEN_FOR[code] != kind:
                continue
            if match := pattern.fullmatch(text):
                params = {
                    name: int(value) if name in NUMBERS and value.isdigit() else value
                    for name, value in match.groupdict().items()
                }
                return Reason(code, params)
    return None


def reason_text(reason: str, code: str = "", params: dict | None = None, kind: str = "") -> str:
    """What to show for the reason of a timeline line of `kind`, in the active language: a
    code worded, a sentence of the software worded again, or what a person wrote, as written."""
    if code in WORDINGS:
        return worded(code, params)
    old = recognised(reason, kind) if reason else None
    return str(old) if old is not None else reason
