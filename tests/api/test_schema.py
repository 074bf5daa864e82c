"""The API's OpenAPI schema holds: Schemathesis sends every operation examples drawn from it
(a fixed number, derandomised) and no answer is a server error, breaks the schema or has a
status the schema does not give. The docs are served from our own static files."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from ipv.api.serializers import OrderInSerializer, ParticipantInSerializer
from ipv.audit.models import AuditEvent
from referrals.forms import EReferralForm, ParticipantForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_settings(settings):
    return settings


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, that keeps the test's connection (and transaction) open
    between requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


EXAMPLES = 40
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

EXAMPLES_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_every_operation_answers_within_its_schema(world, token, django_settings, wsgi_app):
    django_settings.IPV_API_CALLS_PER_MINUTE = 100_000
    django_settings.ALLOWED_HOSTS = ["localhost"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(operation.method.upper(), operation.path) for operation in operations} == {
        ("GET", "/api/v1/referrals/"),
        ("POST", "/api/v1/referrals/"),
        ("GET", "/api/v1/referrals/{id}/"),
        ("GET", "/api/v1/referrals/{id}/certificate/"),
        ("GET", "/api/v1/referrals/{id}/reports/{report_pk}/"),
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @EXAMPLES_SETTINGS
        def answers(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        answers()
    # A positive control: the examples reached the API (each call is audited).
    calls = AuditEvent.objects.filter(action__startswith="api_")
    assert calls.count() >= len(operations) * EXAMPLES // 2
    assert calls.filter(details__status__in=[200, 201]).exists()


def test_the_docs_are_served_from_our_own_static_files(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "//unpkg" not in html
    # Nothing inline, which the site's Content-Security-Policy would block.
    assert "<style" not in html and "<script>" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "/api/v1/schema/" in script.content.decode()


def test_the_schema_names_the_e_referral_forms_own_fields():
    assert set(ParticipantInSerializer().fields) == set(ParticipantForm.base_fields)
    assert set(OrderInSerializer().fields) == set(EReferralForm.base_fields)
