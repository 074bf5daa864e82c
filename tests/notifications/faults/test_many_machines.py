"""Many machines, one database and one Redis: two web processes (gunicorn, production settings,
files in the database) and two Celery workers and a beat, all started at once on the test
database and a Redis of their own. A session begun on one web is good on the other; a referral
read on one is changed on the other and seen changed on the first; messages written from pages
on both go out once each, sent by the workers.

The requests come from outside, as a browser's would (the `requests` library, cookies carried
by hand: they are Secure outside debug, and these servers speak plain HTTP on loopback)."""

import re
import sys
from collections import Counter

import pytest
import requests
from django.conf import settings

from ipv.accounts.models import Role
from ipv.notifications.models import OutboxMessage, State
from ipv.notifications.sending import message_id
from referrals.models import Referral, Status
from tests.conftest import PASSWORD, make_person, make_referral, totp_code
from tests.factories import AgencyFactory, CourtFactory
from tests.notifications.faults.conftest import START_SECONDS, wait_for

LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
INVITATIONS = 6


class Browser:
    """One person's browser: its cookies, sent to whichever web it is pointed at."""

    def __init__(self):
        self.cookies = {}

    def _send(self, method, url, **kwargs):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        response = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, url):
        return self._send("GET", url)

    def post(self, url, data):
        return self._send("POST", url, data=data)


def _web(processes, name):
    """gunicorn on a free loopback port, in a session of its own (killed with its children)."""
    process = processes.start_argv(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ipv.wsgi",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--timeout",
            "120",
        ],
        name,
        ready_line="Booting worker",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    return process


def _address(process) -> str:
    port = LISTENING.search(process.log.read_text(errors="replace")).group(1)
    return f"http://127.0.0.1:{port}"


def _healthy(address) -> bool:
    try:
        return requests.get(f"{address}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def machines(processes):
    """Two webs, two workers and a beat, started together; returns the two webs' addresses
    and the workers' process ids."""
    webs = [_web(processes, "web-a"), _web(processes, "web-b")]
    workers = [
        processes.start("worker", "worker-a", wait=False),
        processes.start("worker", "worker-b", wait=False),
    ]
    beat = processes.start("beat", "beat", wait=False)
    processes.wait_ready(*webs, *workers, beat)
    addresses = [_address(web) for web in webs]
    for address in addresses:
        wait_for(lambda a=address: _healthy(a), START_SECONDS, f"{address} to answer")
    return addresses, {worker.pid for worker in workers}


def test_two_webs_and_two_workers_share_the_session_the_case_and_the_outbox(machines, processes):
    (web_a, web_b), worker_pids = machines
    assert settings.IPV_FILE_STORAGE == "database" and "IPV_FILE_STORAGE" not in processes.env
    court = CourtFactory(slug="ottawa")
    agency = AgencyFactory(slug="riviere")
    agency.courts.add(court)
    manager = make_person(
        "manager@riviere.test", "Martine Gagnon", agency=agency, roles=[Role.MANAGER]
    )
    referral = make_referral(agency, manager, court)
    home = f"/fr/a/{agency.slug}/"
    page = f"/fr/a/{agency.slug}/referrals/{referral.pk}/"

    # The session: signed in on A (password, then the authenticator's code), good on B.
    browser = Browser()
    assert browser.get(f"{web_a}/fr/account/login/").status_code == 200
    signed = browser.post(
        f"{web_a}/fr/account/login/", {"login": manager.email, "password": PASSWORD}
    )
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/2fa/authenticate/")
    second = browser.post(f"{web_a}{signed.headers['Location']}", {"code": totp_code()})
    assert second.status_code == 302
    assert browser.get(f"{web_b}{home}").status_code == 200
    # Positive control: without the cookie, B sends the same request to sign in.
    stranger = Browser().get(f"{web_b}{home}")
    assert stranger.status_code == 302
    assert stranger.headers["Location"].startswith("/fr/account/login/")

    # The case: read on A, its first contact recorded on B, seen on A.
    assert browser.get(f"{web_a}{page}").status_code == 200
    contacted = browser.post(f"{web_b}{page}status/contact/", {"reason": "Joint par téléphone."})
    assert contacted.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == Status.CONTACTED
    seen = browser.get(f"{web_a}{page}")
    assert seen.status_code == 200
    assert "Joint par téléphone." in seen.content.decode()

    # The outbox: invitations sent from pages on both webs; each email goes once, by a worker.
    for n in range(INVITATIONS):
        web = (web_a, web_b)[n % 2]
        invited = browser.post(
            f"{web}/fr/a/{agency.slug}/staff/invite/",
            {"email": f"person{n}@riviere.test", "roles": ["intake"], "language": "fr"},
        )
        assert invited.status_code == 302, n
    wait_for(
        lambda: (
            OutboxMessage.objects.filter(key__startswith="invitation").count() == INVITATIONS
            and not OutboxMessage.objects.exclude(state=State.SENT).exists()
        ),
        START_SECONDS,
        "every invitation to be sent",
        processes.logs(),
    )
    keys = OutboxMessage.objects.values_list("key", flat=True)
    assert len(keys) == INVITATIONS
    deliveries = processes.deliveries()
    assert Counter(delivery["id"] for delivery in deliveries) == Counter(
        {message_id(key): 1 for key in keys}
    )
    assert sorted(to for delivery in deliveries for to in delivery["to"]) == sorted(
        f"person{n}@riviere.test" for n in range(INVITATIONS)
    )
    assert {delivery["pid"] for delivery in deliveries} <= worker_pids
