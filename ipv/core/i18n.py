"""Bilingual content: models keep `<field>_fr` and `<field>_en` side by side."""

from django.utils.translation import get_language


def current_language() -> str:
    """'fr' or 'en': the active language, as the two the site speaks."""
    return "en" if (get_language() or "").startswith("en") else "fr"


class Bilingual:
    """Reads `<name>_fr` or `<name>_en` for the active language, else the other one.

    `name = Bilingual()` on a model with `name_fr` and `name_en` fields.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        language = current_language()
        other = "en" if language == "fr" else "fr"
        return getattr(instance, f"{self.name}_{language}") or getattr(
            instance, f"{self.name}_{other}"
        )


def format_money(amount, language: str | None = None) -> str:
    """An amount in Canadian dollars as written in Canada: 1 234,50 $ in French, $1,234.50 in
    English."""
    from babel.numbers import format_currency

    locale = "en_CA" if (language or current_language()) == "en" else "fr_CA"
    return format_currency(amount, "CAD", locale=locale, currency_digits=True)
