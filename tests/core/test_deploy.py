"""Production settings pass Django's deployment checklist without a single warning."""

import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "ipv.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "ipv.example.org",
    "IPV_BASE_URL": "https://ipv.example.org",
    "IPV_FIELD_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1jaGVjay1vbmx5LWtleS0wMDAwMDA=",
}


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={
            **PRODUCTION,
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            **env,
        },
        capture_output=True,
        text=True,
    )


def test_check_deploy_reports_no_issue_at_all():
    result = _manage(
        "check", "--deploy", "--fail-level", "DEBUG", DJANGO_SECRET_KEY="k" * 30 + "-Zq8!x" * 10
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_secret_key_is_required_outside_debug():
    result = _manage("check")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE" in result.stderr


def test_a_field_encryption_key_is_required_outside_debug():
    result = _manage("check", DJANGO_SECRET_KEY="k" * 50, IPV_FIELD_ENCRYPTION_KEY="")
    assert result.returncode != 0
    assert "Set IPV_FIELD_ENCRYPTION_KEY" in result.stderr


def test_a_malformed_field_encryption_key_is_refused():
    result = _manage("check", DJANGO_SECRET_KEY="k" * 50, IPV_FIELD_ENCRYPTION_KEY="too-short")
    assert result.returncode != 0
    assert "32 bytes in URL-safe base64" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("f" * 20 + "-Kp3!r" * 10 + "\n")
    result = _manage(
        "check", "--deploy", "--fail-level", "DEBUG", DJANGO_SECRET_KEY_FILE=str(key_file)
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.django_db
def test_responses_carry_the_security_headers(client):
    response = client.get("/en/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_https_responses_carry_hsts_outside_debug(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/en/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
