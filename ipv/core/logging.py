"""Log processors. A log line must never carry case data (names, phone numbers, searches) nor
a secret (invitation, password-reset and sign-in unlock links, a facilitator's private calendar
address)."""

import logging
import re

SECRET_PATHS = re.compile(r"(/invitation/|/password/reset/key/|/account/unlock/|/calendar/)[^/?]+")


def mask_secrets(path: str) -> str:
    """A path with any secret link token masked (/fr/invitation/… ), for logs and the trail."""
    return SECRET_PATHS.sub(r"\1…", path)


def drop_query_strings(logger, method_name, event_dict):
    """Keep only the path of a logged request, with any secret link token masked."""
    request = event_dict.get("request")
    if isinstance(request, str):
        event_dict["request"] = mask_secrets(request.split("?", 1)[0])
    return event_dict


class ServerErrorsOnly(logging.Filter):
    """For django.request: the request log line (django-structlog's request_finished) already
    says once that a page was refused (403) or missing (404); Django's own line would say it
    again, with a traceback for a 403. Its server errors stay."""

    def filter(self, record):
        return getattr(record, "status_code", 500) >= 500


class MaskedRequestLine(logging.Filter):
    """For django.server (the development server's access line, "GET /path?query HTTP/1.1"):
    the path without its query string (searches carry names) and with secret tokens masked."""

    def filter(self, record):
        if record.args:
            record.args = tuple(
                _masked(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def _masked(line: str) -> str:
    method, space, rest = line.partition(" ")
    if not space or not rest.startswith("/"):
        return line
    path, space, protocol = rest.partition(" ")
    return f"{method} {mask_secrets(path.split('?', 1)[0])}{space}{protocol}"


class MaskedSecrets(logging.Filter):
    """For Django's own warnings (a refused CSRF check names the path it refused): any secret
    link token in the message or its arguments is masked, as in the request log."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_secrets(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
