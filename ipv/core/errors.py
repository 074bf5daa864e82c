"""Error reports to Sentry (sentry-sdk), when SENTRY_DSN is set, with personal data taken out.

A report says where the code failed, never about whom: no request body, cookie, query string,
authorization header or local variable is sent, the user is named by id alone, and any email
address, telephone number or IP address left in a message (an exception's text, a log line
kept as a breadcrumb) is masked. Names cannot be recognised by pattern: the code never puts
case data in exception messages or log lines.
"""

import re

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from ipv.core.logging import mask_secrets

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# North American numbers as people write them: 613-555-0142, (613) 555 0142, +1 613.555.0142.
PHONE = re.compile(r"(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")
IP_ADDRESS = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")
# Where text written at run time can be: the rest (ids, timestamps, versions) is left as it is.
MASKED_PARTS = ("exception", "logentry", "message", "breadcrumbs", "extra", "request", "tags")
KEPT_HEADERS = {"user-agent", "accept-language", "content-type", "host", "referer"}


def init(*, dsn: str, environment: str = "", release: str = "", **options) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_breadcrumb=lambda crumb, hint: _masked(crumb),
        **options,
    )


def scrub(event, hint=None):
    """The event without personal data (before it leaves the process)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = mask_secrets(request["url"].split("?", 1)[0])
        headers = request.get("headers") or {}
        request["headers"] = {
            name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS
        }
        if "referer" in {name.lower() for name in request["headers"]}:
            request["headers"] = {
                name: mask_secrets(value.split("?", 1)[0]) if name.lower() == "referer" else value
                for name, value in request["headers"].items()
            }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for part in MASKED_PARTS:
        if part in event:
            event[part] = _masked(event[part])
    return event


def _masked(value):
    """Every string inside `value` with addresses and telephone numbers masked."""
    if isinstance(value, str):
        value = EMAIL.sub("[email]", value)
        return IP_ADDRESS.sub("[ip]", PHONE.sub("[phone]", value))
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value
