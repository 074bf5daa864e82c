"""`make load`'s machinery against a live server: the data set at a handful's size, the run's
plan, and Locust itself (a process of its own) with one person of each persona doing each of
their tasks once. Every answer is checked by the locustfile, so a run passes only when each
page answered with its own content; and a run whose people are not signed in fails."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ipv.accounts.models import Role
from ipv.pages.load import seed
from ipv.pages.management.commands.load import LOCUSTFILE

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = seed.Size(
    agencies=(seed.FIRST_AGENCY,),
    referrals=20,
    groups=1,
    group_size=4,
    staff={Role.MANAGER: 1, Role.INTAKE: 1, Role.FACILITATOR: 1, Role.PARTNER_CONTACT: 2},
    officers=1,
    api_clients=1,
    certificates=1,
    demo=False,
)
# Every request of every persona's day, written out by hand.
REQUESTS = {
    "intake queue",
    "intake queue: search (htmx)",
    "referral page",
    "participant page",
    "record a referral: form",
    "record a referral: send",
    "fee page",
    "payment: form",
    "payment: send",
    "groups",
    "roster",
    "roster: save a line (htmx)",
    "outreach home",
    "outreach record",
    "log a contact: form",
    "log a contact: send",
    "agency home",
    "fees overview",
    "intake queue: overdue",
    "court portal",
    "court portal: search",
    "court referral page",
    "court: certificate PDF",
    "API: referrals sync",
}
PERSONAS = 6  # intake, facilitator, partner contact, manager, liaison officer, court system


def run_locust(host, plan, tmp_path) -> tuple[int, dict]:
    """Locust in its own process, one person of each persona doing each task once."""
    plan_path, results = tmp_path / "plan.json", tmp_path / "load.json"
    plan_path.write_text(json.dumps(plan))
    finished = subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            host,
            "--users",
            str(PERSONAS),
            "--spawn-rate",
            str(PERSONAS),
            "--run-time",
            "60s",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={
            **os.environ,
            "LOAD_PLAN": str(plan_path),
            "LOAD_RESULTS": str(results),
            "LOAD_WAIT": "0,0",
            "LOAD_EVERY_TASK": "1",
        },
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    return finished.returncode, json.loads(results.read_text())


@pytest.fixture
def host(live_server, settings):
    """The live server by its address, as `make load` serves: the HTTP client keeps no cookie
    for a name without a dot such as localhost."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    return live_server.url.replace("localhost", "127.0.0.1")


def test_every_task_of_every_persona_answers_with_its_page(host, tmp_path):
    seed.seed(SMALL)
    plan = seed.plan(SMALL)

    code, result = run_locust(host, plan, tmp_path)

    assert result["errors"] == []
    assert result["total"]["failures"] == 0
    assert {row["name"] for row in result["requests"]} == REQUESTS
    assert all(row["count"] >= 1 and row["failures"] == 0 for row in result["requests"])
    assert code == 0


def test_people_not_signed_in_make_every_request_an_error(host, tmp_path):
    plan = {
        "people": [
            {"persona": persona, "email": f"{persona}@nowhere.test", "agency": "nowhere"}
            | {"session": "not-a-session-of-this-site"}
            for persona in ("intake", "facilitator", "partner_contact", "manager", "liaison")
        ],
        "agencies": [
            {
                "slug": "nowhere",
                "referrals": [1],
                "participants": [1],
                "payable": [1],
                "rosters": [{"session": 1, "facilitators": [], "referrals": [1, 2, 3]}],
                "victims": [1],
            }
        ],
        "court": {"id": 1, "referrals": [1], "certificates": [1]},
        "api_tokens": ["ipv_00000000_not-a-token"],
        "searches": ["roy"],
    }

    code, result = run_locust(host, plan, tmp_path)

    assert code != 0
    assert result["total"]["count"] >= PERSONAS
    assert result["total"]["failures"] == result["total"]["count"]
    kinds = {error["error"] for error in result["errors"]}
    # Pages send the signed-out to sign in; the API refuses the token.
    assert kinds == {"status 302 to /fr/account/login/", "status 401"}


def test_the_load_site_gets_a_redis_of_its_own_never_the_configured_one(settings, monkeypatch):
    """What the load site queues would otherwise be run by the configured Redis's workers,
    against their own database; its cached figures would be read by the real site."""
    from urllib.parse import urlsplit

    from ipv.pages.management.commands import load

    started = {}
    monkeypatch.setattr(load.subprocess, "Popen", lambda command, env, **kw: started.update(env))
    load.Command()._gunicorn("ipv_load", 8999, 1, "unix:///tmp/load/redis.socket")
    assert started["REDIS_URL"] == "unix:///tmp/load/redis.socket"
    assert settings.REDIS_URL not in started.values()
    assert urlsplit(started["DATABASE_URL"]).path == "/ipv_load"


def test_durations_are_read_as_locust_writes_them():
    from ipv.pages.management.commands.load import seconds

    assert [seconds(text) for text in ("2m", "90s", "90", "1m30s", "1h")] == [120, 90, 90, 90, 3600]
    for wrong in ("", "2 minutes", "m", "-5s"):
        with pytest.raises(ValueError):
            seconds(wrong)


def test_the_run_is_counted_once_everyone_has_started_unless_from_the_start():
    from ipv.pages.management.commands.load import counting

    assert counting(120, 200, 20) == ["--run-time", "130s", "--reset-stats"]
    assert counting(120, 200, 30) == ["--run-time", "127s", "--reset-stats"]
    assert counting(120, 200, 20, from_start=True) == ["--run-time", "120s"]
