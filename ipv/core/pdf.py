"""PDF documents with WeasyPrint: HTML templates under templates/pdf/, rendered in the
document's language, fonts embedded, tagged for screen readers."""

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML


def qr_code(url: str) -> str:
    """A QR code of `url`, as an image address for the template (an SVG data URI)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Render templates/pdf/<template> in `language` to PDF bytes."""
    with translation.override(language):
        html = render_to_string(f"pdf/{template}", {**context, "LANGUAGE_CODE": language})
    # Static files (the stylesheet) are read from disk: no network while rendering.
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
    return document.write_pdf(pdf_tags=True, custom_metadata=True)
