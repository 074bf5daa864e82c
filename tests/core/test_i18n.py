import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import formats, translation

from ipv.core.translations import catalogs
from tests.conftest import require_system_tool

pytestmark = pytest.mark.django_db

FRENCH = Path(settings.BASE_DIR, "locale/fr/LC_MESSAGES/django.po")


def _messages(path):
    with path.open("rb") as file:
        return [message for message in read_po(file) if message.id]


def test_every_french_message_is_translated_and_none_is_fuzzy():
    untranslated = [
        message.id
        for message in _messages(FRENCH)
        if message.fuzzy
        or not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert untranslated == []


def test_both_catalogs_exist_and_list_the_same_messages():
    assert [path.parent.parent.name for path in catalogs()] == ["en", "fr"]
    english = Path(settings.BASE_DIR, "locale/en/LC_MESSAGES/django.po")
    assert {m.id for m in _messages(english)} == {m.id for m in _messages(FRENCH)}


def test_every_string_in_the_code_and_templates_is_in_the_catalog(tmp_path):
    """Extract the messages again into a copy of the tree: nothing may be new."""
    require_system_tool("xgettext", package="gettext")
    root = Path(settings.BASE_DIR)
    for name in ["ipv", "directory", "referrals", "sessions_app", "fees", "victims", "templates"]:
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(root / "locale", tmp_path / "locale")
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "ipv.settings",
        "DJANGO_SECRET_KEY": "extract-messages-only",
        "IPV_FIELD_ENCRYPTION_KEY": settings.IPV_FIELD_ENCRYPTION_KEYS[0],
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {m.id for m in _messages(tmp_path / "locale/fr/LC_MESSAGES/django.po")}
    catalogued = {m.id for m in _messages(FRENCH)}
    assert extracted - catalogued == set()


def test_the_root_sends_people_to_their_browser_language(client):
    assert client.get("/", headers={"Accept-Language": "en-CA,en;q=0.9"})["Location"] == "/en/"
    assert client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9"})["Location"] == "/fr/"


def test_the_language_last_visited_is_remembered(client):
    response = client.get("/en/directory/", headers={"Accept-Language": "fr-CA"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/", headers={"Accept-Language": "fr-CA"})["Location"] == "/en/"


def test_the_language_switch_keeps_the_page_and_the_search(client, east):
    html = client.get("/fr/directory/", {"region": "east", "q": "santé"}).content.decode()
    assert 'href="/en/directory/?region=east&amp;q=sant%C3%A9"' in html
    assert 'lang="en"' in html
    html = client.get("/en/directory/services/").content.decode()
    assert 'href="/fr/directory/services/"' in html


def test_the_language_switch_on_an_unknown_page_keeps_the_path(client):
    html = client.get("/fr/nowhere/").content.decode()
    assert 'href="/en/nowhere/"' in html


def test_pages_declare_their_language(client):
    assert '<html lang="fr">' in client.get("/fr/").content.decode()
    assert '<html lang="en">' in client.get("/en/").content.decode()


def test_dates_and_numbers_use_canadian_formats():
    import datetime

    day = datetime.date(2026, 11, 23)
    with translation.override("fr"):
        assert formats.date_format(day) == "23 novembre 2026"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2026-11-23"
        assert formats.number_format(1234.5, 2, force_grouping=True) == "1\xa0234,50"
        moment = datetime.datetime(2026, 11, 23, 14, 5)
        assert formats.time_format(moment) == "14\xa0h\xa005"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026-11-23 14\xa0h\xa005"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "23 novembre 2026 à 14\xa0h\xa005"
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2026-11-23"
        assert formats.number_format(1234.5, 2, force_grouping=True) == "1,234.50"
