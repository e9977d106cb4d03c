"""Certificate PDFs with QR code and attached credential; the only WeasyPrint and segno import."""

import io
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import segno
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "certificates/pdf.html"
ATTACHMENT_NAME = "credential.json"

# Building a font configuration (Pango font map, fontconfig lookups) is ~40% of a render;
# reuse one per thread, as Pango font maps must not be shared between threads.
_thread_state = threading.local()


@dataclass(frozen=True)
class CertificatePdfData:
    """What the printed certificate shows; code is already formatted (XXXX-XXXX-XXXX)."""

    recipient_name: str
    course_title_fr: str
    course_title_ar: str
    hours: int | float
    issued_on: date
    cohort_name: str
    place: str
    code: str
    verify_url: str
    issuer_name: str
    signatory_name: str
    signatory_title: str


@cache
def _environment() -> Environment:
    # Standalone, so the CLI and workers render PDFs without a Flask application.
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def _text_direction(text: str) -> str:
    """Return 'rtl' or 'ltr' from the first strong character, as dir="auto" would."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _hours_number(hours: int | float) -> str:
    return str(int(hours)) if float(hours).is_integer() else f"{hours:g}".replace(".", ",")


def _hours_arabic(hours: int | float) -> str:
    # Arabic counted nouns: ساعات for 3 to 10, ساعة otherwise (and for fractions).
    number = _hours_number(hours)
    if hours == 1:
        return "ساعة واحدة"
    if hours == 2:
        return "ساعتان"
    if float(hours).is_integer() and 3 <= hours <= 10:
        return f"{number} ساعات"
    return f"{number} ساعة"


def _qr_data_uri(url: str) -> str:
    # Medium error correction survives a crease or a smudged print; the page around is white.
    return segno.make(url, error="m", micro=False).svg_data_uri(dark="#1d2b36", border=2)


def render_certificate_html(data: CertificatePdfData) -> str:
    """Render the certificate page as HTML (useful for previews and tests)."""
    return (
        _environment()
        .get_template(TEMPLATE_NAME)
        .render(
            data=data,
            name_dir=_text_direction(data.recipient_name),
            hours_fr=f"{_hours_number(data.hours)} heure{'s' if data.hours >= 2 else ''}",
            hours_ar=_hours_arabic(data.hours),
            date_fr=format_date(data.issued_on, "d MMMM y", locale="fr"),
            qr_data_uri=_qr_data_uri(data.verify_url),
        )
    )


def render_certificate_pdf(data: CertificatePdfData, credential_json: bytes) -> bytes:
    """Render the one-page A4 certificate with the signed credential attached as credential.json."""
    attachment = Attachment(
        file_obj=io.BytesIO(credential_json),
        name=ATTACHMENT_NAME,
        description="Open Badges 3.0 credential signed with eddsa-rdfc-2022",
        relationship="Data",
    )
    document = HTML(
        string=render_certificate_html(data),
        # Only the inline QR code is a resource; nothing is fetched from disk or the network.
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    )
    return document.write_pdf(attachments=[attachment], font_config=_font_configuration())


def _font_configuration() -> FontConfiguration:
    config = getattr(_thread_state, "font_config", None)
    if config is None:
        config = _thread_state.font_config = FontConfiguration()
    return config
