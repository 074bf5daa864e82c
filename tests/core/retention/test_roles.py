"""The daily job runs in the worker, connected as the application role, which may not change
the history or the timeline: the job switches to the owner for its run (ipv.core.roles), and
the application role alone is refused.

Transactional: the roles are two connections, each must see what the other committed."""

import pytest
import time_machine
from django.db import connection
from psycopg import errors

from ipv.core.history import event_model, history_scrub
from ipv.pages.retention import retention_apply
from referrals.models import Participant
from tests.core.retention.making import (
    CLOSED,
    DAY,
    SEVEN_YEARS_ON,
    a_file,
    victim_of,
    withdraw,
)
from victims.rls import confidential
from victims.services.outreach import outreach_close

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_by_the_worker_as_the_application_role_it_still_scrubs_the_history(as_app, place):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (as_app.role,)
    agency, _court, intake, worker = place
    with time_machine.travel(CLOSED - 10 * DAY, tick=False):
        old = a_file(place, "Jean-Marc Tremblay", "4811-998-26-00001")
    withdraw(old, intake, CLOSED)
    with time_machine.travel(CLOSED, tick=False):
        outreach_close(victim=victim_of(old), by=worker, because="follow_up_done")
    # The control: the application role by itself may not rewrite the history.
    with pytest.raises(Exception) as refused:
        history_scrub(Participant, [old.participant_id], legal_name="")
    assert isinstance(refused.value.__cause__, errors.InsufficientPrivilege)
    with time_machine.travel(SEVEN_YEARS_ON + DAY, tick=False):
        report = retention_apply()
    assert report.total("referrals_deidentified") == 1
    assert report.total("contacts_destroyed") == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (as_app.role,)  # back to the application role
    history = event_model(Participant).objects.filter(pgh_obj_id=old.participant_id)
    assert set(history.values_list("legal_name", flat=True)) == {""}
    with confidential(agency):
        assert victim_of(old).phone == ""
