"""Every file the application serves goes out through `file_response`: its type, a file name
no browser or shell can be tricked by, and never a copy in a cache.

File names are built from things people typed (a participant's name, a receipt's words in
French), so they are cleaned twice: a UTF-8 name (RFC 6266 / RFC 5987 `filename*`) that keeps
accents, and a plain ASCII fallback (`filename`) for the clients that read only that. Both
lose what could end the header or change the name's meaning: quotes, backslashes, slashes,
`;`, control characters (CR, LF, NUL), direction overrides and other invisible characters.
"""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS = "text/calendar; charset=utf-8"

# A name's stem at most this long (characters), before its extension; file systems allow 255
# bytes, and a UTF-8 character takes up to 4.
STEM_MAX = 60
# Invisible or layout-changing characters: controls, formats (bidi overrides, zero-width),
# surrogates, private use, unassigned, line and paragraph separators.
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# What a file name must not carry, even printed: header syntax, paths, shell and Windows
# reserved characters. Dots too, inside the stem: "x.exe.pdf" reads as an executable.
_SEPARATORS = re.compile(r"""[\s"'\\/;:,*?<>|%&=`$#{}\[\]^~.]+""")
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_HYPHENS = re.compile(r"-{2,}")
_EXTENSION = re.compile(r"[a-z0-9]{1,5}")


def _clean_stem(stem: str) -> str:
    """The stem with invisible characters removed and separators as single hyphens."""
    stem = unicodedata.normalize("NFC", stem)
    stem = "".join(char for char in stem if unicodedata.category(char) not in _DROPPED)
    stem = _HYPHENS.sub("-", _SEPARATORS.sub("-", stem))
    return stem.strip("-_")[:STEM_MAX].strip("-_")


def _ascii(stem: str) -> str:
    """The stem in ASCII: accents dropped from their letters ("Zoë" is "Zoe"), anything else
    that is not a letter, a digit, "-" or "_" as a hyphen."""
    decomposed = unicodedata.normalize("NFKD", stem)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.encode("ascii", "ignore").decode()
    return _HYPHENS.sub("-", _NOT_ASCII_SAFE.sub("-", plain)).strip("-_")


def safe_filenames(filename: str) -> tuple[str, str]:
    """(the ASCII fallback, the UTF-8 name) of `filename`, both safe to send."""
    stem, dot, extension = filename.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(extension.lower()):
        stem, extension = filename, ""
    extension = f".{extension.lower()}" if extension else ""
    unicode_stem = _clean_stem(stem) or "download"
    ascii_stem = _ascii(unicode_stem) or "download"
    return ascii_stem + extension, unicode_stem + extension


def disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value: Django quotes the ASCII fallback, and the UTF-8 name
    follows percent-encoded (RFC 5987), which clients that know it prefer."""
    ascii_name, unicode_name = safe_filenames(filename)
    header = content_disposition_header(not inline, ascii_name)
    if unicode_name != ascii_name:
        header += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    return header


def file_response(
    content: bytes, *, filename: str, content_type: str, inline: bool = False
) -> HttpResponse:
    """A file to download (or, `inline`, to open in place): its type, a safe name, no-store.
    `X-Content-Type-Options: nosniff` comes from SecurityMiddleware, on every response."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition(filename, inline=inline)
    # Case files must not stay in a shared computer's cache or a proxy's.
    patch_cache_control(response, private=True, no_store=True)
    return response
