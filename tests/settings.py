"""Settings for the test suite: production settings, with only what a test run needs changed."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-never-used-outside-the-test-suite")
os.environ.setdefault("IPV_FIELD_ENCRYPTION_KEY", "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTA=")
os.environ.setdefault("IPV_BASE_URL", "http://127.0.0.1:8000")

from ipv.settings import *  # noqa: F403
from ipv.settings import CACHES, STORAGES

# The test client speaks plain HTTP; the HTTPS redirect is covered by the deploy check test.
SECURE_SSL_REDIRECT = False
# No collectstatic before tests: serve static files from their sources.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Parallel workers share one Redis: keep their keys apart.
CACHES["redis"]["KEY_PREFIX"] = f"ipv-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Static files straight from their sources (no collectstatic before a test run).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Tasks run inline: what a worker would do happens before the test goes on.
CELERY_TASK_ALWAYS_EAGER = True
# One step of clock drift either way, so a test may use the next code without waiting 30 s.
MFA_TOTP_TOLERANCE = 1
# A change is listed by the API as soon as nothing is writing (tests/api/test_settled.py sets
# the production margin where it checks it).
IPV_API_SETTLING_SECONDS = 0
