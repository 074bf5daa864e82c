"""Groups, attendance and certificates in the browser: twelve weeks of attendance taken from
the keyboard, up to the certificate the court downloads and anyone can check; the roster driven
by the keyboard alone; a certificate revoked; every page of groups, sessions and documents
passing axe-core in both languages."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import formats, timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from referrals.models import Consent, Intake
from referrals.services.intake import intake_book, intake_record
from sessions_app.models import Attendance, Certificate
from sessions_app.services.attendance import Mark, attendance_record
from sessions_app.services.documents import certificate_revoke
from sessions_app.services.enrollment import enroll
from sessions_app.services.groups import group_create
from tests.conftest import PASSWORD, make_referral, totp_code
from tests.e2e.test_referrals import either
from tests.e2e.test_signed_in_pages import sign_in

# A verification code as printed under the QR code: three groups of four.
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _ready_for_a_group(world, *, name, court_file_number):
    """An English referral through intake (eligible, agreement signed): ready for a group."""
    referral = make_referral(
        world.agency,
        world["intake"],
        world.court,
        person={"legal_name": name, "language": "en"},
        court_file_number=court_file_number,
    )
    intake_book(
        referral=referral,
        by=world["intake"],
        scheduled_at=timezone.now() + timedelta(minutes=5),
        mode="in_person",
        location="100 Main Street",
    )
    today = timezone.localdate()
    return intake_record(
        referral=referral,
        by=world["intake"],
        held_on=today,
        eligibility=Intake.Eligibility.ELIGIBLE,
        consents={Consent.Kind.PROGRAM_AGREEMENT: today},
    )


def _thursday_group(world):
    """An English open-entry group run by the facilitator, Thursdays at 18:00 from this week."""
    return group_create(
        agency=world.agency,
        by=world["manager"],
        facilitators=[world["facilitator"]],
        name="Thursday evening",
        program="ipv",
        language="en",
        weekday=3,
        start_time=time(18, 0),
        start_date=timezone.localdate(),
        location="200 Main Street",
    )


def _in_a_group(world, *, name, court_file_number):
    """An English referral placed in the Thursday group from today; its first 12 sessions."""
    referral = _ready_for_a_group(world, name=name, court_file_number=court_file_number)
    group = _thursday_group(world)
    enroll(referral=referral, group=group, start_date=timezone.localdate(), by=world["intake"])
    return referral, list(group.sessions.order_by("date")[:12])


def _evening_of(session):
    """19:00 on the session's day in Ontario: an hour into an evening session."""
    return datetime.combine(session.date, time(19, 0), tzinfo=timezone.get_current_timezone())


def _short_date(day, language="en"):
    with translation.override(language):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def _sign_in_checked(page, base, email, assert_accessible):
    """Sign in in English as `sign_in` does, with axe on the password and code pages."""
    page.goto(f"{base}/en/account/login/")
    assert_accessible(page)
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_code").fill(totp_code())
    page.locator("#id_code").press("Enter")
    expect(page.locator("#id_code")).to_have_count(0)


def _visit_all(page, base, paths, assert_accessible):
    for path, status in paths:
        response = page.goto(base + path)
        assert response.status == status, f"{path}: {response.status}"
        assert_accessible(page)


def test_twelve_weeks_of_attendance_end_in_a_certificate_anyone_can_check(
    new_page, live_server, world, assert_accessible
):
    base, home = live_server.url, f"{live_server.url}/en/a/{world.agency.slug}/"
    referral, sessions = _in_a_group(
        world, name="Daniel Morgan", court_file_number="4811-998-26-00021"
    )

    with time_machine.travel(_evening_of(sessions[0]), tick=True) as traveller:
        for week, session in enumerate(sessions, start=1):
            # A week later the facilitator's sign-in has long expired: a new browser each week.
            traveller.move_to(_evening_of(session))
            page = new_page()
            if week == 1:
                _sign_in_checked(page, base, "facilitator@riviere.test", assert_accessible)
            else:
                sign_in(page, base, "facilitator@riviere.test", "en")
            page.goto(home)
            assert_accessible(page)
            # Tonight's roster: from the home page's next sessions, or through the group.
            if week % 2:
                page.get_by_role("region", name="Next sessions").get_by_role(
                    "link", name=f"{_short_date(session.date)} — Thursday evening"
                ).click()
            else:
                page.get_by_role("navigation", name="Agency").get_by_role(
                    "link", name="Groups"
                ).click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
                assert_accessible(page)
                page.get_by_role("link", name="Thursday evening").click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Thursday evening")
                assert_accessible(page)
                page.get_by_role(
                    "link", name=f"Take attendance — {_short_date(session.date)}"
                ).click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")
            with translation.override("en"):
                module = f"Module {session.module}"
            expect(page.get_by_text(module)).to_be_visible()
            assert_accessible(page)

            # From the keyboard only: Space marks the focused choice, Tab walks to the line's
            # Save button, then to the roster's.
            row = page.get_by_role("group", name="Daniel Morgan")
            present = row.get_by_role("radio", name="Present")
            present.focus()
            page.keyboard.press("Space")
            expect(present).to_be_checked()
            for _ in range(3):  # minutes late, note, the line's button
                page.keyboard.press("Tab")
            expect(row.get_by_role("button", name="Save — Daniel Morgan")).to_be_focused()
            page.keyboard.press("Enter")
            expect(row.get_by_role("status")).to_have_text("Saved.")
            assert_accessible(page)
            # Then the line's link to raise a concern for someone's safety, then the roster's
            # Save button.
            page.keyboard.press("Tab")
            expect(
                row.get_by_role("link", name="Concern for someone's safety — Daniel Morgan")
            ).to_be_focused()
            page.keyboard.press("Tab")
            save = page.get_by_role("button", name="Save the attendance")
            expect(save).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.locator(".messages")).to_have_text("Attendance saved.")
            expect(present).to_be_checked()
            assert_accessible(page)
            page.context.close()

        worker = new_page()
        sign_in(worker, base, "intake@riviere.test", "en")
        worker.goto(f"{base}/en/a/{world.agency.slug}/referrals/{referral.pk}/")
        expect(worker.locator(".lead .status-badge")).to_have_text("Completed")
        expect(worker.get_by_role("region", name="The program")).to_contain_text(
            "12 of 12 modules attended."
        )
        assert_accessible(worker)

        officer = new_page()
        sign_in(officer, base, "liaison@court.test", "en")
        officer.goto(f"{base}/en/court/referrals/{referral.pk}/")
        expect(officer.get_by_role("heading", level=1)).to_have_text("Daniel Morgan")
        assert_accessible(officer)
        with officer.expect_download() as download:
            officer.get_by_role("link", name="Completion certificate").click()
        pdf = PdfReader(download.value.path())
        text = "\n".join(page.extract_text() for page in pdf.pages)
        assert "Daniel Morgan" in text
        code = CODE.search(text).group(0)

        anyone = new_page()
        response = anyone.goto(f"{base}/en/verify/{code}/")
        assert response.status == 200
        expect(anyone.get_by_role("heading", level=2)).to_have_text("This certificate is genuine.")
        expect(anyone.get_by_text("D. M.", exact=True)).to_be_visible()
        expect(anyone.get_by_text("Daniel Morgan")).to_have_count(0)
        assert_accessible(anyone)


def test_the_roster_is_usable_from_the_keyboard_alone(page, live_server, world, assert_accessible):
    base = live_server.url
    referral, sessions = _in_a_group(
        world, name="Daniel Morgan", court_file_number="4811-998-26-00021"
    )
    saved = Attendance.objects.filter(referral=referral, session=sessions[0])

    with time_machine.travel(_evening_of(sessions[0]), tick=True):
        sign_in(page, base, "facilitator@riviere.test", "en")
        page.goto(f"{base}/en/a/{world.agency.slug}/sessions/{sessions[0].pk}/")
        row = page.get_by_role("group", name="Daniel Morgan")
        excused = row.get_by_role("radio", name="Excused absence", exact=True)
        button = row.get_by_role("button", name="Save — Daniel Morgan")

        # Arrow keys walk the choices one at a time and save nothing on the way: a slow
        # walk past "Present" or "Unexcused absence" records neither.
        row.get_by_role("radio", name="Present").focus()
        page.keyboard.press("Space")
        for _ in range(3):
            page.keyboard.press("ArrowDown")
        expect(excused).to_be_checked()
        expect(excused).to_be_focused()
        assert not saved.exists()
        for _ in range(3):  # minutes late, note, the line's button
            page.keyboard.press("Tab")
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        expect(row.get_by_role("status")).to_have_text("Saved.")
        expect(button).to_be_focused()
        assert saved.get().status == Attendance.Status.EXCUSED
        assert_accessible(page)

        # Late needs the minutes: the line says so and keeps what was saved; typed, they save.
        late = row.get_by_role("radio", name="Late")
        late.focus()
        page.keyboard.press("Space")
        button.focus()
        page.keyboard.press("Enter")
        expect(row.get_by_role("status")).to_contain_text("Say how many minutes late.")
        expect(late).to_be_checked()
        assert saved.get().status == Attendance.Status.EXCUSED
        assert_accessible(page)
        row.get_by_label("Minutes late").focus()
        page.keyboard.type("20")
        button.focus()
        page.keyboard.press("Enter")
        expect(row.get_by_role("status")).to_have_text("Saved.")
        assert (saved.get().status, saved.get().minutes_late) == (Attendance.Status.LATE, 20)


def test_a_revoked_certificate_says_so_on_its_verification_page(
    new_page, live_server, world, assert_accessible
):
    base = live_server.url
    referral, sessions = _in_a_group(
        world, name="Daniel Morgan", court_file_number="4811-998-26-00021"
    )
    with time_machine.travel(_evening_of(sessions[0]), tick=True) as traveller:
        for session in sessions:
            traveller.move_to(_evening_of(session))
            attendance_record(
                session=session,
                by=world["facilitator"],
                marks=[Mark(referral_id=referral.pk, status=Attendance.Status.PRESENT)],
            )
        certificate = Certificate.objects.get(referral=referral)

        worker = new_page()
        sign_in(worker, base, "intake@riviere.test", "en")
        worker.goto(f"{base}/en/a/{world.agency.slug}/referrals/{referral.pk}/")
        expect(worker.locator(".lead .status-badge")).to_have_text("Completed")
        documents = worker.get_by_role("region", name="Documents for the court")
        expect(documents).to_contain_text(certificate.code)
        assert_accessible(worker)
        documents.get_by_role("link", name="Revoke the certificate").click()
        expect(worker.get_by_role("heading", level=1)).to_have_text("Revoke the certificate")
        assert_accessible(worker)
        worker.get_by_label("Reason").fill("Issued by mistake: module 7 was attended by proxy.")
        worker.get_by_role("button", name="Revoke the certificate").click()
        expect(worker.locator(".messages .alert-success")).to_be_visible()
        expect(documents.get_by_text("Revoked", exact=True)).to_be_visible()
        expect(documents.get_by_role("link", name="Revoke the certificate")).to_have_count(0)
        assert_accessible(worker)

        anyone = new_page()
        response = anyone.goto(f"{base}/en/verify/{certificate.code}/")
        assert response.status == 200
        expect(anyone.get_by_role("heading", level=2)).to_have_text("This certificate was revoked.")
        expect(anyone.get_by_text("This certificate is genuine.")).to_have_count(0)
        assert_accessible(anyone)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_groups_past_sessions_are_folded_and_open_from_the_keyboard(
    new_page, live_server, world, assert_accessible, language
):
    base, agency = live_server.url, f"/{language}/a/{world.agency.slug}"
    third = world.group.sessions.order_by("date")[2]
    # The evening of the third session: two held, tonight's the next one.
    with time_machine.travel(_evening_of(third), tick=True):
        page = new_page()
        sign_in(page, base, "facilitator@riviere.test", language)
        page.goto(f"{base}{agency}/groups/{world.group.pk}/")
        past = page.locator("section[aria-labelledby=sessions-heading] details")
        expect(past).not_to_have_attribute("open", "")
        expect(past.get_by_role("table")).to_be_hidden()
        marked = page.locator("tr", has=page.locator(".badge"))
        expect(marked).to_have_count(1)
        expect(marked).to_contain_text(_short_date(third.date, language))
        assert_accessible(page)

        past.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(past).to_have_attribute("open", "")
        expect(past.get_by_role("table")).to_be_visible()
        expect(past.locator("tbody tr")).to_have_count(2)
        assert_accessible(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_groups_sessions_and_documents_page_passes_axe(
    new_page, live_server, world, assert_accessible, language
):
    base, agency = live_server.url, f"/{language}/a/{world.agency.slug}"
    ready = _ready_for_a_group(world, name="Daniel Morgan", court_file_number="4811-998-26-00021")
    # An hour into the French group's first session; its second one is next week.
    tonight, next_week = world.group.sessions.order_by("date")[:2]
    with time_machine.travel(_evening_of(tonight), tick=True):
        attendance_record(
            session=tonight,
            by=world["facilitator"],
            marks=[Mark(referral_id=world.referral.pk, status=Attendance.Status.PRESENT)],
        )

        manager = new_page()
        sign_in(manager, base, "manager@riviere.test", language)
        _visit_all(
            manager,
            base,
            [
                (f"{agency}/groups/", 200),
                (f"{agency}/groups/{world.group.pk}/", 200),
                (f"{agency}/groups/new/", 200),
                (f"{agency}/groups/{world.group.pk}/edit/", 200),
                (f"{agency}/sessions/{tonight.pk}/", 200),
                (f"{agency}/sessions/{next_week.pk}/", 200),
                (f"{agency}/sessions/{next_week.pk}/cancel/", 200),
                (f"{agency}/sessions/{next_week.pk}/move/", 200),
                (f"{agency}/curriculum/", 200),
                (f"{agency}/curriculum/ipv/edit/", 200),
            ],
            assert_accessible,
        )
        # Before the session: only an excused absence can be noted, and the page says so.
        manager.goto(f"{base}{agency}/sessions/{next_week.pk}/")
        expect(manager.locator(".alert-info")).to_be_visible()
        # During it: the roster, and someone from another group can come to make up.
        manager.goto(f"{base}{agency}/sessions/{tonight.pk}/")
        expect(manager.locator(".alert-info")).to_have_count(0)
        expect(manager.get_by_role("radio").first).to_be_visible()
        expect(manager.locator("#makeup-heading")).to_be_visible()

        # Sent empty, the new-group form comes back with each error next to its field.
        manager.goto(f"{base}{agency}/groups/new/")
        manager.locator("main form button[type=submit]").click()
        expect(manager.get_by_role("alert")).to_be_visible()
        for field in ("name", "weekday", "start_time", "start_date"):
            expect(manager.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")
            expect(manager.locator(f"#id_{field}_error")).to_be_visible()
        assert_accessible(manager)
        # And so does the cancel form without its reason.
        manager.goto(f"{base}{agency}/sessions/{next_week.pk}/cancel/")
        manager.locator("main form button[type=submit]").click()
        expect(manager.locator("#id_reason")).to_have_attribute("aria-invalid", "true")
        expect(manager.locator("#id_reason_error")).to_be_visible()
        assert_accessible(manager)

        facilitator = new_page()
        sign_in(facilitator, base, "facilitator@riviere.test", language)
        _visit_all(facilitator, base, [(f"{agency}/calendar/", 200)], assert_accessible)
        facilitator.locator("main form button[type=submit]").click()
        expect(facilitator.locator("main code")).to_contain_text("/calendar/")
        assert_accessible(facilitator)

        worker = new_page()
        sign_in(worker, base, "intake@riviere.test", language)
        _visit_all(
            worker,
            base,
            [
                (f"{agency}/referrals/{ready.pk}/group/", 200),
                (f"{agency}/referrals/{world.referral.pk}/", 200),
            ],
            assert_accessible,
        )
        # The referral page as swept: its progress in the group, its documents.
        expect(worker.locator("#program-heading")).to_be_visible()
        expect(worker.locator("main")).to_contain_text(world.certificate.code)
        expect(worker.locator("main")).to_contain_text(world.report.code)

        officer = new_page()
        sign_in(officer, base, "liaison@court.test", language)
        _visit_all(
            officer,
            base,
            [(f"/{language}/court/referrals/{world.referral.pk}/", 200)],
            assert_accessible,
        )
        expect(officer.locator("#program-heading")).to_be_visible()
        expect(officer.locator("main")).to_contain_text(world.certificate.code)
        expect(officer.locator("main")).to_contain_text(world.report.code)

        anyone = new_page()
        verify = f"/{language}/verify"
        _visit_all(
            anyone,
            base,
            [
                (f"{verify}/", 200),
                (f"{verify}/?code=", 400),
                (f"{verify}/{world.certificate.code}/", 200),
                (f"{verify}/NOPE-NOPE-NOPE/", 404),
            ],
            assert_accessible,
        )
        certificate_revoke(
            certificate=world.certificate, by=world["intake"], reason="Issued by mistake."
        )
        _visit_all(anyone, base, [(f"{verify}/{world.certificate.code}/", 200)], assert_accessible)
        expect(anyone.get_by_role("heading", level=2)).to_have_text(
            either("Ce certificat a été révoqué.", "This certificate was revoked.")
        )
