"""The link in every reminder email: the page says what stops and asks; only its button
stops email reminders, cancels those written and notes it on the referral's timeline."""

import pytest

from ipv.notifications.models import OutboxMessage
from referrals.models import Participant, TimelineEntry
from referrals.reasons import EMAIL_REMINDERS_STOPPED
from referrals.services.consent import stop_token
from referrals.services.referrals import participant_update
from sessions_app.services.reminders import session_reminders_prepare

pytestmark = pytest.mark.django_db


def _url(participant_id, language="en", token=None):
    return f"/{language}/reminders/stop/{token or stop_token(participant_id)}/"


def _states():
    return dict(
        OutboxMessage.objects.filter(kind="session_reminder").values_list("channel", "state")
    )


def test_every_reminder_email_carries_the_participants_stop_link(enrolled):
    session_reminders_prepare()
    email = OutboxMessage.objects.get(channel="email")
    assert _url(enrolled.referral.participant_id, "fr") in email.body_text
    assert _url(enrolled.referral.participant_id, "fr") in email.body_html


def test_opening_the_link_changes_nothing(client, enrolled):
    session_reminders_prepare()
    participant_id = enrolled.referral.participant_id
    response = client.get(_url(participant_id))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post"' in page
    # Forwarded or not, the page names nobody.
    assert "Tremblay" not in page and "Jean-Marc" not in page
    assert Participant.objects.get(pk=participant_id).consent_email
    assert _states() == {"email": "pending", "sms": "pending"}


def test_the_button_stops_email_reminders_and_notes_it(client, enrolled):
    session_reminders_prepare()
    participant_id = enrolled.referral.participant_id
    response = client.post(_url(participant_id))
    assert response.status_code == 302
    assert "Email reminders are stopped" in client.get(response["Location"]).content.decode()
    participant = Participant.objects.get(pk=participant_id)
    assert (participant.consent_email, participant.consent_sms) == (False, True)
    # Texts were agreed to separately: they go on.
    assert _states() == {"email": "cancelled", "sms": "pending"}
    entry = TimelineEntry.objects.get(
        referral=enrolled.referral, reason_code=EMAIL_REMINDERS_STOPPED
    )
    assert (entry.kind, entry.reason, entry.by) == ("edited", "", None)
    # Pressed again: nothing more to stop, nothing more noted.
    client.post(_url(participant_id))
    assert TimelineEntry.objects.filter(reason_code=EMAIL_REMINDERS_STOPPED).count() == 1


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "TAMPERED"],
)
def test_a_tampered_link_is_not_found_and_changes_nothing(client, enrolled, token):
    participant_id = enrolled.referral.participant_id
    if token == "TAMPERED":
        genuine = stop_token(participant_id)
        token = stop_token(participant_id + 1).split(":")[0] + ":" + genuine.split(":", 1)[1]
    for method in (client.get, client.post):
        response = method(_url(participant_id, token=token))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    assert Participant.objects.get(pk=participant_id).consent_email


def test_staff_withdrawing_an_agreement_cancel_that_channels_messages(enrolled):
    session_reminders_prepare()
    participant = Participant.objects.get(pk=enrolled.referral.participant_id)
    participant_update(participant=participant, by=enrolled["intake"], consent_sms=False)
    assert _states() == {"email": "pending", "sms": "cancelled"}


def test_staff_changing_something_else_cancel_nothing(enrolled):
    # Positive control of the previous test.
    session_reminders_prepare()
    participant = Participant.objects.get(pk=enrolled.referral.participant_id)
    participant_update(participant=participant, by=enrolled["intake"], pronouns="il")
    assert _states() == {"email": "pending", "sms": "pending"}
