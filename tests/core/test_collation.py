"""Lists sort names in the page language's order (ICU's fr-CA or en-CA collation), not byte
order with capitals first and accented letters last."""

import pytest
from django.db import connection
from django.utils import translation

from ipv.accounts.selectors import staff_list
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

NAMES = ["Zoé Zayed", "eric Émond", "Ève Aubin", "Émile Roy"]


@pytest.fixture
def newcomers(world):
    for number, name in enumerate(NAMES):
        make_person(f"n{number}@riviere.test", name, agency=world.agency, roles=["intake"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_staff_list_sorts_accented_and_lower_case_names_among_the_others(
    world, newcomers, language
):
    with translation.override(language):
        names = [member.user.full_name for member in staff_list(agency=world.agency)]
    assert [name for name in names if name in NAMES] == [
        "Émile Roy",
        "eric Émond",
        "Ève Aubin",
        "Zoé Zayed",
    ]


def test_the_collations_are_icus_wherever_the_server_has_icu(db):
    with connection.cursor() as cursor:
        # initdb writes the *-x-icu collations only on a server built with ICU.
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname LIKE '%-x-icu')")
        [icu] = cursor.fetchone()
        cursor.execute(
            "SELECT collname, collprovider FROM pg_collation WHERE collname LIKE 'ipv\\_%' "
            "ORDER BY collname"
        )
        collations = cursor.fetchall()
    provider = "i" if icu else "c"
    assert collations == [("ipv_en", provider), ("ipv_fr", provider)]
