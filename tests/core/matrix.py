"""What the permission matrix and the form fuzzing share: the routes of the resolver, the
World they visit every route in, and a fingerprint of the database."""

import functools
from datetime import date

from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from psycopg import sql

from sessions_app.services.program import transfer_request
from tests.conftest import make_person, make_referral, make_world
from tests.factories import AgencyFactory
from tests.victims.outreach import add_outreach
from victims.models import RiskAlert
from victims.rls import confidential


def matrix_world():
    """The test World with outreach, an administrator without a second factor, a transfer to
    a third agency and a risk alert: an object for every route that takes one."""
    world = add_outreach(make_world())
    world.people["admin_no_mfa"] = make_person(
        "admin2@platform.test", "Sam Admin", is_staff=True, is_superuser=True, mfa=False
    )
    # A transfer between the first agency and a third one: nothing of the other agency's.
    north = AgencyFactory(slug="nord", name_fr="Services Nord", name_en="North Services")
    moving = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Martin", "date_of_birth": date(1990, 6, 1)},
        court_file_number="4811-998-26-00003",
    )
    world.outside_transfer = transfer_request(
        referral=moving,
        by=world["intake"],
        to_agency=north,
        reason="Moved north.",
        consent_signed_on=world.transfer.consent_signed_on,
    )
    # Outreach's risk alert about the first referral, for the case workers to mark seen.
    with confidential(world.agency):
        world.risk_alert = RiskAlert.objects.create(
            agency=world.agency, referral=world.referral, sent_by=world["partner_contact"]
        )
    return world


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            # The language prefix is not part of a route's key; "en/" stands for it.
            here = (
                "en/" if isinstance(pattern.pattern, LocalePrefixPattern) else str(pattern.pattern)
            )
            yield from _walk(pattern.url_patterns, prefix + here, inner)
        elif isinstance(pattern, URLPattern):
            path = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), path
            else:
                yield path.removeprefix("en/"), path


@functools.cache
def resolver_routes():
    """Route key → pattern (in English), for every route of the resolver. A name seen twice is
    kept once: the first one, the one `reverse` finds, is what its address answers."""
    routes = {}
    for key, path in _walk(get_resolver().url_patterns):
        routes.setdefault(key, path)
    return routes


def url_of(key, kwargs):
    """The address of route `key` with `kwargs`."""
    path = resolver_routes()[key]
    if key != path.removeprefix("en/"):
        return reverse(key, kwargs=kwargs)
    # A route without a name: its address from its pattern.
    for name, value in kwargs.items():
        path = path.replace(f"<path:{name}>", str(value)).replace(f"(?P<{name}>.*)$", str(value))
    return "/" + path


# Rows that any signed-in request may touch (the session, its last-seen time).
UNTRACKED_TABLES = {"django_session", "usersessions_usersession"}


def database_state():
    """A fingerprint of every table's content, in one query."""
    table_sum = sql.SQL(
        "SELECT {name}, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
    )
    with connection.cursor() as cursor:
        tables = sorted(set(connection.introspection.table_names(cursor)) - UNTRACKED_TABLES)
        query = sql.SQL(" UNION ALL ").join(
            table_sum.format(name=sql.Literal(table), table=sql.Identifier(table))
            for table in tables
        )
        cursor.execute(query)
        return dict(cursor.fetchall())


def changed(before, after):
    return sorted(table for table in before if before[table] != after.get(table))
