"""Every email and text template renders in French and in English from a sample context.

Each template under templates/emails/ and templates/texts/ needs a sample in the `SAMPLES` of
one of the tests/notifications/samples_*.py modules (see samples_account.py): a template
without one fails here, by its name. Rendered in both languages, the French must differ from
the English and carry none of its first line, every variable must be found (a missing one
renders as INVALID here, not as a blank), the French spaces before « : » must be
non-breaking, and a text must fit the segments allowed.
"""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

import tests.notifications
from ipv.notifications.services import render_email, render_text
from ipv.notifications.texts import MAX_SEGMENTS, text_size

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EMAIL_PARTS = (".subject.txt", ".html", ".txt")
INVALID = "INVALID{%s}"


def _templates() -> list[str]:
    """ "emails/<name>" and "texts/<name>" for each template on disk (partials, named "_…",
    are rendered by the templates that include them)."""
    names = set()
    for path in (TEMPLATES / "emails").glob("[!_]*"):
        for part in EMAIL_PARTS:
            if path.name.endswith(part):
                names.add("emails/" + path.name.removesuffix(part))
                break
    names |= {f"texts/{path.stem}" for path in (TEMPLATES / "texts").glob("[!_]*.txt")}
    return sorted(names)


def _samples() -> dict:
    samples = {}
    for module in pkgutil.iter_modules(tests.notifications.__path__):
        if module.name.startswith("samples_"):
            found = importlib.import_module(f"tests.notifications.{module.name}").SAMPLES
            twice = set(samples) & set(found)
            assert not twice, f"{module.name} repeats samples of {sorted(twice)}"
            samples.update(found)
    return samples


SAMPLES = _samples()


@pytest.fixture
def strict(settings):
    """A variable the template cannot find shows, instead of rendering as nothing."""
    engine = {**django_settings.TEMPLATES[0]}
    engine["OPTIONS"] = {**engine["OPTIONS"], "string_if_invalid": INVALID}
    settings.TEMPLATES = [engine, *django_settings.TEMPLATES[1:]]


def _contexts(name):
    """A sample is a context, a list of them, or a function that makes either (for samples
    that need the database)."""
    sample = SAMPLES[name]
    sample = sample() if callable(sample) else sample
    return sample if isinstance(sample, list) else [sample]


def _render(name, context, language) -> dict[str, str]:
    folder, template = name.split("/")
    if folder == "texts":
        return {"text": render_text(template, context, language)}
    subject, text, html = render_email(template, context, language)
    return {"subject": subject, "text": text, "html": html}


def _first_line(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip())


def test_templates_are_found():
    assert "emails/invitation" in _templates()


def test_every_sample_names_a_template_that_exists():
    assert sorted(set(SAMPLES) - set(_templates())) == []


@pytest.mark.parametrize("name", _templates())
def test_each_template_renders_in_french_and_in_english(name, strict):
    assert name in SAMPLES, (
        f"{name} has no sample context: add one to a tests/notifications/samples_*.py module"
    )
    for context in _contexts(name):
        english = _render(name, context, "en")
        french = _render(name, context, "fr")
        for part in english:
            for language, rendered in (("en", english[part]), ("fr", french[part])):
                assert rendered.strip(), f"{name} {part} ({language}) is empty"
                assert "INVALID{" not in rendered, f"{name} {part} ({language}): {rendered}"
            assert french[part] != english[part], f"{name} {part} is not translated"
        # No English left in the French: its first line, its subject.
        for part in ("subject", "text"):
            if part in english:
                line = _first_line(english[part])
                assert line not in french[part], f"{name} {part}: {line!r} left in French"
        for part, rendered in french.items():
            if part != "html":
                assert not re.search(r" [:»;!?]|« ", rendered), (
                    f"{name} {part}: a plain space where French wants a non-breaking one "
                    f"(or none before ; ! ?): {rendered!r}"
                )
        if name.startswith("texts/"):
            for language, rendered in (("en", english["text"]), ("fr", french["text"])):
                size = text_size(rendered)
                assert size.segments <= MAX_SEGMENTS, f"{name} ({language}): {size}"
