"""Public verification: page, signed credential, PDF, issuer document, throttle."""

import json

import pytest

from lms.certificates.codes import format_code
from lms.certificates.keys import public_key_from_multibase
from lms.certificates.services import issue_certificate, revoke_certificate
from lms.certificates.signing import verify_credential
from lms.extensions import db
from tests.certificates.conftest import ARABIC_NAME
from tests.factories import login


@pytest.fixture
def issued(admin, class_of_three, montage):
    cohort, done_ar, _, _ = class_of_three
    certificate = issue_certificate(admin, done_ar, montage, cohort)
    db.session.commit()
    return certificate


def test_the_page_says_valid_with_name_workshop_hours_and_no_email(client, issued):
    response = client.get(f"/verify/{issued.code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-status="issued"' in html
    assert f'<bdi dir="auto">{ARABIC_NAME}</bdi>' in html
    assert "Atelier vidéo test" in html and "ورشة الفيديو التجريبية" in html and ">30<" in html
    assert format_code(issued.code) in html
    assert issued.user.email not in html
    assert f"/verify/{issued.code}.json" in html and f"/verify/{issued.code}.pdf" in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_a_code_typed_loosely_lands_on_the_canonical_page(client, issued):
    typed = format_code(issued.code).lower()
    response = client.get(f"/verify?code={typed}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{issued.code}")
    response = client.get(f"/verify/{typed}")
    assert response.status_code == 301


def test_after_revocation_the_page_says_revoked_with_the_date_but_keeps_the_reason_private(
    admin, client, issued, class_of_three
):
    """Issue 10: the administrator's free text about a person is not for the public."""
    revoke_certificate(admin, issued.code, "Travail plagié")
    db.session.commit()
    html = client.get(f"/verify/{issued.code}").get_data(as_text=True)
    assert 'data-status="revoked"' in html and "Travail plagié" not in html
    assert issued.revoked_at.strftime("%Y") in html
    assert client.get(f"/verify/{issued.code}.pdf").status_code == 404
    cohort, holder, _, _ = class_of_three
    login(client, holder)
    assert "Travail plagié" in client.get("/certificates/").get_data(as_text=True)
    client.post("/logout")
    login(client, admin)
    roster = client.get(f"/admin/cohorts/{cohort.id}/certificates?course=montage-video")
    assert "Travail plagié" in roster.get_data(as_text=True)


@pytest.mark.parametrize("code", ["0000-0000-0000", "not-a-code", "%3Cscript%3E"])
def test_unknown_or_malformed_codes_say_so_plainly(client, app, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "<script>" not in html
    assert client.get(f"/verify/{code}.json").status_code == 404
    assert client.get("/verify?code=nope").status_code == 400


def test_the_json_is_the_signed_credential_and_verifies_with_the_issuer_document(client, issued):
    response = client.get(f"/verify/{issued.code}.json")
    assert response.mimetype == "application/ld+json"
    credential = response.get_json(force=True)
    issuer = client.get("/issuer")
    assert issuer.mimetype == "application/ld+json"
    document = issuer.get_json(force=True)
    method = credential["proof"]["verificationMethod"]
    assert method.startswith(document["id"] + "#") and method in document["assertionMethod"]
    keys = {
        m["id"]: public_key_from_multibase(m["publicKeyMultibase"])
        for m in document["verificationMethod"]
    }
    assert verify_credential(credential, keys.get).ok
    assert credential["id"].endswith(f"/verify/{issued.code}")


def test_the_public_pdf_is_made_once_and_served_again(client, issued, count_queries):
    first = client.get(f"/verify/{issued.code}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data.startswith(b"%PDF")
    second = client.get(f"/verify/{issued.code}.pdf")
    assert second.data == first.data


def test_lookups_are_rate_limited_per_address(app, client, issued, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_MAX_PER_10_MIN", 3)
    codes = [client.get(f"/verify/{issued.code}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = app.test_client()
    response = other.get(f"/verify/{issued.code}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 200


def test_the_issuer_document_keeps_old_keys_after_rotation(
    client, issued, admin, class_of_three, montage
):
    from lms.certificates.keyring import rotate_signing_key

    old, new, _retired = rotate_signing_key()
    db.session.commit()
    cohort, _, done_fr, _ = class_of_three
    newer = issue_certificate(admin, done_fr, montage, cohort)
    db.session.commit()
    document = client.get("/issuer").get_json(force=True)
    listed = [m["publicKeyMultibase"] for m in document["verificationMethod"]]
    assert listed == [old, new]
    assert json.loads(newer.credential_json)["proof"]["verificationMethod"].endswith(new)
    from lms.certificates.verification import check_credential

    assert check_credential(json.loads(issued.credential_json)).ok
    assert check_credential(json.loads(newer.credential_json)).ok
