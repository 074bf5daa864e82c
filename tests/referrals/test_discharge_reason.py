"""A discharge says why as a code (counted in the statistics), besides the worker's words."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from referrals.models import DischargeReason, Referral, Status
from referrals.services.referrals import referral_transition

pytestmark = pytest.mark.django_db


def page(world, rest=""):
    return f"/en/a/{world.agency.slug}/referrals/{world.referral.pk}/{rest}"


def under_review(world):
    Referral.objects.filter(pk=world.referral.pk).update(status=Status.NON_COMPLIANT)
    return Referral.objects.get(pk=world.referral.pk)


def test_a_discharge_keeps_its_reason_code_and_the_workers_words(world):
    referral = referral_transition(
        referral=under_review(world),
        name="discharge",
        by=world["intake"],
        reason="Hit a participant during the session.",
        discharge_reason=DischargeReason.CONDUCT,
    )
    referral.refresh_from_db()
    assert (referral.status, referral.discharge_reason) == ("discharged", "conduct")
    entry = referral.timeline.get(kind="discharge")
    assert entry.reason == "Hit a participant during the session."
    assert entry.details["discharge_reason"] == "conduct"


@pytest.mark.parametrize("code", ["", "bored"])
def test_a_discharge_without_a_known_reason_code_is_refused(world, code):
    with pytest.raises(ValidationError) as refused:
        referral_transition(
            referral=under_review(world),
            name="discharge",
            by=world["intake"],
            reason="Stopped coming.",
            discharge_reason=code,
        )
    assert "discharge_reason" in refused.value.error_dict
    assert Referral.objects.get(pk=world.referral.pk).status == Status.NON_COMPLIANT


def test_only_a_discharge_has_a_reason_code_in_the_database(world):
    # Positive control: a discharge with its code is accepted by the constraint.
    Referral.objects.filter(pk=world.referral.pk).update(
        status=Status.DISCHARGED, discharge_reason="absences"
    )
    for status, code in (("discharged", ""), ("withdrawn", "absences"), ("discharged", "x")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Referral.objects.filter(pk=world.referral.pk).update(
                status=status, discharge_reason=code
            )


def test_the_discharge_form_asks_why_and_the_referral_page_shows_it(client, world):
    under_review(world)
    client.force_login(world["intake"])
    url = page(world, "status/discharge/")
    refused = client.post(url, {"reason": "Stopped coming."})
    assert refused.status_code == 400
    assert refused.context["form"].errors["discharge_reason"] == ["This field is required."]
    assert Referral.objects.get(pk=world.referral.pk).status == Status.NON_COMPLIANT

    done = client.post(url, {"reason": "Stopped coming.", "discharge_reason": "not_engaged"})
    assert done.status_code == 302
    assert Referral.objects.get(pk=world.referral.pk).discharge_reason == "not_engaged"
    shown = client.get(page(world)).content.decode()
    assert "Reason for the discharge:" in shown
    assert "Did not take part in the program" in shown


def test_other_transitions_take_no_reason_code(world):
    with pytest.raises(ValueError, match="only a discharge"):
        referral_transition(
            referral=world.referral,
            name="contact",
            by=world["intake"],
            reason="Reached.",
            discharge_reason="absences",
        )


def test_earlier_discharges_get_absences_when_reviewed_for_absences_else_other(world):
    from importlib import import_module

    from referrals.models import TimelineEntry

    migration = import_module("referrals.migrations.0009_referral_discharge_reason").Migration
    backfill = next(op for op in migration.operations if op.__class__.__name__ == "RunSQL")
    second = Referral.objects.get(court_file_number="4811-998-26-00002")
    with connection.cursor() as cursor:
        # As before the migration (PostgreSQL rolls this back with the test's transaction).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE referrals_referral DROP CONSTRAINT referrals_discharge_reason")
        Referral.objects.filter(pk__in=[world.referral.pk, second.pk]).update(
            status=Status.DISCHARGED, discharge_reason=""
        )
        for referral, code in ((world.referral, "unexcused_absences"), (second, "")):
            TimelineEntry.objects.create(
                agency=world.agency,
                referral=referral,
                kind="flag_non_compliance",
                from_status="enrolled",
                to_status="non_compliant",
                reason="" if code else "Threatened another participant.",
                reason_code=code,
                by=world["intake"],
            )
        cursor.execute(backfill.sql)
    assert Referral.objects.get(pk=world.referral.pk).discharge_reason == "absences"
    assert Referral.objects.get(pk=second.pk).discharge_reason == "other"
    # An open referral keeps none.
    assert Referral.objects.get(pk=world.other_referral.pk).discharge_reason == ""
