"""Compile the gettext catalogs with Babel, so no system gettext is needed to run the site.

`python -m ipv.core.translations` compiles them without loading Django's settings.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


def catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write each locale/*/LC_MESSAGES/*.mo that is missing or older than its .po."""
    written = []
    for po_path in catalogs(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def forget_loaded_catalogs() -> None:
    """Make this process read the catalogs again: what it translated before they were compiled
    (a first `make run`) was read from none, and would stay English."""
    from asgiref.local import Local
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()


if __name__ == "__main__":
    for path in compile_catalogs():
        print(f"Compiled {path}")
