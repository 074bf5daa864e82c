"""The request log says what each request answered, once: `/` is a redirect (not a missing
page), and a refused page is one warning without a traceback."""

import logging

import pytest

from ipv.core.logging import ServerErrorsOnly

pytestmark = pytest.mark.django_db


def warnings(caplog):
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_the_root_address_is_logged_as_the_redirect_it_answers(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/", headers={"Accept-Language": "en-CA"})
    assert (response.status_code, response["Location"]) == (302, "/en/")
    assert "Accept-Language" in response["Vary"]
    finished = [r.msg for r in caplog.records if getattr(r, "msg", None) and "code" in r.msg]
    assert [entry["code"] for entry in finished] == [302]
    assert warnings(caplog) == []


def test_a_refused_page_is_logged_once_without_a_traceback(client, world, caplog):
    client.force_login(world["facilitator"])
    caplog.set_level(logging.INFO)
    assert client.get(f"/en/a/{world.agency.slug}/fees/").status_code == 403
    [warning] = warnings(caplog)
    assert warning.msg["code"] == 403
    assert warning.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_missing_page_is_logged_once(client, world, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/en/no-such-page/").status_code == 404
    [warning] = warnings(caplog)
    assert warning.msg["code"] == 404


def test_server_errors_still_reach_djangos_request_log():
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", None, None)
    record.status_code = 500
    assert ServerErrorsOnly().filter(record)
    record.status_code = 403
    assert not ServerErrorsOnly().filter(record)


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.mark.parametrize(
    "line",
    [
        "GET /en/invitation/X23o1RRpiFy03G7cRPbZs5JxdpXgThpzEEuBLQMStrg/ HTTP/1.1",
        "GET /en/account/password/reset/key/4-diuhbs-939b805c762e57b341131cd9b66cab2f/ HTTP/1.1",
        "GET /en/calendar/X23o1RRpiFy03G7cRPbZs5JxdpXgThpzEEuBLQMStrg.ics HTTP/1.1",
        "GET /en/a/riviere/referrals/?q=X23o1RRpiFy03G7cRPbZs5JxdpXgThpzEEuBLQMStrg HTTP/1.1",
    ],
)
def test_the_development_servers_access_line_carries_no_secret_and_no_search(line):
    kept = Kept()
    server = logging.getLogger("django.server")
    server.addHandler(kept)
    try:
        # As django.core.servers.basehttp.WSGIRequestHandler.log_message writes it.
        server.info('"%s" %s %s', line, "200", "5399")
    finally:
        server.removeHandler(kept)
    [logged] = kept.lines
    assert "X23o1RRpiFy03G7cRPbZs5JxdpXgThpzEEuBLQMStrg" not in logged
    assert "939b805c762e" not in logged
    # The control: the rest of the line is still there to read.
    assert logged.startswith('"GET /en/') and logged.endswith(' HTTP/1.1" 200 5399')


def test_a_refused_csrf_check_does_not_write_the_unlock_token(caplog):
    from django.test import Client

    token = "LfVUJE1Et9AgQmV0aGVyLW5vdC1hLXRva2Vu:1xY0z9:2f_4i3SsecretPart"
    caplog.set_level(logging.WARNING)
    response = Client(enforce_csrf_checks=True).post(f"/en/account/unlock/{token}/")
    assert response.status_code == 403
    logged = [record.getMessage() for record in caplog.records]
    assert any("/en/account/unlock/…/" in line for line in logged)  # the control: it is logged
    assert not any("secretPart" in line or "LfVUJE1" in line for line in logged)
