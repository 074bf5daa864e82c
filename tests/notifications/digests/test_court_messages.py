"""The court is told when a document is ready: at once, in a daily list, or not at all, as each
court liaison officer chose; only the officers of the referral's court; the court file number
and a link, never the participant's name."""

from datetime import datetime, timedelta

import pytest
import time_machine

from ipv.accounts.models import LiaisonProfile, User
from ipv.notifications.models import OutboxMessage
from ipv.pages.digests import court_digests_prepare
from sessions_app.models import Certificate, CourtReport
from sessions_app.services.court_messages import court_document_announce
from sessions_app.services.documents import (
    certificate_revoke,
    court_notice_issue,
    court_report_issue,
)
from tests.conftest import CERTIFICATE_DETAILS
from tests.notifications.digests.conftest import NOW, PARTICIPANT_NAMES, TORONTO, VICTIM_DETAILS
from tests.victims.outreach import add_outreach

pytestmark = pytest.mark.django_db

FILE_NUMBER = "4811-998-26-00001"
YESTERDAY_AFTERNOON = datetime(2026, 11, 30, 14, 0, tzinfo=TORONTO)


def _choose(user, choice):
    LiaisonProfile.objects.filter(user=user).update(court_messages=choice)


def _messages(user, kind="court_document"):
    return list(OutboxMessage.objects.filter(kind=kind, key__startswith=f"court:{user.pk}:"))


def _report(world):
    return court_report_issue(referral=world.referral, kind="progress", by=world["intake"])


def _whole(message):
    return " ".join([message.subject, message.body_text, message.body_html])


@pytest.fixture
def court_world(clock, world):
    add_outreach(world)  # a victim named beside the referral: nothing of her may reach the court
    return world


def test_the_officer_of_the_court_is_told_at_once_without_the_persons_name(court_world):
    world = court_world
    report = _report(world)
    [message] = _messages(world["liaison"])
    assert message.key == f"court:{world['liaison'].pk}:document:courtreport-{report.pk}"
    assert (message.audience, message.to, message.state) == (
        "court",
        "liaison@court.test",
        "pending",
    )
    assert message.sensitive
    whole = _whole(message)
    assert FILE_NUMBER in whole
    # The portal's page of the referral, where its documents are downloaded; in French.
    assert (
        f"http://127.0.0.1:8000/fr/court/referrals/{world.referral.pk}/#documents-heading" in whole
    )
    assert "Rapport d'étape sur les présences" in message.body_text
    for secret in PARTICIPANT_NAMES + VICTIM_DETAILS + ["Rent doubled this year."]:
        assert secret not in whole, secret


def test_an_officer_of_another_court_is_not_told(court_world):
    world = court_world
    _report(world)
    assert _messages(world["other_liaison"]) == []
    assert len(_messages(world["liaison"])) == 1


def test_the_officer_reads_it_in_their_language(court_world):
    world = court_world
    User.objects.filter(pk=world["liaison"].pk).update(preferred_language="en")
    _report(world)
    [message] = _messages(world["liaison"])
    assert "Attendance progress report" in message.body_text
    assert f"/en/court/referrals/{world.referral.pk}/" in message.body_text
    assert '<html lang="en">' in message.body_html


def test_an_officer_who_chose_off_gets_nothing_at_all(court_world):
    world = court_world
    _choose(world["liaison"], "off")
    _report(world)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        court_digests_prepare()
    assert _messages(world["liaison"]) == []
    assert _messages(world["liaison"], "court_digest") == []


def test_a_notice_of_return_is_announced_too(court_world):
    world = court_world
    notice = court_notice_issue(referral=world.referral, by=world["intake"], reason="Moved away.")
    [message] = _messages(world["liaison"])
    assert message.key.endswith(f":document:courtreport-{notice.pk}")
    assert "Avis de retour au tribunal" in message.body_text


def test_a_certificate_revoked_before_its_message_left_cancels_it(court_world):
    world = court_world
    certificate_revoke(certificate=world.certificate, by=world["manager"], reason="Twice.")
    certificate = Certificate.objects.create(
        agency=world.agency,
        referral=world.referral,
        code="ABCD-EFGH-JKLM",
        language="fr",
        details=CERTIFICATE_DETAILS,
    )
    # What certificate_issue does once the twelve modules are attended.
    court_document_announce(certificate)
    [message] = _messages(world["liaison"])
    assert message.state == "pending"
    certificate_revoke(certificate=certificate, by=world["manager"], reason="Wrong person.")
    message.refresh_from_db()
    assert (message.state, message.body_text, message.to) == ("cancelled", "", "")


def test_a_replaced_report_gives_way_to_the_new_ones_message(court_world):
    world = court_world
    first = _report(world)
    second = court_report_issue(
        referral=world.referral, kind="progress", by=world["intake"], replaces=first
    )
    states = {
        message.key.rsplit("-", 1)[1]: message.state for message in _messages(world["liaison"])
    }
    assert states == {str(first.pk): "cancelled", str(second.pk): "pending"}


def test_a_daily_officer_gets_one_list_the_next_morning(court_world):
    world = court_world
    _choose(world["liaison"], "daily")
    User.objects.filter(pk=world["liaison"].pk).update(preferred_language="en")
    with time_machine.travel(YESTERDAY_AFTERNOON, tick=False):
        report = _report(world)
    # Issued after this morning's list was due: it waits for tomorrow's.
    with time_machine.travel(NOW - timedelta(minutes=20), tick=False):
        later = court_notice_issue(referral=world.referral, by=world["intake"], reason="Moved.")
    assert _messages(world["liaison"]) == []
    assert court_digests_prepare() == 1
    assert court_digests_prepare() == 0
    [digest] = _messages(world["liaison"], "court_digest")
    assert digest.key == f"court:{world['liaison'].pk}:digest:2026-12-01"
    assert digest.subject == "1 document issued for your courts"
    assert f"Attendance progress report — court file {FILE_NUMBER}" in digest.body_text
    assert "Notice of return" not in digest.body_text
    for secret in PARTICIPANT_NAMES + VICTIM_DETAILS:
        assert secret not in _whole(digest), secret
    assert report.pk and later.pk
    # The officer of the other court, daily too, has nothing to read: no email.
    _choose(world["other_liaison"], "daily")
    court_digests_prepare()
    assert _messages(world["other_liaison"], "court_digest") == []


def test_the_daily_list_leaves_out_revoked_and_replaced_documents(court_world):
    world = court_world
    _choose(world["liaison"], "daily")
    User.objects.filter(pk=world["liaison"].pk).update(preferred_language="en")
    with time_machine.travel(YESTERDAY_AFTERNOON, tick=False):
        first = _report(world)
        court_report_issue(
            referral=world.referral, kind="progress", by=world["intake"], replaces=first
        )
        certificate_revoke(certificate=world.certificate, by=world["manager"], reason="Twice.")
        certificate = Certificate.objects.create(
            agency=world.agency,
            referral=world.referral,
            code="ABCD-EFGH-JKLM",
            language="fr",
            details=CERTIFICATE_DETAILS,
        )
        certificate_revoke(certificate=certificate, by=world["manager"], reason="Wrong person.")
    court_digests_prepare()
    [digest] = _messages(world["liaison"], "court_digest")
    assert digest.body_text.count("Attendance progress report") == 1
    assert "Completion certificate" not in digest.body_text
    # The World's own report, issued this morning, waits for tomorrow's list.
    assert CourtReport.objects.filter(referral=world.referral).count() == 3


def test_nothing_is_listed_before_the_digest_time(court_world):
    world = court_world
    _choose(world["liaison"], "daily")
    with time_machine.travel(YESTERDAY_AFTERNOON, tick=False):
        _report(world)
    with time_machine.travel(NOW.replace(hour=6, minute=59), tick=False):
        assert court_digests_prepare() == 0
    assert court_digests_prepare() == 1
