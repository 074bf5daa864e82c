"""The roster's lines write their fields straight from Python (RosterRowForm.fields_html), for
speed: the very markup the form templates write, in both languages, whatever the values; a
line with errors goes back to the templates, which say them."""

import re

import pytest
from django.utils import translation

from referrals.models import Referral
from sessions_app.forms import RosterRowForm


def _same(html) -> str:
    """The markup with the layout's whitespace taken out."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", html).strip()


def _templates(form) -> dict:
    return {
        "status": str(form["status"]),
        "minutes_late": form["minutes_late"].as_field_group(),
        "note": form["note"].as_field_group(),
    }


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("data", "initial"),
    [
        (None, {}),
        (None, {"status": "late", "minutes_late": 5, "note": 'Arrivé "tard" <bus>'}),
        (None, {"status": "excused", "note": "Malade"}),
        ({"r7-status": "present", "r7-note": "ok & bien"}, {}),
        ({"r7-status": "late", "r7-minutes_late": "12"}, {}),
    ],
)
def test_the_fields_are_written_as_the_templates_write_them(language, data, initial):
    with translation.override(language):
        form = RosterRowForm(data, referral=Referral(pk=7), initial=initial)
        if data is not None:
            assert form.is_valid()
        fast = form.fields_html()
        slow = _templates(form)
        assert {name: _same(html) for name, html in fast.items()} == {
            name: _same(html) for name, html in slow.items()
        }
    assert "checked" in fast["status"] or not (data or initial)


def test_a_line_with_errors_is_left_to_the_templates():
    form = RosterRowForm({"r7-status": "late"}, referral=Referral(pk=7))
    assert not form.is_valid()
    assert form.fields_html() is None
    assert 'aria-invalid="true"' in form["minutes_late"].as_field_group()
