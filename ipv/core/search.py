"""Accent- and case-insensitive text search without PostgreSQL extensions.

"Montreal" must find "Montréal". The `unaccent` extension would do it, but the embedded
PostgreSQL (pgserver) ships no contrib modules, and a managed server may refuse extensions.
Instead both sides are folded with the same table: in the database by `translate(lower(…))`,
which is immutable and so usable in a generated column, and in Python by `fold()`.
"""

import re
import unicodedata

from django.db import models
from django.db.models.functions import Coalesce, Collate, Concat, Lower

from ipv.core.i18n import current_language


def _folding_table() -> tuple[str, str]:
    """Every Latin letter with a diacritic (Latin-1 and Latin Extended-A), to its base letter."""
    source, target = [], []
    for code in range(0x00C0, 0x0180):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            source.append(char)
            target.append(base.lower())
    # Letters that do not decompose but that people type without their mark.
    for char, base in {"Ø": "o", "ø": "o", "Đ": "d", "đ": "d", "Ł": "l", "ł": "l"}.items():
        source.append(char)
        target.append(base)
    return "".join(source), "".join(target)


ACCENTED, UNACCENTED = _folding_table()
_TABLE = str.maketrans(ACCENTED, UNACCENTED)


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents, exactly as `Folded` does in the database."""
    return text.lower().translate(_TABLE)


# Letters and digits of any alphabet (Latin, Cyrillic, Greek, Han…), as PostgreSQL's text
# search and trigram functions count words.
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of `text`, folded: "Jean-Marc O'Brien" → ["jean", "marc", "o", "brien"]."""
    return _WORD.findall(fold(text))


class Folded(models.Func):
    """SQL: the folded form of the given text expressions, joined by spaces."""

    function = "translate"
    output_field = models.TextField()

    def __init__(self, *expressions):
        parts = []
        for expression in expressions:
            if parts:
                parts.append(models.Value(" "))
            parts.append(Coalesce(expression, models.Value(""), output_field=models.TextField()))
        text = parts[0] if len(parts) == 1 else Concat(*parts, output_field=models.TextField())
        super().__init__(Lower(text), models.Value(ACCENTED), models.Value(UNACCENTED))


def by_name(field: str) -> list:
    """An ORDER BY for names in the page's language: its collation (ICU's fr-CA or en-CA,
    made by the core migration), so "Émile", "eric", "Ève" and "Zoé" come in that order and not
    capitals first, accents last. The folded name leads, for a server without ICU."""
    collation = f"ipv_{current_language()}"
    return [Collate(Folded(field), collation), Collate(models.F(field), collation)]
