"""Each participant message template renders in French and in English from its sample
(tests/notifications/samples_participants.py), with no placeholder left, a stop link in every
email, and texts within their segments."""

import inspect

import pytest

from ipv.notifications.services import render_email, render_text
from ipv.notifications.texts import MAX_SEGMENTS, text_size
from tests.notifications.samples_participants import SAMPLES, STOP_URL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_template_renders_in_both_languages(name, language):
    kind, template = name.split("/")
    sample = SAMPLES[name]
    takes_language = "language" in inspect.signature(sample).parameters
    context = sample(language) if takes_language else sample()
    if kind == "emails":
        subject, text, html = render_email(template, context, language)
        assert subject.strip() and text.strip()
        assert f'lang="{language}"' in html
        assert STOP_URL in text and STOP_URL in html
        rendered = subject + text + html
    else:
        rendered = render_text(template, context, language)
        assert text_size(rendered).segments <= MAX_SEGMENTS
    assert "{{" not in rendered and "{%" not in rendered
    assert "613-555-0100" in rendered
    # Dates and times in the language's format.
    assert ("a.m." in rendered or "p.m." in rendered or "Dec" in rendered or "Nov" in rendered) == (
        language == "en"
    )
