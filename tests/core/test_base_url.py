"""Links written for people outside the page (emails, a certificate's QR code and the address
printed under it) point where the site is reached: in debug, the port `make run` serves on; in
production, IPV_BASE_URL."""

import subprocess
import sys

import pytest
from django.conf import settings

from ipv.pages.management.commands.serve import Command as Serve

# What a child process prints: the base URL, the address a certificate gives, the origin
# trusted for forms.
PRINT = (
    "from django.conf import settings;"
    "from sessions_app.services.documents import verify_url;"
    "print(settings.IPV_BASE_URL);"
    "print(verify_url('7KQF-3XWM-PA9C', 'fr'));"
    "print(settings.CSRF_TRUSTED_ORIGINS)"
)
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "production-check-only-" + "k" * 40,
    "IPV_FIELD_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1jaGVjay1vbmx5LWtleS0wMDAwMDA=",
    "DJANGO_ALLOWED_HOSTS": "ipv.example.org",
}


def _shell(env):
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def plain_environment(monkeypatch, tmp_path):
    """The environment of `make run` on a workstation: no base URL, no port said."""
    monkeypatch.delenv("IPV_BASE_URL", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "ipv.settings")
    monkeypatch.setenv("IPV_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", settings.DATABASE_URL)
    monkeypatch.setenv("REDIS_URL", settings.REDIS_URL)


def test_in_debug_the_site_worker_and_beat_link_to_the_port_make_run_serves_on(
    plain_environment, monkeypatch
):
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    result = _shell(Serve().children_env(8801))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "http://127.0.0.1:8801",
        "http://127.0.0.1:8801/fr/verify/7KQF-3XWM-PA9C/",
        "['http://127.0.0.1:8801']",
    ]


def test_in_debug_the_default_port_is_8000_and_a_base_url_given_wins(plain_environment):
    debug = {**Serve().children_env(8000), "DJANGO_DEBUG": "1"}
    assert _shell(debug).stdout.splitlines()[0] == "http://127.0.0.1:8000"
    given = _shell({**debug, "PORT": "8801", "IPV_BASE_URL": "http://ipv.internal:9000/"})
    assert given.stdout.splitlines()[0] == "http://ipv.internal:9000"


def test_in_production_links_use_ipv_base_url_whatever_the_port(plain_environment):
    env = {
        **Serve().children_env(8801),
        **PRODUCTION,
        "IPV_BASE_URL": "https://ipv.example.org/",
    }
    result = _shell(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "https://ipv.example.org",
        "https://ipv.example.org/fr/verify/7KQF-3XWM-PA9C/",
        "['https://ipv.example.org']",
    ]


def test_in_production_a_missing_base_url_stops_the_start_with_a_clear_message(
    plain_environment,
):
    result = _shell({**Serve().children_env(8000), **PRODUCTION})
    assert result.returncode != 0
    assert "Set IPV_BASE_URL to the site's public address" in result.stderr
    assert "http://127.0.0.1" not in result.stdout
