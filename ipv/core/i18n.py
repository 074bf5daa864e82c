"""Bilingual content: models keep `<field>_fr` and `<field>_en` side by side."""

from django.utils.functional import lazy
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
        return in_language(
            getattr(instance, f"{self.name}_fr"), getattr(instance, f"{self.name}_en")
        )


def in_language(french: str, english: str, language: str | None = None) -> str:
    """The text in `language` (by default the active one), else in the other one (as
    Bilingual reads a field)."""
    if (language or current_language()) == "en":
        return english or french
    return french or english


def _field_read(instance, name: str) -> str:
    return getattr(instance, name)


# `read_later(court, "name")`: a Bilingual field read when shown, in the reader's language,
# not in the language active where it was fetched.
read_later = lazy(_field_read, str)


def format_money(amount, language: str | None = None) -> str:
    """An amount in Canadian dollars as written in Canada: 1 234,50 $ in French, $1,234.50 in
    English."""
    from babel.numbers import format_currency

    locale = "en_CA" if (language or current_language()) == "en" else "fr_CA"
    return format_currency(amount, "CAD", locale=locale, currency_digits=True)


def _french_format(value, format_string: str) -> str:
    """What a Django format string cannot say in Canadian French: « 1er décembre » for the
    first day of a month, « 18 h » (not « 18 h 00 ») for a full hour."""
    if getattr(value, "minute", None) == 0 and "\\h\xa0i" in format_string:
        format_string = format_string.replace("\\h\xa0i", "\\h")
    if getattr(value, "day", None) != 1 or not any(c in format_string for c in "FEMN"):
        return format_string
    written, escaped = [], False
    for char in format_string:
        if escaped:
            written.append(char)
            escaped = False
        elif char == "\\":
            written.append(char)
            escaped = True
        else:
            written.append("j\\e\\r" if char == "j" else char)
    return "".join(written)


def date_format(value, format=None, use_l10n=None):
    """Django's `formats.date_format`, with the French of Canada's « 1er » and « 18 h »."""
    from django.utils import dateformat, formats

    written = formats.get_format(format or "DATE_FORMAT", use_l10n=use_l10n)
    if current_language() == "fr":
        written = _french_format(value, written)
    return dateformat.format(value, written)


def time_format(value, format=None, use_l10n=None):
    """Django's `formats.time_format`, with the French of Canada's « 18 h »."""
    from django.utils import dateformat, formats

    written = formats.get_format(format or "TIME_FORMAT", use_l10n=use_l10n)
    if current_language() == "fr":
        written = _french_format(value, written)
    return dateformat.time_format(value, written)


def install_formats():
    """Route Django's date and time formatting (the `date` and `time` filters, `{{ value }}`,
    `localize`) through the functions above: every page, email and PDF then writes
    « 1er décembre » and « 18 h » without each template having to ask."""
    from django.utils import formats

    formats.date_format = date_format
    formats.time_format = time_format


def format_phone(number) -> str:
    """A phone number as written in Canada, in both languages: 613-555-0142, 1-866-863-0511
    for a toll-free number; a number outside North America in its international form."""
    import phonenumbers

    if number in (None, ""):
        return ""
    if isinstance(number, str):
        try:
            number = phonenumbers.parse(number, "CA")
        except phonenumbers.NumberParseException:
            return number
    national = str(number.national_number)
    if number.country_code != 1 or len(national) != 10:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    written = f"{national[:3]}-{national[3:6]}-{national[6:]}"
    if number.extension:
        written += f", {_extension()} {number.extension}"
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE:
        written = f"1-{written}"
    return written


def _extension() -> str:
    from django.utils.translation import gettext

    return gettext("ext.")


# The province a postal code belongs to, from its first letter (X is shared by two territories).
PROVINCES = {
    "A": ("Terre-Neuve-et-Labrador", "Newfoundland and Labrador"),
    "B": ("Nouvelle-Écosse", "Nova Scotia"),
    "C": ("Île-du-Prince-Édouard", "Prince Edward Island"),
    "E": ("Nouveau-Brunswick", "New Brunswick"),
    "G": ("Québec", "Quebec"),
    "H": ("Québec", "Quebec"),
    "J": ("Québec", "Quebec"),
    "K": ("Ontario", "Ontario"),
    "L": ("Ontario", "Ontario"),
    "M": ("Ontario", "Ontario"),
    "N": ("Ontario", "Ontario"),
    "P": ("Ontario", "Ontario"),
    "R": ("Manitoba", "Manitoba"),
    "S": ("Saskatchewan", "Saskatchewan"),
    "T": ("Alberta", "Alberta"),
    "V": ("Colombie-Britannique", "British Columbia"),
    "Y": ("Yukon", "Yukon"),
}


def format_address(place, *, one_line: bool = False) -> tuple[str, ...] | str:
    """The lines of an address as Canada Post writes them, in the active language: the street,
    then « Ottawa (Ontario)  K1K 0V4 » in French, "Ottawa, Ontario  K1K 0V4" in English (the
    province read from the postal code). `place` has `street_address`, `city`, `postal_code`."""
    street = (getattr(place, "street_address", "") or "").strip()
    city = (getattr(place, "city", "") or "").strip()
    postal_code = (getattr(place, "postal_code", "") or "").strip().upper()
    french, english = PROVINCES.get(postal_code[:1], ("", ""))
    if city and french:
        city = f"{city} ({french})" if current_language() == "fr" else f"{city}, {english}"
    # Canada Post puts two spaces before the postal code; non-breaking, so a page keeps them.
    last = "\xa0\xa0".join(part for part in (city, postal_code.replace(" ", "\xa0")) if part)
    lines = tuple(line for line in (street, last) if line)
    return ", ".join(lines) if one_line else lines
