"""The sliding scale: which cell a household falls in, the scale's own rules (bands from $0 up,
each ending where the next begins, the last open-ended), versions that never change an
assessment already made, and the manager's pages that write and show it."""

import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fees import selectors, services
from fees.models import HOUSEHOLD_SIZES, FeeAssessment, FeeBand, FeeSchedule
from tests.conftest import FEE_SCALE, make_referral

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TORONTO)


@pytest.fixture(autouse=True)
def clock():
    """Every test starts on 24 November 2026, before `world` is built."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def band(low, high, fees):
    """One income band as schedule_create takes it: fees for households of 1 to 5 or more."""
    return {
        "income_min": Decimal(low),
        "income_max": Decimal(high) if high is not None else None,
        "fees": dict(zip(HOUSEHOLD_SIZES, map(Decimal, fees), strict=True)),
    }


# Fifty dollars more in every cell of the world's scale.
RAISED = [
    band("0", "40000", ["150", "130", "110", "90", "50"]),
    band("40000", None, ["450", "400", "350", "300", "250"]),
]


def current(world) -> FeeSchedule:
    return services.schedule_in_effect(agency=world.agency)


def assess(world, referral, income, size):
    return services.assessment_create(
        referral=referral,
        by=world["intake"],
        household_income=Decimal(income),
        household_size=size,
        employment="full_time",
    )


def another_referral(world, name="Paul Girard", number="4811-998-26-00077"):
    return make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": name},
        court_file_number=number,
    )


@pytest.mark.parametrize(
    ("income", "size", "fee"),
    [
        ("0", 1, "100"),
        ("39999.99", 2, "80"),
        ("40000", 2, "350"),
        ("40000.01", 3, "300"),
        ("9999999.99", 4, "250"),
    ],
)
def test_an_income_on_a_threshold_belongs_to_the_band_above(world, income, size, fee):
    cell = services.band_for(schedule=current(world), income=Decimal(income), household_size=size)
    assert (cell.household_size, cell.fee) == (size, Decimal(fee))
    assert cell.income_min <= Decimal(income)
    assert cell.income_max is None or Decimal(income) < cell.income_max


@pytest.mark.parametrize(("size", "fee"), [(5, "200"), (6, "200"), (12, "200")])
def test_a_household_larger_than_the_table_pays_the_last_column(world, size, fee):
    assessment = assess(world, another_referral(world), "45000", size)
    assert (assessment.household_size, assessment.band.household_size) == (size, 5)
    assert assessment.standard_fee == Decimal(fee)


def test_a_household_of_nobody_is_refused(world, english):
    with pytest.raises(ValidationError) as refused:
        assess(world, another_referral(world), "45000", 0)
    assert refused.value.message_dict == {
        "household_size": ["A household has at least one person."]
    }


def test_a_negative_income_is_refused_by_the_service(world, english):
    referral = another_referral(world)
    with pytest.raises(ValidationError) as refused:
        assess(world, referral, "-1", 2)
    assert refused.value.message_dict == {"household_income": ["Enter an income of $0 or more."]}
    assert not FeeAssessment.objects.filter(referral=referral).exists()


def test_the_assessment_page_refuses_a_household_of_nobody_and_a_negative_income(client, world):
    referral = another_referral(world)
    client.force_login(world["intake"])
    response = client.post(
        f"/en/a/riviere/referrals/{referral.pk}/fees/assess/",
        {
            "household_income": "-1",
            "household_size": "0",
            "dependants": "0",
            "employment": "full_time",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "household_income": ["Enter an amount of $0.00 or more."],
        "household_size": ["Ensure this value is greater than or equal to 1."],
    }
    assert not FeeAssessment.objects.filter(referral=referral).exists()


def test_a_zero_fee_is_agreed_at_once_and_leaves_nothing_to_pay(world, english):
    referral = another_referral(world)
    assessment = assess(world, referral, "20000", 5)
    assert (assessment.band.fee, assessment.standard_fee) == (Decimal("0"), Decimal("0"))
    proposal = services.proposal_create(referral=referral, by=world["intake"], amount=Decimal(0))
    assert proposal.status == "agreed"
    assert selectors.is_settled(referral)
    with pytest.raises(ValidationError) as refused:
        services.payment_record(
            referral=referral, by=world["intake"], amount=Decimal("10.00"), method="cash"
        )
    assert refused.value.message_dict == {"amount": ["More than what is owed ($0.00)."]}


def test_the_minimum_fee_applies_where_the_band_is_lower(client, world):
    services.schedule_create(
        agency=world.agency,
        by=world["manager"],
        effective_from=date(2026, 11, 24),
        rows=FEE_SCALE,
        minimum_fee=Decimal("50"),
    )
    referral = another_referral(world)
    assessment = assess(world, referral, "20000", 5)
    assert (assessment.schedule.version, assessment.band.fee) == (2, Decimal("0"))
    assert assessment.standard_fee == Decimal("50")
    assert assess(world, referral, "20000", 2).standard_fee == Decimal("80")

    assess(world, referral, "20000", 4)
    client.force_login(world["intake"])
    page = unescape(client.get(f"/en/a/riviere/referrals/{referral.pk}/fees/").content.decode())
    assert "Fee on the scale: $50.00." in page
    assert "schedule version 2, incomes from $0.00 to under $40,000.00, household column 4" in page
    assert "The scale's minimum fee applies." in page


FIVE = ["10", "20", "30", "40", "50"]
REFUSED_SCALES = [
    (
        [band("0", "40000", FIVE), band("45000", None, FIVE)],
        "The bands must follow each other: one ends where the next begins.",
    ),
    (
        [band("0", "40000", FIVE), band("30000", None, FIVE)],
        "The bands must follow each other: one ends where the next begins.",
    ),
    (
        [band("1000", "40000", FIVE), band("40000", None, FIVE)],
        "The first income band starts at $0.",
    ),
    (
        [band("0", "40000", FIVE), band("40000", "90000", FIVE)],
        "The last income band has no upper limit (“and above”).",
    ),
    ([], "The first income band starts at $0."),
]


@pytest.mark.parametrize(("rows", "message"), REFUSED_SCALES)
def test_a_scale_with_a_hole_an_overlap_or_no_open_end_is_refused(world, english, rows, message):
    with pytest.raises(ValidationError) as refused:
        services.schedule_create(
            agency=world.agency, by=world["manager"], effective_from=date(2027, 1, 1), rows=rows
        )
    assert refused.value.messages == [message]
    assert FeeSchedule.objects.filter(agency=world.agency).count() == 1


def test_a_band_without_a_fee_for_each_household_size_is_refused(world, english):
    incomplete = band("0", None, ["1", "2", "3", "4", "5"])
    del incomplete["fees"][5]
    with pytest.raises(ValidationError) as refused:
        services.schedule_create(
            agency=world.agency,
            by=world["manager"],
            effective_from=date(2027, 1, 1),
            rows=[incomplete],
        )
    assert refused.value.messages == ["Give a fee for each household size."]


def test_a_new_version_applies_from_its_date_and_earlier_assessments_keep_theirs(clock, world):
    before = assess(world, another_referral(world), "45000", 2)
    new = services.schedule_create(
        agency=world.agency, by=world["manager"], effective_from=date(2027, 1, 1), rows=RAISED
    )
    assert new.version == 2
    # Written in November, in effect from January: December still assesses on version 1.
    clock.move_to(datetime(2026, 12, 31, 16, 0, tzinfo=TORONTO))
    december = assess(world, another_referral(world, "Luc Gagnon", "4811-998-26-00078"), "45000", 2)
    assert (december.schedule.version, december.standard_fee) == (1, Decimal("350"))

    clock.move_to(datetime(2027, 1, 4, 9, 0, tzinfo=TORONTO))
    after = assess(world, another_referral(world, "Éric Lévesque", "4811-998-26-00079"), "45000", 2)
    assert (after.schedule.version, after.band.fee, after.standard_fee) == (
        2,
        Decimal("400"),
        Decimal("400"),
    )
    kept = FeeAssessment.objects.select_related("schedule", "band").get(pk=before.pk)
    assert (kept.schedule.version, kept.band.fee, kept.standard_fee) == (
        1,
        Decimal("350"),
        Decimal("350"),
    )
    assert world.referral.fee_account.agreed == Decimal("350.00")


def schedule_post(rows, *, effective="2027-01-01", minimum="0", initial=2):
    """The new-schedule form as the browser sends it (the page starts with the 2 current rows)."""
    data = {
        "effective_from": effective,
        "minimum_fee": minimum,
        "individual_session_fee": "75,00",
        "free_of_charge": "Interpreters, bus tickets.",
        "band-TOTAL_FORMS": str(len(rows)),
        "band-INITIAL_FORMS": str(min(initial, len(rows))),
        "band-MIN_NUM_FORMS": "1",
        "band-MAX_NUM_FORMS": "1000",
    }
    for number, (low, high, fees) in enumerate(rows):
        data[f"band-{number}-income_min"] = low
        data[f"band-{number}-income_max"] = high
        for size, fee in zip(HOUSEHOLD_SIZES, fees, strict=True):
            data[f"band-{number}-fee_{size}"] = fee
    return data


NEW_URL = "/en/a/riviere/fees/schedule/new/"


def test_the_manager_writes_a_new_version_on_the_schedule_form(client, world):
    client.force_login(world["manager"])
    form = client.get(NEW_URL)
    assert form.status_code == 200
    assert [row["income_max"] for row in form.context["bands"].initial] == [Decimal("40000"), None]

    rows = [
        ("0", "30 000,00", ["120", "100", "80", "60", "0"]),
        ("30 000,00", "$60,000.00", ["250", "200", "150", "100", "50"]),
        ("60000", "", ["450", "400", "350", "300", "250"]),
        ("", "", ["", "", "", "", ""]),
    ]
    response = client.post(NEW_URL, schedule_post(rows, minimum="25,00"))
    assert response.status_code == 302
    assert response["Location"] == "/en/a/riviere/fees/schedule/"
    new = FeeSchedule.objects.get(agency=world.agency, version=2)
    assert (new.effective_from, new.minimum_fee, new.individual_session_fee) == (
        date(2027, 1, 1),
        Decimal("25.00"),
        Decimal("75.00"),
    )
    assert list(
        new.bands.filter(household_size=2).values_list("income_min", "income_max", "fee")
    ) == [
        (Decimal("0"), Decimal("30000"), Decimal("100")),
        (Decimal("30000"), Decimal("60000"), Decimal("200")),
        (Decimal("60000"), None, Decimal("400")),
    ]


def test_bands_that_do_not_follow_each_other_are_refused_and_what_was_typed_stays(client, world):
    client.force_login(world["manager"])
    rows = [
        ("0", "40 000,00", ["100", "80", "60", "40", "0"]),
        ("45 000,00", "", ["400", "350", "300", "250", "abc"]),
    ]
    response = client.post(NEW_URL, schedule_post(rows))
    assert response.status_code == 400
    assert response.context["bands"].errors[1] == {
        "fee_5": ["Enter an amount such as 1 234,50 or 1,234.50."]
    }
    rows[1][2][4] = "200"
    response = client.post(NEW_URL, schedule_post(rows))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "The bands must follow each other: one ends where the next begins."
    ]
    page = response.content.decode()
    assert 'value="40 000,00"' in page
    assert 'value="45 000,00"' in page
    assert 'value="Interpreters, bus tickets."' not in page  # a textarea keeps it as its text
    assert "Interpreters, bus tickets.</textarea>" in page
    assert FeeSchedule.objects.filter(agency=world.agency).count() == 1


def test_a_scale_of_no_band_at_all_is_refused(client, world):
    client.force_login(world["manager"])
    response = client.post(NEW_URL, schedule_post([], initial=0))
    assert response.status_code == 400
    assert response.context["bands"].non_form_errors() == ["Please submit at least 1 form."]
    empty = schedule_post([("", "", [""] * 5)], initial=1)
    response = client.post(NEW_URL, empty)
    assert response.status_code == 400
    assert response.context["bands"].errors[0]["income_min"] == ["This field is required."]
    assert FeeSchedule.objects.filter(agency=world.agency).count() == 1


def test_only_the_manager_writes_the_scale(client, world):
    client.force_login(world["intake"])
    assert client.get(NEW_URL).status_code == 403
    page = client.get("/en/a/riviere/fees/schedule/").content.decode()
    assert "Write a new version" not in page
    client.force_login(world["manager"])
    assert "Write a new version" in client.get("/en/a/riviere/fees/schedule/").content.decode()


def cells(page: str, schedule: FeeSchedule) -> list[list[str]]:
    """The text of each row of a schedule's table (its income band, then its five fees), with
    runs of ASCII blanks made one space: the no-break spaces of French amounts stay."""
    section = page.split(f'id="schedule-{schedule.pk}"', 1)[1].split("</section>", 1)[0]
    return [
        [
            re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)
    ]


def test_the_schedule_page_shows_each_version_as_a_table(client, world):
    services.schedule_create(
        agency=world.agency, by=world["manager"], effective_from=date(2027, 1, 1), rows=RAISED
    )
    first, second = FeeSchedule.objects.filter(agency=world.agency).order_by("version")
    client.force_login(world["intake"])
    page = client.get("/en/a/riviere/fees/schedule/").content.decode()
    assert page.index("Fee schedule v2") < page.index("Fee schedule v1")
    assert "in effect from 1 Jan 2027" in page
    assert cells(page, first) == [
        [
            "Annual household income",
            "1 person",
            "2 people",
            "3 people",
            "4 people",
            "5 people or more",
        ],
        ["$0.00 to under $40,000.00", "$100.00", "$80.00", "$60.00", "$40.00", "$0.00"],
        ["$40,000.00 and above", "$400.00", "$350.00", "$300.00", "$250.00", "$200.00"],
    ]
    assert cells(page, second)[2] == [
        "$40,000.00 and above",
        "$450.00",
        "$400.00",
        "$350.00",
        "$300.00",
        "$250.00",
    ]
    french = client.get("/fr/a/riviere/fees/schedule/").content.decode()
    assert cells(french, first)[2][0].startswith("40\xa0000,00\xa0$ ")
    assert cells(french, first)[2][1:] == [
        "400,00\xa0$",
        "350,00\xa0$",
        "300,00\xa0$",
        "250,00\xa0$",
        "200,00\xa0$",
    ]


def test_each_band_carries_its_schedules_agency_and_is_read_through_it(world):
    services.schedule_create(
        agency=world.other_agency,
        by=world["other_manager"],
        effective_from=date(2026, 1, 1),
        rows=RAISED,
    )
    ours, theirs = current(world), services.schedule_in_effect(agency=world.other_agency)
    assert set(FeeBand.objects.filter(schedule=ours).values_list("agency", flat=True)) == {
        world.agency.pk
    }
    assert set(FeeBand.objects.filter(schedule=theirs).values_list("agency", flat=True)) == {
        world.other_agency.pk
    }
    (listed,) = selectors.schedules(agency=world.agency)
    assert {band.agency_id for band in listed.bands.all()} == {world.agency.pk}
    assert len(listed.bands.all()) == 10
    cell = services.band_for(schedule=theirs, income=Decimal("40000"), household_size=2)
    assert (cell.agency, cell.fee) == (world.other_agency, Decimal("400"))
