"""Dates with bounds on the referral's side: an intake booked within a year, an order's dates
within reason, and nothing a page cannot show reaches the database by any path."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from referrals.models import Intake, Referral
from referrals.services.intake import intake_book
from tests.conftest import make_referral
from tests.referrals.test_referral_form import form_data, new_url

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book_url(referral):
    return f"/en/a/riviere/referrals/{referral.pk}/intake/book/"


def booking(moment):
    return {"scheduled_at": moment, "mode": "in_person", "location": "100 Main Street"}


def test_an_intake_booked_for_9999_is_refused_and_the_referral_still_opens(client, world):
    client.force_login(world["intake"])
    refused = client.post(book_url(world.referral), booking("9999-12-31T23:30"))
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "scheduled_at": ["Book the intake within a year (by 24 Nov 2027, 10 a.m.)."]
    }
    assert 'value="9999-12-31T23:30"' in refused.content.decode()  # nothing typed is lost
    assert not Intake.objects.filter(referral=world.referral).exists()
    assert client.get(f"/en/a/riviere/referrals/{world.referral.pk}/").status_code == 200
    client.force_login(world["admin"])
    assert client.get("/en/admin/referrals/intake/").status_code == 200


def test_an_intake_is_booked_up_to_a_year_ahead_and_no_further(client, world):
    client.force_login(world["intake"])
    too_far = client.post(book_url(world.referral), booking("2099-01-05T10:00"))
    assert too_far.status_code == 400
    assert "Book the intake within a year" in too_far.context["form"].errors["scheduled_at"][0]
    within = client.post(book_url(world.referral), booking("2027-11-23T10:00"))
    assert within.status_code == 302
    intake = Intake.objects.get(referral=world.referral)
    assert intake.scheduled_at == datetime(2027, 11, 23, 10, 0, tzinfo=TORONTO)
    assert client.get(f"/en/a/riviere/referrals/{world.referral.pk}/").status_code == 200


def test_the_service_books_no_intake_further_than_a_year(world, english):
    with pytest.raises(ValidationError) as refused:
        intake_book(
            referral=world.referral,
            by=world["intake"],
            scheduled_at=datetime(9999, 12, 31, 23, 30, tzinfo=TORONTO),
            mode="in_person",
        )
    assert refused.value.message_dict == {
        "scheduled_at": ["Book the intake within a year (by 24 Nov 2027, 10 a.m.)."]
    }


def test_a_french_page_says_the_limit_in_french(client, world):
    client.force_login(world["intake"])
    refused = client.post(
        f"/fr/a/riviere/referrals/{world.referral.pk}/intake/book/", booking("9999-12-31T23:30")
    )
    [message] = refused.context["form"].errors["scheduled_at"]
    assert message.startswith("Fixez l")
    assert "24 novembre 2027" in message


def test_the_database_refuses_an_appointment_in_year_10000_whatever_the_path(world):
    intake_book(
        referral=world.referral,
        by=world["intake"],
        scheduled_at=NOW + timedelta(days=2),
        mode="in_person",
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_intake SET scheduled_at = '9999-12-31 23:30-05' "
            "WHERE referral_id = %s",
            [world.referral.pk],
        )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"order-order_date": "0001-01-01", "order-complete_by": "9999-12-31"},
            {
                "order_date": ["An order older than five years has run out: check the date."],
                "complete_by": ["A complete-by date is within three years: by 23 Nov 2029."],
            },
        ),
        (
            {"order-return_court_date": "2099-01-01"},
            {"return_court_date": ["A return court date is within two years: by 23 Nov 2028."]},
        ),
        (
            {"order-received_on": "2026-11-25"},
            {"received_on": ["A referral cannot be received in the future."]},
        ),
        (
            {"order-order_date": "2026-11-25", "order-received_on": "2026-11-24"},
            {
                "order_date": ["An order cannot be dated in the future."],
            },
        ),
    ],
)
def test_an_orders_dates_are_refused_beyond_reason_and_what_was_typed_stays(
    client, world, changes, errors
):
    client.force_login(world["intake"])
    before = Referral.objects.count()
    response = client.post(new_url(world), form_data(world, **changes))
    assert response.status_code == 400
    form = response.context["order_form"]
    assert {name: form.errors[name] for name in errors} == errors
    for value in changes.values():
        assert f'value="{value}"' in response.content.decode()
    assert Referral.objects.count() == before


def test_an_order_within_reason_is_recorded(client, world):
    client.force_login(world["intake"])
    changes = {
        "order-order_date": "2022-01-10",
        "order-received_on": "2026-11-24",
        "order-return_court_date": "2028-11-23",
        "order-complete_by": "2029-11-23",
    }
    assert client.post(new_url(world), form_data(world, **changes)).status_code == 302


def test_the_service_refuses_an_order_of_year_1_whatever_the_form(world, english):
    with pytest.raises(ValidationError) as refused:
        make_referral(
            world.agency,
            world["intake"],
            world.court,
            order_date=date(1, 1, 1),
            complete_by=date(9999, 12, 31),
            court_file_number="4811-998-26-00404",
        )
    assert "Enter a date from the year 2000 to the year 2099." in refused.value.messages
