"""Rotating the field encryption key: every encrypted value, in every table, encrypted again
under the new key, in batches, resumable; afterwards the new key alone reads everything. And
the row history keeps which confidential fields changed, never their values (ciphertext in an
append-only history could never be encrypted again)."""

import base64

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from psycopg import sql

from ipv.core.fields import forget_keys
from ipv.notifications.models import OutboxMessage
from ipv.pages.encryption import encrypted_tables
from tests.conftest import make_world
from tests.victims import seeding
from victims import rls
from victims.models import Contact, Victim
from victims.services import outreach

KEY_A = base64.urlsafe_b64encode(b"A" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"B" * 32).decode()
TOKEN_START = "gAAAAA"  # every Fernet token: its version byte, then the time

# The encrypted columns, written down by hand: a new one must be seen by the rotation (the
# completeness test below fails until it is added here too).
EXPECTED = {
    "notifications_outboxmessage": {"to", "subject", "body_text", "body_html"},
    "victims_concern": {"note"},
    "victims_contact": {"note"},
    "victims_safetyplanversion": {
        "warning_signs",
        "safe_places",
        "people_to_call",
        "ready_to_go",
        "children",
        "technology",
        "code_word",
    },
    "victims_victim": {
        "full_name",
        "phone",
        "email",
        "address",
        "code_word",
        "safe_contact_notes",
    },
}


@pytest.fixture
def keys(settings):
    """Set IPV_FIELD_ENCRYPTION_KEYS with `keys(...)`; the fields read them again."""

    def use(*keys):
        settings.IPV_FIELD_ENCRYPTION_KEYS = list(keys)
        forget_keys()

    yield use
    forget_keys()


@pytest.fixture
def store(db, keys):
    """Every encrypted field filled under key A: the confidential store through its services
    (people, their rules, contacts, plans, a concern, the history), and an outgoing message."""
    keys(KEY_A)
    world = make_world()
    world.named, _added = seeding.seed(
        agency=world.agency,
        referral=world.referral,
        worker=world["partner_contact"],
        raiser=world["facilitator"],
    )
    OutboxMessage.objects.create(
        key="rotate:1",
        agency=world.agency,
        to="zebulonne.hirondelle@example.org",
        subject="Un message de Salsepareille",
        body_text="Appelez-nous, Ocarinas.",
        body_html="<p>Appelez-nous, Ocarinas.</p>",
    )
    return world


def plain_values() -> dict:
    """{(table, pk): {column: value}} of every encrypted column, read through the models."""
    values = {}
    with rls.every_agency():
        for table in encrypted_tables():
            fields = [table.model._meta.get_field(c) for c in table.columns]
            for row in table.model.objects.order_by("pk").values("pk", *(f.name for f in fields)):
                values[table.name, row.pop("pk")] = row
    return values


def raw_tokens() -> list[tuple[str, str, str]]:
    """(table, column, token) of every non-empty encrypted value, as stored."""
    found = []
    with connection.cursor() as cursor:
        for table in encrypted_tables():
            for column in table.columns:
                cursor.execute(
                    sql.SQL("SELECT {column} FROM {table} WHERE {column} <> ''").format(
                        column=sql.Identifier(column), table=sql.Identifier(table.name)
                    )
                )
                found += [(table.name, column, token) for (token,) in cursor.fetchall()]
    return found


def decrypts(key: str, token: str) -> bool:
    try:
        Fernet(key).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


class StopAfter:
    """An output that fails once `lines` lines were written: the command stopped there."""

    def __init__(self, lines):
        self.lines = lines
        self.written = []

    def write(self, text):
        self.written.append(text)
        if len(self.written) >= self.lines:
            raise KeyboardInterrupt

    def flush(self):
        pass


def check() -> int:
    try:
        call_command("rotate_encryption_key", "--check", stdout=StopAfter(10_000))
    except CommandError as error:
        return error.returncode
    return 0


def test_the_rotation_finds_every_encrypted_column_of_the_database(store):
    assert {t.name: set(t.columns) for t in encrypted_tables()} == EXPECTED
    # Every column holding a Fernet token, anywhere in the database, is one of them…
    holding = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                sql.SQL("SELECT EXISTS (SELECT FROM {table} WHERE {column} LIKE %s)").format(
                    table=sql.Identifier(table), column=sql.Identifier(column)
                ),
                [f"{TOKEN_START}%"],
            )
            if cursor.fetchone()[0]:
                holding.add((table, column))
    # …and the data above fills each of them (so the search could find any of them).
    assert holding == {(table, column) for table, columns in EXPECTED.items() for column in columns}


def test_a_rotation_in_batches_resumed_after_a_stop_leaves_the_new_key_alone_reading_all(
    store, keys
):
    before = plain_values()
    tokens = raw_tokens()
    assert len(tokens) >= 25
    assert all(decrypts(KEY_A, token) for _t, _c, token in tokens)
    history = Victim.pgh_event_model.objects.count()
    with rls.every_agency():
        stale = Victim.objects.get(pk=store.named.pk)

    # The old key removed too soon: the first value it alone reads stops the run, named.
    keys(KEY_B)
    with pytest.raises(CommandError, match="decrypts notifications_outboxmessage #"):
        call_command("rotate_encryption_key", stdout=StopAfter(10_000))

    keys(KEY_B, KEY_A)
    assert check() == 1
    # Stopped after its third line: the outgoing message (one row, then "done"), then the
    # concern, each batch its own transaction, committed; nothing after it.
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_encryption_key", "--batch-size", "1", stdout=StopAfter(3))
    done = {table for table, _c, token in raw_tokens() if decrypts(KEY_B, token)}
    waiting = {table for table, _c, token in raw_tokens() if not decrypts(KEY_B, token)}
    assert done == {"notifications_outboxmessage", "victims_concern"}
    assert waiting == set(EXPECTED) - done
    assert check() == 1

    # Run again, it finishes what is left.
    output = StopAfter(10_000)
    call_command("rotate_encryption_key", "--batch-size", "2", stdout=output)
    printed = "".join(output.written)
    people = sum(1 for table, _c, _t in tokens if table == "victims_victim")
    assert f"victims_victim: 2/2 rows, {people} values encrypted again" in printed
    assert "victims_concern: done, 0 values encrypted again" in printed
    assert check() == 0

    keys(KEY_B)
    assert plain_values() == before
    rotated = raw_tokens()
    assert [(t, c) for t, c, _ in rotated] == [(t, c) for t, c, _ in tokens]
    assert not any(decrypts(KEY_A, token) for _t, _c, token in rotated)
    assert all(decrypts(KEY_B, token) for _t, _c, token in rotated)
    # The same words written again are no change in anyone's history.
    assert Victim.pgh_event_model.objects.count() == history
    # A record read before the rotation and saved after it is encrypted afresh, not written
    # back under the old key.
    with rls.every_agency():
        stale.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM victims_victim WHERE id = %s", [stale.pk])
        assert decrypts(KEY_B, cursor.fetchone()[0])


def test_the_history_names_the_confidential_fields_changed_not_their_values(store, keys):
    world = store
    with rls.confidential(world.agency):
        person = Victim.objects.get(pk=world.named.pk)
        outreach.person_update(victim=person, by=world["partner_contact"], phone="613-555-0199")
        # The same words saved again (a form sends every field) change nothing confidential.
        person = Victim.objects.get(pk=person.pk)
        outreach.person_update(
            victim=person,
            by=world["partner_contact"],
            full_name=seeding.NAMED["full_name"],
            phone="613-555-0199",
            interpreter="Cri",
        )
        last, before_last = Victim.pgh_event_model.objects.filter(pgh_obj_id=person.pk).order_by(
            "-pgh_id"
        )[:2]
        assert before_last.pgh_confidential == ["phone"]
        assert (last.pgh_confidential, last.interpreter) == ([], "Cri")
        with translation.override("fr"):
            assert before_last.confidential_changed() == ["Téléphone"]
        contact = Contact.pgh_event_model.objects.filter(victim=person).latest("pgh_id")
        assert contact.pgh_confidential == ["note"]
    # The history tables hold no encrypted column, and none of the words.
    for model in (Victim, Contact):
        names = {field.name for field in model.pgh_event_model._meta.fields}
        assert names.isdisjoint(EXPECTED[model._meta.db_table])
        assert "pgh_confidential" in names
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(e::text, ' ') FROM victims_victimevent e WHERE pgh_obj_id = %s",
            [person.pk],
        )
        history = cursor.fetchone()[0]
    assert "613-555-0199" not in history
    assert TOKEN_START not in history
    assert seeding.NAMED["full_name"] not in history
