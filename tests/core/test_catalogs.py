"""The catalogs compiled by `make run` are read by the process that compiled them: the demo's
first emails, rendered in that process, are in French for a French reader."""

from django.test import override_settings
from django.utils import translation

from ipv.core.translations import compile_catalogs, forget_loaded_catalogs

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr\\n"

msgid "A referral from the court waits for you"
msgstr "Un renvoi du tribunal vous attend"
"""


# Not a literal in gettext(): the project's catalog must not take this test's message.
WAITS = "A referral from the court waits for you"


def test_what_is_compiled_after_start_is_read_at_once(tmp_path):
    messages = tmp_path / "fr" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(PO, encoding="utf-8")
    with override_settings(LOCALE_PATHS=[tmp_path]):
        with translation.override("fr"):
            # Read before its catalog exists, as a first `make run` would.
            assert translation.gettext(WAITS) == WAITS
        assert compile_catalogs(tmp_path) == [messages / "django.mo"]
        forget_loaded_catalogs()
        with translation.override("fr"):
            assert translation.gettext(WAITS) == "Un renvoi du tribunal vous attend"
    forget_loaded_catalogs()
