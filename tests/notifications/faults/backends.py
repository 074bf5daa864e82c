"""Providers for the fault tests: each message "sent" is one line appended to a file named by
IPV_FAULTS_DELIVERIES, written with O_APPEND in one write, so that several worker processes
(and one killed mid-way) leave a complete, countable record of what reached the provider.
IPV_FAULTS_DELAY (seconds) is how long the provider's answer takes to come back once it has
accepted the message: a worker killed then has sent a message it has not recorded as sent."""

import json
import os
import time

from django.core.mail.backends.base import BaseEmailBackend
from sms.backends.base import BaseSmsBackend


def _record(channel: str, message_id: str, to: list[str]) -> None:
    line = json.dumps({"pid": os.getpid(), "channel": channel, "id": message_id, "to": to})
    descriptor = os.open(
        os.environ["IPV_FAULTS_DELIVERIES"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
    )
    try:
        os.write(descriptor, (line + "\n").encode())
    finally:
        os.close(descriptor)
    time.sleep(float(os.environ.get("IPV_FAULTS_DELAY") or 0))


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            _record("email", message.extra_headers.get("Message-ID", ""), list(message.to))
        return len(email_messages)


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages):
        for message in messages:
            _record("sms", "", list(message.recipients))
        return len(messages)


def deliveries(path) -> list[dict]:
    """What the providers accepted, in order (a line being written is left for the next read)."""
    if not os.path.exists(path):
        return []
    with open(path) as record:
        return [
            json.loads(line)
            for line in record.read().splitlines(keepends=True)
            if line.endswith("\n")
        ]
