"""Fees in the browser: a referral's fee assessed in French, reduced with the manager's approval,
paid, and its receipt downloaded; every fee page and form, refused input included, passing
axe-core in both languages."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import expect
from pypdf import PdfReader

from fees import services as fees
from fees.models import FeeProposal, Instalment, LedgerEntry
from ipv.core.i18n import format_money
from tests.conftest import FEE_SCALE, make_referral
from tests.e2e.test_referrals import _sign_in_checked, _succeeded, either
from tests.e2e.test_signed_in_pages import sign_in


def _fr(message):
    """A label as French pages show it: the French catalog's words, or the English ones while
    the catalog does not have them yet (it is being completed)."""
    return either(_translated(message, "fr"), message)


def _money(amount, language="fr"):
    return format_money(Decimal(amount), language)


def _translated(message, language):
    """A message in `language`. Labels of model fields are their verbose name (lower case in
    the catalog) with a capital, as Django's forms show them."""
    with translation.override(language):
        translated = gettext(message)
        if translated == message and message[:1].isupper():
            lower = message[0].lower() + message[1:]
            translated = capfirst(gettext(lower)) if gettext(lower) != lower else message
        return translated


def test_a_reduced_fee_is_approved_paid_and_receipted_in_french(
    new_page, live_server, world, assert_accessible
):
    base, agency = live_server.url, f"/fr/a/{world.agency.slug}"
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": "Hélène Côté-Bérubé", "date_of_birth": date(1988, 2, 11)},
        court_file_number="4811-998-26-00031",
    )

    worker = new_page(locale="fr-CA")
    _sign_in_checked(worker, base, "intake@riviere.test", assert_accessible)
    worker.goto(f"{base}{agency}/referrals/{referral.pk}/")
    expect(worker.get_by_role("heading", level=1)).to_have_text("Hélène Côté-Bérubé")
    assert_accessible(worker)
    worker.get_by_role("link", name=_fr("The fee in detail")).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(_fr("Fee"))
    expect(worker.get_by_text(_fr("Not assessed yet."))).to_be_visible()
    assert_accessible(worker)

    # The assessment: the income typed the French way.
    worker.get_by_role("link", name=_fr("Assess the fee")).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(_fr("Assess the fee"))
    assert_accessible(worker)
    worker.get_by_label(_fr("Annual household income")).fill("38 500,00")
    worker.get_by_label(_fr("People in the household")).fill("4")
    worker.get_by_label(_fr("Employment")).select_option("part_time")
    evidence = worker.get_by_role("group", name=_fr("Evidence seen"))
    evidence.get_by_label(_fr("Pay stubs")).check()
    evidence.get_by_label(_fr("Notice of assessment or tax return")).check()
    worker.get_by_role("button", name=_fr("Assess the fee")).click()
    _succeeded(worker)
    assessment = worker.get_by_role("region", name=_fr("Assessment"))
    # $38,500 for four people: the first band, household column 4.
    with translation.override("fr"):
        fee_on_scale = gettext("Fee on the scale: %(fee)s.") % {"fee": _money("40")}
        why = gettext(
            "schedule version %(version)s, incomes from %(low)s to under %(high)s, "
            "household column %(size)s."
        ) % {"version": 1, "low": _money("0"), "high": _money("40000"), "size": 4}
    expect(assessment).to_contain_text(fee_on_scale)
    expect(assessment).to_contain_text(why)
    expect(assessment).to_contain_text(_money("38500"))
    for seen in ("Pay stubs", "Notice of assessment or tax return"):
        expect(assessment).to_contain_text(_translated(seen, "fr"))
    assert_accessible(worker)

    # A reduced fee, with the participant's counter-offer: it waits for the manager.
    worker.get_by_role("link", name=_fr("Propose a fee")).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(_fr("Propose a fee"))
    assert_accessible(worker)
    worker.get_by_label(_fr("Fee for the whole program")).fill("20,00")
    worker.get_by_label(_fr("Why this fee")).fill("Travail à temps partiel, quatre enfants.")
    worker.get_by_label(_fr("The participant's counter-offer")).fill("15,00")
    worker.get_by_label(_fr("About the counter-offer")).fill("Elle propose 15 $ en une fois.")
    worker.get_by_role("button", name=_fr("Propose a fee")).click()
    _succeeded(worker)
    negotiation = worker.get_by_role("region", name=_fr("Negotiation"))
    expect(negotiation).to_contain_text(_money("20"))
    expect(negotiation).to_contain_text(_translated("Waiting for a manager's approval", "fr"))
    # Nothing to take a payment on until the fee is agreed.
    expect(worker.get_by_role("link", name=_fr("Take a payment"))).to_have_count(0)
    assert_accessible(worker)

    # The manager, in a browser of their own, finds it waiting and approves it.
    manager = new_page(locale="fr-CA")
    sign_in(manager, base, "manager@riviere.test", "fr")
    manager.get_by_role("navigation", name=_fr("Agency")).get_by_role(
        "link", name=_fr("Fees")
    ).click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(_fr("Fees"))
    assert_accessible(manager)
    waiting = manager.get_by_role("region", name=_fr("Reductions waiting for your approval"))
    with translation.override("fr"):
        instead = gettext("%(fee)s instead of %(scale)s") % {
            "fee": _money("20"),
            "scale": _money("40"),
        }
    item = waiting.get_by_role("listitem").filter(has_text="Hélène Côté-Bérubé")
    expect(item).to_contain_text(instead)
    item.get_by_role("link", name="Hélène Côté-Bérubé").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(
        _fr("A fee off the scale to approve")
    )
    expect(manager.get_by_text("Travail à temps partiel, quatre enfants.")).to_be_visible()
    expect(manager.get_by_text("Elle propose 15 $ en une fois.")).to_be_visible()
    assert_accessible(manager)
    manager.get_by_role("radio", name=_fr("Approve this fee")).check()
    manager.get_by_role("button", name=_fr("Save the decision")).click()
    _succeeded(manager)
    expect(waiting.get_by_role("link", name="Hélène Côté-Bérubé")).to_have_count(0)
    assert_accessible(manager)

    # Agreed: the intake worker takes the payment, and the receipt downloads.
    worker.reload()
    expect(negotiation).to_contain_text(_translated("Agreed", "fr"))
    assert_accessible(worker)
    worker.get_by_role("link", name=_fr("Take a payment")).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(_fr("Take a payment"))
    assert_accessible(worker)
    worker.get_by_label(_fr("Amount")).fill("20,00")
    worker.get_by_label(_fr("Method")).select_option(label=_translated("Cash", "fr"))
    worker.get_by_role("button", name=_fr("Take a payment")).click()
    _succeeded(worker)
    where = worker.get_by_role("region", name=_fr("Where it stands"))
    balance = where.locator("dt", has_text=_fr("Balance")).locator("xpath=following-sibling::dd[1]")
    expect(balance).to_have_text(_money("0"))
    assert_accessible(worker)

    number = LedgerEntry.objects.get(referral=referral).receipt_number
    payments = worker.get_by_role("region", name=_fr("Payments"))
    with worker.expect_download() as download:
        payments.get_by_role("link", name=str(number), exact=True).click()
    assert download.value.suggested_filename == f"receipt-{number}.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(download.value.path()).pages)
    with translation.override("fr"):
        title = gettext("Receipt %(number)s") % {"number": number}
    assert title in text
    assert "Hélène Côté-Bérubé" in text
    assert _money("20") in text


def _busy_accounts(world):
    """Fees in every state a page shows: world.referral paid by instalments (one overdue), with
    a payment voided and one partly refunded; a second version of the scale to come; an agency
    that holds completion until the fee is paid. Returns a referral not assessed yet."""
    today, intake = timezone.localdate(), world["intake"]
    world.agency.fees_hold_completion = True
    world.agency.save(update_fields=["fees_hold_completion"])
    fees.schedule_create(
        agency=world.agency,
        by=world["manager"],
        effective_from=date(today.year + 1, 1, 1),
        rows=FEE_SCALE,
        minimum_fee=Decimal("25"),
        free_of_charge="Les séances de rattrapage.",
    )
    fees.instalments_set(
        referral=world.referral,
        by=intake,
        instalments=[(today + timedelta(days=30), Decimal("100")), (today, Decimal("150"))],
    )
    # The plan was made weeks ago: its first instalment fell due ten days back.
    Instalment.objects.filter(agency=world.agency, due_on=today).update(
        due_on=today - timedelta(days=10)
    )
    fees.account_refresh(world.referral)
    mistake = fees.payment_record(
        referral=world.referral, by=intake, amount=Decimal("30"), method="cash"
    )
    fees.payment_void(entry=mistake, by=intake, note="Saisi deux fois.")
    cheque = fees.payment_record(
        referral=world.referral, by=intake, amount=Decimal("50"), method="cheque"
    )
    fees.refund_record(entry=cheque, by=intake, amount=Decimal("20"), method="cheque")
    return make_referral(
        world.agency,
        intake,
        world.court,
        person={"legal_name": "Nicolas Gauthier", "date_of_birth": date(1991, 8, 30)},
        court_file_number="4811-998-26-00032",
    )


def _visit_all(page, base, paths, assert_accessible):
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, f"{path}: {response.status}"
        assert_accessible(page)


def _refused(page, base, path, typed, assert_accessible):
    """Fill a form with `typed` ({element id: text, or True to tick a box}) and send it: the
    page comes back refused (400), says so at the top, and keeps everything typed."""
    page.goto(base + path)
    for field, value in typed.items():
        locator = page.locator(f"#{field}")
        if value is True:
            locator.check()
        elif locator.evaluate("element => element.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.locator("main form button[type=submit]").click()
    assert sent.value.status == 400, f"{path}: {sent.value.status}"
    expect(page.get_by_role("alert").first).to_be_visible()
    for field, value in typed.items():
        if value is True:
            expect(page.locator(f"#{field}")).to_be_checked()
        else:
            expect(page.locator(f"#{field}")).to_have_value(value)
    assert_accessible(page)


def _field_refused(page, field):
    """The field is marked invalid, its error shown next to it and read with it."""
    locator = page.locator(f"#{field}")
    expect(locator).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field}_error")).to_be_visible()
    expect(locator).to_have_attribute("aria-describedby", re.compile(rf"\b{field}_error\b"))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_fee_page_and_form_passes_axe(page, live_server, world, assert_accessible, language):
    base, agency = live_server.url, f"/{language}/a/{world.agency.slug}"
    unassessed = _busy_accounts(world)
    sign_in(page, base, "manager@riviere.test", language)
    fee = f"{agency}/referrals/{world.referral.pk}/fees"
    receipt = world.payment.pk
    agreed = world.referral.fee_proposals.get(status=FeeProposal.Status.AGREED)
    _visit_all(
        page,
        base,
        [
            f"{agency}/fees/",
            f"{agency}/fees/schedule/",
            f"{agency}/fees/schedule/new/",
            f"{agency}/fees/proposals/{world.reduction.pk}/",
            f"{agency}/fees/proposals/{agreed.pk}/",
            f"{fee}/",
            f"{agency}/referrals/{world.reduction.referral_id}/fees/",
            f"{agency}/referrals/{unassessed.pk}/fees/",
            f"{fee}/assess/",
            f"{fee}/propose/",
            f"{fee}/instalments/",
            f"{fee}/payment/",
            f"{agency}/fees/receipts/{receipt}/void/",
            f"{agency}/fees/receipts/{receipt}/refund/",
        ],
        assert_accessible,
    )

    # A new scale with a gap between its bands: refused, above the form, every band kept.
    _refused(
        page,
        base,
        f"{agency}/fees/schedule/new/",
        {"id_band-1-income_min": "45 000,00"},
        assert_accessible,
    )
    with translation.override(language):
        gap = gettext("The bands must follow each other: one ends where the next begins.")
    expect(page.get_by_role("alert").first).to_contain_text(gap)
    expect(page.locator("#id_band-0-income_max")).to_have_value(
        re.compile(r"^40[\s,.\u00a0\u202f]?000")
    )

    # Each fee form sent with an amount that is not one: the error next to the field.
    _refused(
        page,
        base,
        f"{fee}/assess/",
        {
            "id_household_income": "abc",
            "id_household_size": "3",
            "id_circumstances": "Perte d'emploi en octobre.",
            "id_evidence_seen_0": True,
        },
        assert_accessible,
    )
    _field_refused(page, "id_household_income")
    _field_refused(page, "id_employment")

    _refused(
        page,
        base,
        f"{fee}/propose/",
        {"id_amount": "12.345", "id_reason": "Loyer doublé.", "id_counter_offer": "abc"},
        assert_accessible,
    )
    _field_refused(page, "id_amount")
    _field_refused(page, "id_counter_offer")

    _refused(
        page,
        base,
        f"{fee}/instalments/",
        {"id_plan-0-due_on": "2026-12-15", "id_plan-0-amount": "abc", "id_plan-1-amount": "50"},
        assert_accessible,
    )
    _field_refused(page, "id_plan-0-amount")
    _field_refused(page, "id_plan-1-due_on")

    _refused(
        page,
        base,
        f"{fee}/payment/",
        {"id_amount": "12.345", "id_method": "cheque", "id_note": "Chèque n° 118"},
        assert_accessible,
    )
    _field_refused(page, "id_amount")

    _refused(
        page,
        base,
        f"{agency}/fees/receipts/{receipt}/void/",
        {"id_note": ""},
        assert_accessible,
    )
    _field_refused(page, "id_note")

    _refused(
        page,
        base,
        f"{agency}/fees/receipts/{receipt}/refund/",
        {"id_amount": "abc", "id_note": "Trop-perçu"},
        assert_accessible,
    )
    _field_refused(page, "id_amount")

    # Declined without a word for the intake worker: refused, the note asked for.
    page.goto(f"{base}{agency}/fees/proposals/{world.reduction.pk}/")
    with translation.override(language):
        decline = gettext("Decline it")
    page.get_by_role("radio", name=decline).check()
    page.locator("main form button[type=submit]").click()
    _field_refused(page, "id_note")
    expect(page.get_by_role("radio", name=decline)).to_be_checked()
    assert_accessible(page)
