"""Certificate PDFs: names in both scripts, QR code, attached credential and embedded fonts."""

import io
import json
import shutil
import subprocess
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from lms.certificates.keys import key_resolver, verification_method_id
from lms.certificates.pdf import CertificatePdfData, render_certificate_pdf
from lms.certificates.signing import (
    sign_credential,
    verify_credential,
)
from tests.certificates.conftest import sample_credential

BASE = "https://atelier.example.org"
ARABIC_NAME = "فاطمة الزهراء بنعلي"
FRENCH_NAME = "Aïcha Ouédraogo"
TITLE_FR = "Montage vidéo : du smartphone au court métrage"
TITLE_AR = "المونتاج: من الهاتف إلى الفيلم القصير"


def certificate_data(name, code="7K3M-9QX2-HB4T"):
    return CertificatePdfData(
        recipient_name=name,
        course_title_fr=TITLE_FR,
        course_title_ar=TITLE_AR,
        hours=30,
        issued_on=date(2025, 6, 14),
        cohort_name="Khouribga — Femmes entrepreneures 2025",
        place="Khouribga",
        code=code,
        verify_url=f"{BASE}/verify/{code.replace('-', '')}",
        issuer_name="Atelier — Laboratoire d’innovation sociale",
        signatory_name="Salma El Idrissi",
        signatory_title="Directrice des programmes",
    )


@pytest.fixture(scope="module")
def signing_key():
    return Ed25519PrivateKey.generate()


def signed_credential_json(name, key):
    credential = sample_credential(name)
    signed = sign_credential(
        credential,
        key,
        verification_method_id(BASE, key.public_key()),
        "2025-06-14T09:30:00Z",
    )
    return json.dumps(signed, ensure_ascii=False, indent=2).encode("utf-8")


@pytest.fixture(scope="module")
def arabic_pdf(signing_key):
    credential_json = signed_credential_json(ARABIC_NAME, signing_key)
    return render_certificate_pdf(certificate_data(ARABIC_NAME), credential_json), credential_json


@pytest.fixture(scope="module")
def french_pdf(signing_key):
    credential_json = signed_credential_json(FRENCH_NAME, signing_key)
    return render_certificate_pdf(certificate_data(FRENCH_NAME), credential_json), credential_json


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_one_a4_landscape_page():
    pdf = render_certificate_pdf(certificate_data(FRENCH_NAME), b"{}")
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_arabic_name_is_extracted_in_logical_order(arabic_pdf):
    text = page_text(arabic_pdf[0])
    assert "فاطمة الزهراء" in text
    assert "بنعلي" in text


def test_french_name_and_both_workshop_titles_are_in_the_text(french_pdf):
    text = page_text(french_pdf[0])
    assert FRENCH_NAME in text
    assert TITLE_FR in text
    assert "المونتاج" in text and "القصير" in text
    assert "Certificat de réussite" in text
    assert "7K3M-9QX2-HB4T" in text
    assert "14 juin 2025" in text
    assert "30 heures" in text


def test_markup_in_a_name_is_printed_not_interpreted():
    pdf = render_certificate_pdf(certificate_data("Ali <b>Benali</b>"), b"{}")
    assert "Ali <b>Benali</b>" in page_text(pdf)


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools is not installed")
def test_qr_code_on_the_printed_page_opens_the_verification_url(arabic_pdf, tmp_path):
    (tmp_path / "certificate.pdf").write_bytes(arabic_pdf[0])
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "certificate.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert decoded.stdout.strip() == f"{BASE}/verify/7K3M9QX2HB4T"


def test_signed_credential_is_attached_and_still_verifies(arabic_pdf, signing_key):
    pdf, credential_json = arabic_pdf
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert list(attachments) == ["credential.json"]
    (content,) = attachments["credential.json"]
    assert content == credential_json
    credential = json.loads(content)
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == ARABIC_NAME
    resolver = key_resolver(BASE, [signing_key.public_key()])
    assert verify_credential(credential, resolver).ok


def test_fonts_are_embedded(arabic_pdf):
    page = PdfReader(io.BytesIO(arabic_pdf[0])).pages[0]
    fonts = page["/Resources"]["/Font"]
    embedded = set()
    for reference in fonts.values():
        font = reference.get_object()
        descendants = font.get("/DescendantFonts")
        if descendants:
            font = descendants[0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
        embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"Noto-Naskh-Arabic", "Noto-Naskh-Arabic-Bold", "Noto-Sans"} <= embedded, embedded
