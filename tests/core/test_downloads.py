"""Every file the application serves: the right type, a Content-Disposition whose ASCII
fallback and UTF-8 name are both safe (accents kept in the one, transliterated in the other;
quotes, CR/LF, slashes, `;`, NUL, direction overrides and length removed or limited), no-store
and nosniff. A table of every file-serving route, each asked by a person it is for, with a
participant whose name is built to break headers."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from ipv.core.downloads import STEM_MAX, disposition, safe_filenames
from referrals.models import Participant
from sessions_app.services import calendar
from tests.api.tokens import bearer, issue
from tests.conftest import make_world
from tests.core.routes import ROUTES
from tests.victims.outreach import add_outreach

# A name typed to break things: a quote and `;` to end the header's value, a path, CR/LF to
# start a header of its own, a right-to-left override to show "exe.jpg" as "gpj.exe", a NUL.
HOSTILE = 'Zoë "; rm -rf /\r\nX-Evil: 1 \u202egpj.exe\x00'
# What the database lets a participant be called (names refuse control and direction marks,
# ipv.core.validators.validate_name): the same attack without them.
HOSTILE_STORED = 'Zoë "; rm -rf /X-Evil: 1 gpj.exe'

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS = "text/calendar; charset=utf-8"

ASCII_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[a-z0-9]{1,5})?")
DISPOSITION = re.compile(
    r'(?P<kind>attachment|inline); filename="(?P<ascii>[^"\\\r\n]*)"'
    r"(; filename\*=UTF-8''(?P<utf8>[A-Za-z0-9%._~-]+))?"
)
pytestmark = pytest.mark.django_db

UNSAFE = re.compile(r'["\\/;:\r\n\x00\u202e\u202a-\u202d\u2066-\u2069]')


def _parsed(header: str) -> dict:
    match = DISPOSITION.fullmatch(header)
    assert match, f"not a Content-Disposition we can parse: {header!r}"
    parts = match.groupdict()
    parts["utf8"] = unquote(parts["utf8"]) if parts["utf8"] else parts["ascii"]
    return parts


@pytest.mark.parametrize(
    "name",
    [
        HOSTILE + ".pdf",
        "Records of " + HOSTILE + ".pdf",
        "reçu-12.pdf",
        "../../etc/passwd",
        "\x00.pdf",
        "é" * 500 + ".csv",
        "CON.pdf",
        "a;b=c.xlsx",
        "\u202eexe.pdf",
        "",
    ],
)
def test_a_file_name_is_safe_in_ascii_and_in_utf8(name):
    ascii_name, utf8_name = safe_filenames(name)
    assert ASCII_NAME.fullmatch(ascii_name), ascii_name
    assert not UNSAFE.search(utf8_name), utf8_name
    assert len(utf8_name.rpartition(".")[0]) <= STEM_MAX
    parsed = _parsed(disposition(name))
    assert parsed["ascii"] == ascii_name
    assert parsed["utf8"] == utf8_name


def test_accents_are_kept_in_utf8_and_transliterated_in_ascii():
    assert safe_filenames("reçu-12.pdf") == ("recu-12.pdf", "reçu-12.pdf")
    assert safe_filenames(HOSTILE + ".pdf") == (
        "Zoe-rm-rf-X-Evil-1-gpj-exe.pdf",
        "Zoë-rm-rf-X-Evil-1-gpj-exe.pdf",
    )
    # A plain name goes as it is, with no UTF-8 copy.
    assert disposition("receipt-12.pdf") == 'attachment; filename="receipt-12.pdf"'
    assert disposition("ipv-sessions.ics", inline=True) == 'inline; filename="ipv-sessions.ics"'


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The World with outreach, its participant renamed to HOSTILE_STORED; built once for the
    module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = add_outreach(make_world())
        Participant.objects.filter(pk=world.referral.participant_id).update(
            legal_name=HOSTILE_STORED
        )
        world.feed = calendar.feed_create(user=world["facilitator"], agency=world.agency)
        world.token = issue(world["liaison"], [world.court])
        yield world
        transaction.set_rollback(True)


def _route(name, world, query=""):
    with translation.override("en"):
        return reverse(name, kwargs=ROUTES[name].kwargs(world)) + query


# Every route that answers with a file: who asks for it, and the type it must have.
FILES = [
    ("agency:participant_records", "intake", PDF, ""),
    ("agency:participant_records", "manager", PDF, "?language=en"),
    ("agency:certificate", "intake", PDF, ""),
    ("agency:report", "intake", PDF, ""),
    ("agency:fee_receipt", "intake", PDF, ""),
    ("agency:fees_export", "manager", CSV, ""),
    ("agency:fees_export_xlsx", "manager", XLSX, ""),
    ("agency:figures_report", "manager", CSV, "?quarter=2026-3&format=csv&language=fr"),
    ("agency:figures_report", "manager", XLSX, "?quarter=2026-3&format=xlsx&language=en"),
    ("agency:export_download", "manager", CSV, ""),
    ("agency:outreach_plan_pdf", "partner_contact", PDF, ""),
    ("court:referral_certificate", "liaison", PDF, ""),
    ("court:referral_report", "liaison", PDF, ""),
    ("api:referral_certificate", "token", PDF, ""),
    ("api:referral_report", "token", PDF, ""),
    ("calendar_ics", "anonymous", ICS, ""),
]


@pytest.mark.parametrize(("name", "persona", "content_type", "query"), FILES)
def test_every_file_is_served_with_its_type_a_safe_name_and_no_store(
    client, world, name, persona, content_type, query
):
    if name == "calendar_ics":
        url, extra = reverse("calendar_ics", kwargs={"token": world.feed}), {}
    else:
        url, extra = _route(name, world, query), {}
    if persona == "token":
        extra = bearer(world.token)
    elif persona != "anonymous":
        client.force_login(world[persona])
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == content_type
    parsed = _parsed(response["Content-Disposition"])
    assert parsed["kind"] == ("inline" if content_type == ICS else "attachment")
    assert ASCII_NAME.fullmatch(parsed["ascii"]), parsed["ascii"]
    assert not UNSAFE.search(parsed["utf8"]), parsed["utf8"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_participants_name_reaches_the_file_name_cleaned_with_its_accent(client, world):
    client.force_login(world["intake"])
    response = client.get(_route("agency:participant_records", world, "?language=en"))
    parsed = _parsed(response["Content-Disposition"])
    assert parsed["ascii"] == "Records-of-Zoe-rm-rf-X-Evil-1-gpj-exe.pdf"
    assert parsed["utf8"] == "Records-of-Zoë-rm-rf-X-Evil-1-gpj-exe.pdf"
    assert "X-Evil" not in response.headers  # no header of its own


def test_no_view_writes_a_content_disposition_of_its_own():
    """Every file goes through ipv.core.downloads: a view that set the header itself would
    skip the cleaning. (Its positive control: the helper itself does write it.)"""
    writers = []
    for app in ("ipv", "directory", "referrals", "fees", "sessions_app", "victims"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "Content-Disposition" in path.read_text():
                writers.append(path.relative_to(settings.BASE_DIR).as_posix())
    assert writers == ["ipv/core/downloads.py"]
