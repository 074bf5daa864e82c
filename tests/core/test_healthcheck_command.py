"""`manage.py healthcheck beat`: the beat container's health check, from the heartbeat that
/healthz shows."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ipv.core.models import Heartbeat


@pytest.mark.django_db
def test_a_fresh_heartbeat_is_healthy(capsys):
    Heartbeat.objects.create(name="beat", at=timezone.now() - datetime.timedelta(seconds=30))
    call_command("healthcheck", "beat")
    assert "beat: last heartbeat 30 s ago" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_late_heartbeat_is_unhealthy():
    Heartbeat.objects.create(name="beat", at=timezone.now() - datetime.timedelta(seconds=91))
    with pytest.raises(CommandError, match="beat: last heartbeat 91 s ago"):
        call_command("healthcheck", "beat")


@pytest.mark.django_db
def test_no_heartbeat_is_unhealthy_whatever_the_workers_say():
    Heartbeat.objects.create(name="worker", at=timezone.now())
    with pytest.raises(CommandError, match="beat: no heartbeat yet"):
        call_command("healthcheck", "beat")
