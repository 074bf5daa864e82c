"""An email's subject is plain text: a name with an apostrophe or an ampersand reads as written,
not as HTML entities; the HTML part still escapes it."""

import pytest

from ipv.notifications.services import render_email

HOSTILE = "Centre d'aide & <b>Soutien</b>"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_subject_is_not_html_escaped_and_the_html_part_is(language):
    context = {
        "weekday": "mardi",
        "day": "1 déc.",
        "when": "1 déc. 18 h 30",
        "time": "18 h 30",
        "location": HOSTILE,
        "video_link": "",
        "agency_name": HOSTILE,
        "agency_phone": "613-555-0100",
        "stop_url": "https://ipv.example.org/stop/",
    }
    subject, _text, html = render_email("session_reminder", context, language)
    assert subject.endswith(HOSTILE)
    assert "&#x27;" not in subject and "&amp;" not in subject
    assert "<b>" not in html
    assert "&lt;b&gt;Soutien" in html
