"""Accent- and case-insensitive text search with PostgreSQL's `unaccent` and `pg_trgm`.

"Montreal" must find "Montréal", and "Eric" must resemble "Éric". Both sides are folded in
the database: what is stored (generated columns, indexes) and what is searched for. unaccent()
itself is only STABLE (its dictionary could be changed), which an index or a generated column
refuses; the core migration wraps it in `f_unaccent()`, declared IMMUTABLE, with its dictionary
named, so the folded text can be stored and indexed (GIN trigram indexes).
"""

import re

from django.db import models
from django.db.models.functions import Coalesce, Collate, Concat, Lower

from ipv.core.i18n import current_language


class Unaccented(models.Func):
    """SQL: the lower-case, unaccented form of the given text expressions, joined by spaces."""

    function = "f_unaccent"
    output_field = models.TextField()

    def __init__(self, *expressions):
        parts = []
        for expression in expressions:
            if parts:
                parts.append(models.Value(" "))
            parts.append(Coalesce(expression, models.Value(""), output_field=models.TextField()))
        text = parts[0] if len(parts) == 1 else Concat(*parts, output_field=models.TextField())
        super().__init__(Lower(text))


def unaccented(text: str) -> Unaccented:
    """What the user typed, folded as the stored text is."""
    return Unaccented(models.Value(text))


# Letters and digits of any alphabet (Latin, Cyrillic, Greek, Han…), as PostgreSQL's text
# search and trigram functions count words.
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of `text`, as typed: "Jean-Marc O'Brien" → ["Jean", "Marc", "O", "Brien"]."""
    return _WORD.findall(text)


def by_name(field: str) -> list:
    """An ORDER BY for names in the page's language: its collation (ICU's fr-CA or en-CA,
    made by the core migration), so "Émile", "eric", "Ève" and "Zoé" come in that order and not
    capitals first, accents last. The unaccented name leads, for a server without ICU."""
    collation = f"ipv_{current_language()}"
    return [Collate(Unaccented(field), collation), Collate(models.F(field), collation)]
