"""A day's work of the agencies' staff, the court and its systems, for Locust.

Run by `manage.py load` (`make load`) as a process of its own: importing Locust patches the
standard library with gevent. It reads the run's plan (LOAD_PLAN, written by
ipv.pages.load.seed.plan): each simulated person takes an account of their persona, already
signed in, and works on their agency's records. Every answer is checked — its status and a
mark of the page in its body — so that a sign-in page, an error page or a refused form counts
as a failure. The results go to LOAD_RESULTS (JSON) when the run ends.

The site runs with production settings: its cookies are Secure and it trusts
X-Forwarded-Proto, as behind the TLS proxy of a real installation. Each client sends that
header, as the proxy would, and returns the cookies it is given, as a browser over HTTPS would
(the loopback's plain HTTP stands for HTTPS: Secure cookies are sent back). FastHttpUser rather than
HttpUser: the load runs on the machine it measures, and its client takes a fraction of the
CPU that requests would take from the site.
"""

import itertools
import json
import os
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser
from requests.cookies import create_cookie

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
# Think time between two clicks, in seconds ("3,7" by default).
WAIT = [float(value) for value in os.environ.get("LOAD_WAIT", "3,7").split(",")]
# A check rather than a load (LOAD_EVERY_TASK=1): one person of each persona does each of its
# tasks once, in order, and the run ends when all have.
EVERY_TASK = os.environ.get("LOAD_EVERY_TASK") == "1"
ONE_EACH = 1 if EVERY_TASK else 0
FINISHED = []
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')
AT = re.compile(r'name="at" value="([^"]+)"')
HTMX_CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
ACCOUNTS = {}
# Each run records new referrals under file numbers of its own.
RUN = uuid.uuid4().hex[:6].upper()
NUMBERS = itertools.count(1)


def _accounts(persona):
    if persona not in ACCOUNTS:
        people = [person for person in PLAN["people"] if person["persona"] == persona]
        ACCOUNTS[persona] = itertools.cycle(people)
    return next(ACCOUNTS[persona])


def refused(response) -> str:
    """What went wrong, as a kind of error (a redirect says where to, without its query)."""
    where = urlsplit(response.headers.get("Location", "")).path
    return f"status {response.status_code}" + (f" to {where}" if where else "")


def finish(environment):
    """In a check, this person is done; the last one ends the run."""
    FINISHED.append(True)
    if len(FINISHED) == environment.parsed_options.num_users:
        gevent.spawn(environment.runner.quit)
    raise StopUser


class OverHTTPS(DefaultCookiePolicy):
    """Secure cookies go back over the loopback, which stands for the TLS proxy's HTTPS."""

    def return_ok_secure(self, cookie, request):
        return True


class Client(FastHttpUser):
    """Behind the TLS proxy: every request says it came over HTTPS, and gets its cookies."""

    abstract = True
    default_headers = {"X-Forwarded-Proto": "https"}

    def __init__(self, environment):
        super().__init__(environment)
        self.client.cookiejar.set_policy(OverHTTPS())


class Staff(Client):
    """A person signed in to the site; subclasses are the personas."""

    abstract = True
    persona = ""
    wait_time = between(*WAIT)

    def on_start(self):
        person = _accounts(self.persona)
        self.email = person["email"]
        self.agency = next((a for a in PLAN["agencies"] if a["slug"] == person.get("agency")), None)
        self.base = f"/fr/a/{self.agency['slug']}" if self.agency else ""
        host = urlsplit(self.host).netloc
        self.origin = f"https://{host}"
        self.client.cookiejar.set_cookie(
            create_cookie("sessionid", person["session"], domain=host.split(":")[0])
        )
        self.csrf = ""
        if EVERY_TASK:
            for name in self.every_task:
                getattr(self, name)()
            finish(self.environment)

    def page(self, url, name, marker, *, headers=None):
        """GET a page that must answer 200 with `marker` in it; the body, or None."""
        with self.client.get(
            url, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(refused(response))
                return None
            if marker not in response.text:
                response.failure("answer without its mark")
                return None
            if token := CSRF.search(response.text):
                self.csrf = token.group(1)
            return response.text

    def send(self, url, name, data, *, expect=302, marker="", headers=None):
        """POST a form as the browser would (CSRF token, Referer); it must answer `expect`
        (302 somewhere other than the sign-in page, or 200 with `marker`)."""
        headers = {"Referer": f"{self.origin}{url}", **(headers or {})}
        with self.client.post(
            url,
            data={"csrfmiddlewaretoken": self.csrf, **data},
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                response.failure(refused(response))
            elif expect == 302 and "/account/login/" in response.headers.get("Location", ""):
                response.failure("sent to sign in")
            elif marker and marker not in response.text:
                response.failure("answer without its mark")

    def pick(self, key):
        return random.choice(self.agency[key])  # noqa: S311 (load data, not security)


class IntakeWorker(Staff):
    fixed_count = ONE_EACH
    persona = "intake"
    weight = 72
    every_task = ["queue", "search", "referral", "participant", "record_referral", "payment"]

    @task(4)
    def queue(self):
        self.page(f"{self.base}/referrals/", "intake queue", 'id="results"')

    @task(3)
    def search(self):
        term = random.choice(PLAN["searches"])  # noqa: S311
        self.page(
            f"{self.base}/referrals/?q={term}&status=all",
            "intake queue: search (htmx)",
            "results-status",
            headers={"HX-Request": "true", "HX-Target": "results"},
        )

    @task(4)
    def referral(self):
        pk = self.pick("referrals")
        self.page(f"{self.base}/referrals/{pk}/", "referral page", f"R-{pk:06d}")

    @task(1)
    def participant(self):
        pk = self.pick("participants")
        self.page(
            f"{self.base}/participants/{pk}/", "participant page", f"/participants/{pk}/edit/"
        )

    @task(1)
    def record_referral(self):
        url = f"{self.base}/referrals/new/"
        form = self.page(url, "record a referral: form", 'name="order-court_file_number"')
        if form is None:
            return
        today = datetime.now(UTC).date()
        number = next(NUMBERS)
        self.send(
            url,
            "record a referral: send",
            {
                "submission": SUBMISSION.search(form).group(1),
                "person-legal_name": f"Charge Personne {number}",
                "person-date_of_birth": "1986-05-04",
                "person-language": "fr",
                "order-program": "ipv",
                "order-stream": "coordinated_prosecution",
                "order-source_order": "probation_order",
                "order-court": PLAN["court"]["id"],
                "order-court_file_number": f"LOAD-{RUN}-{number}",
                "order-charges": "Voies de fait (art. 266)",
                "order-order_date": (today - timedelta(days=10)).isoformat(),
                "order-received_on": (today - timedelta(days=5)).isoformat(),
                "order-complete_by": (today + timedelta(weeks=20)).isoformat(),
                "order-source": "court",
                "named-TOTAL_FORMS": "1",
                "named-INITIAL_FORMS": "0",
                "named-MIN_NUM_FORMS": "0",
                "named-MAX_NUM_FORMS": "1000",
                "named-0-relationship": "victim",
                "named-0-full_name": f"Victime Charge {number}",
                "named-0-language": "fr",
            },
        )

    @task(2)
    def payment(self):
        pk = self.pick("payable")
        fees = f"{self.base}/referrals/{pk}/fees/"
        if self.page(fees, "fee page", f"{fees}payment/") is None:
            return
        url = f"{fees}payment/"
        if self.page(url, "payment: form", 'name="amount"') is None:
            return
        self.send(
            url,
            "payment: send",
            {
                "amount": "5.00",
                "method": "cash",
                "received_on": datetime.now(UTC).astimezone().date().isoformat(),
                "note": "",
            },
        )


class Facilitator(Staff):
    fixed_count = ONE_EACH
    persona = "facilitator"
    weight = 48
    every_task = ["groups", "roster"]

    def _roster(self):
        mine = [r for r in self.agency["rosters"] if self.email in r["facilitators"]]
        return mine[0] if mine else self.agency["rosters"][0]

    @task(1)
    def groups(self):
        self.page(f"{self.base}/groups/", "groups", f"{self.base}/groups/")

    @task(2)
    def roster(self):
        """The roster, then a few lines saved one by one (htmx), a few seconds apart."""
        roster = self._roster()
        url = f"{self.base}/sessions/{roster['session']}/"
        page = self.page(url, "roster", f'hx-post="{url}attendance/')
        if page is None:
            return
        token = HTMX_CSRF.search(page).group(1)
        for referral in random.sample(roster["referrals"], 3):
            status = random.choice(["present"] * 5 + ["late", "excused"])  # noqa: S311
            self.send(
                f"{url}attendance/{referral}/",
                "roster: save a line (htmx)",
                {
                    f"r{referral}-status": status,
                    f"r{referral}-minutes_late": "10" if status == "late" else "",
                    f"r{referral}-note": "",
                },
                expect=200,
                marker=f"row-{referral}",
                headers={"HX-Request": "true", "X-CSRFToken": token},
            )


class PartnerContactWorker(Staff):
    fixed_count = ONE_EACH
    persona = "partner_contact"
    weight = 48
    every_task = ["home", "record", "log_contact"]

    @task(3)
    def home(self):
        self.page(f"{self.base}/outreach/", "outreach home", f"{self.base}/outreach/")

    @task(3)
    def record(self):
        pk = self.pick("victims")
        url = f"{self.base}/outreach/people/{pk}/"
        self.page(url, "outreach record", f"{url}contacts/new/")

    @task(1)
    def log_contact(self):
        pk = self.pick("victims")
        url = f"{self.base}/outreach/people/{pk}/contacts/new/"
        form = self.page(url, "log a contact: form", 'name="outcome"')
        if form is None:
            return
        self.send(
            url,
            "log a contact: send",
            {
                "submission": SUBMISSION.search(form).group(1),
                "at": AT.search(form).group(1),
                "channel": "phone",
                "inbound": "on",
                "outcome": "reached",
                "note": "",
            },
        )


class Manager(Staff):
    fixed_count = ONE_EACH
    persona = "manager"
    weight = 16
    every_task = ["home", "fees", "queue"]

    @task(2)
    def home(self):
        self.page(f"{self.base}/", "agency home", f"{self.base}/referrals/")

    @task(1)
    def fees(self):
        self.page(f"{self.base}/fees/", "fees overview", f"{self.base}/fees/schedule/")

    @task(2)
    def queue(self):
        self.page(f"{self.base}/referrals/?overdue=on", "intake queue: overdue", 'id="results"')


class LiaisonOfficer(Staff):
    fixed_count = ONE_EACH
    persona = "liaison"
    weight = 12
    every_task = ["portal", "search", "referral", "certificate"]

    @task(3)
    def portal(self):
        self.page("/fr/court/", "court portal", "/fr/court/referrals/")

    @task(1)
    def search(self):
        term = random.choice(PLAN["searches"])  # noqa: S311
        self.page(f"/fr/court/?q={term}&status=all", "court portal: search", "/fr/court/")

    @task(2)
    def referral(self):
        pk = random.choice(PLAN["court"]["referrals"])  # noqa: S311
        self.page(f"/fr/court/referrals/{pk}/", "court referral page", "status-badge")

    @task(1)
    def certificate(self):
        pk = random.choice(PLAN["court"]["certificates"])  # noqa: S311
        with self.client.get(
            f"/fr/court/referrals/{pk}/certificate/",
            name="court: certificate PDF",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(refused(response))
            elif not response.content.startswith(b"%PDF"):
                response.failure("answer without its mark")


class CourtSystem(Client):
    """A court's case system syncing the referrals it follows, as the README tells it to: from
    the last change seen (the lists leave out what may still be on its way), following the
    cursors to the end."""

    fixed_count = ONE_EACH or len(PLAN["api_tokens"])
    wait_time = between(*[value * 2 for value in WAIT])
    tokens = itertools.cycle(PLAN["api_tokens"])

    def on_start(self):
        self.authorization = {"Authorization": f"Bearer {next(self.tokens)}"}
        # A system that has been syncing all along: the last quarter of an hour to catch up.
        self.since = (datetime.now(UTC) - timedelta(minutes=15)).isoformat()
        if EVERY_TASK:
            self.sync()
            finish(self.environment)

    @task
    def sync(self):
        params = {"changed_since": self.since, "limit": 100}
        seen = None
        while params:
            with self.client.get(
                "/api/v1/referrals/",
                params=params,
                headers=self.authorization,
                name="API: referrals sync",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                body = response.json() if response.status_code == 200 else {}
                if "results" not in body:
                    response.failure(f"status {response.status_code}")
                    return
                if body["results"]:
                    seen = body["results"][-1]["changed_at"]
                cursor = body.get("next_cursor")
                params = {"cursor": cursor, "limit": 100} if cursor else None
        if seen:
            self.since = seen


def _row(name, entry) -> dict:
    return {
        "name": name,
        "count": entry.num_requests,
        "failures": entry.num_failures,
        "per_second": round(entry.total_rps, 2),
        "p50_ms": round(entry.get_response_time_percentile(0.50) or 0),
        "p95_ms": round(entry.get_response_time_percentile(0.95) or 0),
        "p99_ms": round(entry.get_response_time_percentile(0.99) or 0),
        "max_ms": round(entry.max_response_time or 0),
    }


@events.quitting.add_listener
def write_results(environment, **_):
    """The run's figures, per request and in total, and its errors by kind."""
    stats = environment.stats
    total = stats.total
    result = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "users": environment.parsed_options.num_users if environment.parsed_options else None,
        "seconds": round((total.last_request_timestamp or total.start_time) - total.start_time, 1),
        "requests": [
            _row(entry.name, entry)
            for entry in sorted(stats.entries.values(), key=lambda entry: entry.name)
        ],
        "total": _row("total", total),
        "errors": [
            {"name": error.name, "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ],
    }
    # An exception in a task (an answer that could not be read) is an error too.
    runner = environment.runner
    for exception in runner.exceptions.values() if runner else []:
        result["errors"].append(
            {"name": "exception", "error": exception["msg"], "count": exception["count"]}
        )
        result["total"]["failures"] += exception["count"]
    Path(os.environ["LOAD_RESULTS"]).write_text(json.dumps(result, indent=2))
