"""Every form of the site posted with random and hostile values, as each person it is for.

A route's form is read from the page itself (its fields, their kinds, the choices it offers), so
a field added tomorrow is fuzzed tomorrow. Hypothesis mixes values the page offers with hostile
ones and extra fields the form does not have. Each post must
answer without a server error; a post refused — with field errors, or a 4xx — must leave every
row as it was. Each example runs in a savepoint rolled back after it, so every example starts
from the same World.

Bounded for CI: a few examples per route and person, derandomized (the same examples on every
run). HYPOTHESIS_PROFILE=deep tries many more.
"""

import os
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipv.accounts.models import SignInThrottle
from ipv.audit.models import AuditEvent
from tests.core.matrix import changed, database_state, url_of
from tests.core.routes import (
    ADMIN,
    FACILITATOR,
    INTAKE,
    LIAISON,
    MANAGER,
    PARTNER,
    PLATFORM,
    PUBLIC,
    ROUTES,
    SIGNED_IN,
    TOKEN,
)

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "deep", max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PERSONA_OF_ROLE = {
    MANAGER: "manager",
    INTAKE: "intake",
    FACILITATOR: "facilitator",
    PARTNER: "partner_contact",
}

# What people send that forms must refuse cleanly.
HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\u202egpj.exe",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "=1+1",
    "a;=1+1;b",
    "@SUM(1+1)",
    "' OR 1=1 --",
    "a & b | !c:* <-> (d",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "1999-12-31",
    "-1",
    "0",
    "-0.01",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999",
    "1,5",
    "2147483648",
    "24:61",
    "23:59:60",
    "\r\n",
    "Zoë Ürsula d'Arcy",
    "//evil.example",
    "../../etc/passwd",
    "%00",
    "☃" * 300,
]
# Fields forms do not have, that a forger would try.
EXTRA_NAMES = ["agency", "agency_id", "status", "role", "amount", "id", "pk", "by", "user"]
OMIT = object()
# Answers that say the post was refused, in the site's templates and the admin's.
REFUSED = re.compile(rb'invalid-feedback|alert-danger|errorlist|errornote|aria-invalid="true"')
# Tables a refused post may write: its refusal in the audit trail, the sign-in throttling and
# used codes (the security store, and a refused password's count), the person's session.
MAY_WRITE_WHEN_REFUSED = {
    AuditEvent._meta.db_table,
    "core_security_store",
    SignInThrottle._meta.db_table,
}


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, select, multiple, checkbox, radio, date, time, number, submit…
    value: str = ""
    options: list = field(default_factory=list)


class _FormReader(HTMLParser):
    """The fields of the POST forms of a page that post to `path` (or to the page itself)."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.fields: dict[str, Field] = {}
        self._in_form = False
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or self.path).path
            self._in_form = attrs.get("method", "").lower() == "post" and action == self.path
            return
        if not self._in_form or "name" not in attrs or "disabled" in attrs:
            if tag == "option" and self._select is not None:
                self._select.options.append(attrs.get("value", ""))
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                return
            if kind in ("checkbox", "radio") and name in self.fields:
                self.fields[name].options.append(attrs.get("value", "on"))
                if kind == "checkbox":
                    self.fields[name].kind = "multiple"
                return
            if kind == "submit" and name in self.fields:
                return
            self.fields[name] = Field(
                name,
                kind,
                attrs.get("value", ""),
                [attrs.get("value", "on")] if kind in ("checkbox", "radio") else [],
            )
        elif tag == "select":
            self._select = Field(name, "multiple" if "multiple" in attrs else "select")
            self.fields[name] = self._select
        elif tag == "textarea":
            self.fields[name] = Field(name, "text")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None


def form_fields(content: bytes, path: str) -> list[Field]:
    reader = _FormReader(path)
    reader.feed(content.decode(errors="replace"))
    return list(reader.fields.values())


_hostile = st.sampled_from(HOSTILE)
_text = st.one_of(_hostile, st.text(max_size=40))


def _strategy(one: Field):
    """Values for one field: what the page offers, random, hostile, or nothing."""
    offered = [value for value in one.options if value] or [one.value]
    if one.kind in ("hidden", "submit"):
        kept = st.just(one.value)
        return st.one_of(kept, kept, kept, _hostile)
    if one.kind in ("select", "radio", "checkbox"):
        return st.one_of(st.sampled_from(offered), _hostile, st.just(OMIT))
    if one.kind == "multiple":
        return st.one_of(st.lists(st.sampled_from(offered), max_size=3), st.lists(_hostile))
    if one.kind == "date":
        return st.one_of(st.dates().map(lambda day: day.isoformat()), _hostile, st.just(OMIT))
    if one.kind == "time":
        return st.one_of(st.times().map(lambda moment: moment.strftime("%H:%M")), _hostile)
    if one.kind == "datetime-local":
        return st.one_of(st.datetimes().map(lambda moment: moment.isoformat()), _hostile)
    if one.kind == "number":
        numbers = st.one_of(
            st.integers(-(10**12), 10**12).map(str),
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        )
        return st.one_of(numbers, _hostile, st.just(OMIT))
    if one.kind == "email":
        return st.one_of(st.emails(), _text, st.just(OMIT))
    return st.one_of(st.just(one.value), _text, st.just(OMIT))


def form_data(fields: list[Field]):
    """A whole post: each field's value (or none), plus a few fields the form does not have."""
    known = st.fixed_dictionaries({one.name: _strategy(one) for one in fields})
    extra = st.dictionaries(st.sampled_from(EXTRA_NAMES), _hostile, max_size=3)
    return st.tuples(known, extra).map(
        lambda both: {
            **{name: value for name, value in both[1].items() if name not in both[0]},
            **{name: value for name, value in both[0].items() if value is not OMIT},
        }
    )


def personas(route) -> list[str]:
    """Each person the route is for, by the names the World's people carry."""
    access = route.access
    if isinstance(access, frozenset):
        return sorted(PERSONA_OF_ROLE[role] for role in access)
    return {
        PUBLIC: ["anonymous"],
        SIGNED_IN: ["intake"],
        LIAISON: ["liaison"],
        ADMIN: ["admin"],
        PLATFORM: ["admin"],
    }.get(access, [])


# Pages whose form the route table does not list as POST (it lists how the matrix asks): allauth's
# and the admin's own. Each is checked to show its form.
FORM_PAGES = {
    "account_login",
    "account_reset_password",
    "account_change_password",
    "account_reauthenticate",
    "mfa_reauthenticate",
    "mfa_deactivate_totp",
    "mfa_generate_recovery_codes",
    "usersessions_list",
    "admin:password_change",
    "admin:auth_user_password_change",
}


def form_routes(keys):
    """(route key, persona) for every route among `keys` that takes a form, each person it is
    for: those the route table says answer POST, the pages above, and the admin's add and change
    pages."""
    found = []
    for key in sorted(keys):
        route = ROUTES[key]
        if route.access == TOKEN:
            continue  # the API: its own schema, fuzzed by Schemathesis (tests/api/test_schema.py)
        takes_form = (
            "POST" in route.methods
            or key in FORM_PAGES
            or (key.startswith("admin:") and key.endswith(("_add", "_change")))
        )
        if takes_form:
            found += [(key, persona) for persona in personas(route)]
    return found


def _signed_in(client, person):
    key = client.cookies.get("sessionid")
    return key is not None and Session.objects.filter(session_key=key.value).exists()


def sign_in(client, person):
    """`person` signed in a moment ago with their password and second factor, as allauth
    records it: pages that ask for a recent sign-in (turning the second factor off, new
    recovery codes) show their form rather than asking again."""
    client.force_login(person)
    session = client.session
    now = time.time()
    records = [{"method": "password", "at": now, "email": person.email, "reauthenticated": True}]
    totp = Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        records.append(
            {"method": "mfa", "at": now, "id": totp.pk, "type": "totp", "reauthenticated": True}
        )
    # Where allauth keeps them (allauth.account.internal.flows.login), and for whom.
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(person.pk)
    session.save()


def fuzz_route(world, key, persona):
    """Post the route's form with Hypothesis's values as `persona`; fail on a server error or
    on a refused post that changed a row."""
    route = ROUTES[key]
    url = url_of(key, route.kwargs(world))
    client = Client()
    person = None if persona == "anonymous" else world[persona]
    if person:
        sign_in(client, person)
    if key == "usersessions_list" and person:
        # The page offers to end the person's other sessions: one elsewhere.
        elsewhere = Client()
        sign_in(elsewhere, person)
        elsewhere.get(url)
    page = client.get(url) if "GET" in route.methods else None
    fields = form_fields(page.content, urlsplit(url).path) if page is not None else []
    if key in FORM_PAGES:
        assert fields, f"{key}: no form on its page for {persona}"
    state = {"before": database_state()}

    @given(data=form_data(fields))
    def post(data):
        if person and not _signed_in(client, person):
            # The last example signed them out (or changed their session): in again.
            sign_in(client, person)
            state["before"] = database_state()
        with transaction.atomic():
            response = client.post(url, data)
            status = response.status_code
            assert status < 500, f"{persona} POST {url} {data!r} → {status}"
            refused = 400 <= status < 500 or (status == 200 and REFUSED.search(response.content))
            if refused:
                touched = set(changed(state["before"], database_state()))
                assert touched <= MAY_WRITE_WHEN_REFUSED, (
                    f"{persona} POST {url} {data!r} → {status}, refused, yet changed {touched}"
                )
            transaction.set_rollback(True)

    post()
    return fields
