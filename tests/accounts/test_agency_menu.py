"""The agency menu: each role's entries, in the reader's language, the page shown marked; and a
staff page reads the person and their second factor in one statement."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

ENTRY = re.compile(r'<a class="nav-link"\s+href="([^"]+)"\s*(aria-current="page")?>([^<]+)</a>')


def _menu(client, world, person, path="/en/a/riviere/"):
    client.force_login(world[person])
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    return [(label.strip(), url, bool(current)) for url, current, label in ENTRY.findall(nav)]


@pytest.mark.parametrize(
    ("person", "labels"),
    [
        (
            "manager",
            [
                "Home",
                "Intake queue",
                "Transfers",
                "Groups",
                "Curriculum",
                "Fees",
                "Staff",
                "Settings",
                "Figures",
                "Audit trail",
                "Outgoing messages",
            ],
        ),
        ("intake", ["Home", "Intake queue", "Transfers", "Groups", "Curriculum", "Figures"]),
        ("facilitator", ["Home", "Groups", "Curriculum", "My calendar"]),
        ("partner_contact", ["Home", "Outreach", "Figures"]),
    ],
)
def test_each_role_sees_the_entries_it_may_open(client, world, person, labels):
    assert [label for label, _url, _current in _menu(client, world, person)] == labels


def test_the_entries_lead_to_the_agencys_pages_and_mark_the_one_shown(client, world):
    menu = _menu(client, world, "intake", "/en/a/riviere/groups/")
    assert menu == [
        ("Home", "/en/a/riviere/", False),
        ("Intake queue", "/en/a/riviere/referrals/", False),
        ("Transfers", "/en/a/riviere/transfers/", False),
        ("Groups", "/en/a/riviere/groups/", True),
        ("Curriculum", "/en/a/riviere/curriculum/", False),
        ("Figures", "/en/a/riviere/figures/", False),
    ]


def test_the_menu_speaks_the_readers_language(client, world):
    menu = _menu(client, world, "facilitator", "/fr/a/riviere/")
    assert menu == [
        ("Tableau de bord", "/fr/a/riviere/", True),
        ("Groupes", "/fr/a/riviere/groups/", False),
        ("Curriculum", "/fr/a/riviere/curriculum/", False),
        ("Mon calendrier", "/fr/a/riviere/calendar/", False),
    ]


def test_a_staff_page_reads_the_person_with_their_second_factor(client, world):
    client.force_login(world["intake"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/a/riviere/").status_code == 200
    second_factor = [q["sql"] for q in queries if "mfa_authenticator" in q["sql"]]
    assert len(second_factor) == 1
    assert '"accounts_user"."email"' in second_factor[0]


def test_a_person_without_a_second_factor_is_still_sent_to_set_one_up(client, world):
    client.force_login(world["no_mfa"])
    response = client.get("/en/a/riviere/")
    assert response.status_code == 302
    assert response["Location"] == "/en/account/2fa/totp/activate/"
