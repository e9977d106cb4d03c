"""The revocation status list: each credential's entry, the signed list, its caching, its bits."""

from __future__ import annotations

import json
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select, text

from lms import create_app
from lms.certificates.keys import public_key_from_multibase
from lms.certificates.models import Certificate
from lms.certificates.services import issue_certificate, issue_for_cohort, revoke_certificate
from lms.certificates.signing import verify_credential
from lms.certificates.status import (
    LIST_SIZE,
    allocate_status_indexes,
    decode_bits,
    encode_bits,
)
from lms.extensions import db
from tests.factories import login, make_cohort, make_user

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def bit(encoded: str, position: int) -> bool:
    return bool(decode_bits(encoded)[position // 8] & (0x80 >> (position % 8)))


def issuer_resolver(client):
    document = client.get("/issuer").get_json(force=True)
    keys = {
        method["id"]: public_key_from_multibase(method["publicKeyMultibase"])
        for method in document["verificationMethod"]
    }
    return lambda method, created: keys.get(method)


def test_the_bitstring_is_16_kib_gzipped_in_base64url_with_the_first_bit_leftmost():
    encoded = encode_bits([0, 9, LIST_SIZE - 1])
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded
    raw = decode_bits(encoded)
    assert len(raw) == 16_384
    assert raw[0] == 0x80 and raw[1] == 0x40 and raw[-1] == 0x01
    assert encode_bits([0, 9, LIST_SIZE - 1]) == encoded  # same list, same bytes


def test_each_credential_names_its_own_stable_bit(app, admin, class_of_three, montage):
    cohort = class_of_three[0]
    status_list = f"{app.config['BASE_URL']}/status/revocation/0"
    issue_for_cohort(admin, cohort, montage)
    db.session.commit()
    certificates = db.session.scalars(select(Certificate)).all()
    indexes = {c.status_list_index for c in certificates}
    assert len(indexes) == len(certificates) == 2
    for certificate in certificates:
        status = json.loads(certificate.credential_json)["credentialStatus"]
        assert status == {
            "id": f"{status_list}#{certificate.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_list_index),
            "statusListCredential": status_list,
        }


def test_the_list_is_a_signed_credential_whose_bit_turns_on_at_revocation(
    client, admin, class_of_three, montage
):
    cohort, trainee, _, _ = class_of_three
    certificate = issue_certificate(admin, trainee, montage, cohort)
    db.session.commit()
    response = client.get("/status/revocation/0")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    listed = json.loads(response.get_data(as_text=True))
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == json.loads(certificate.credential_json)["issuer"]["id"]
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    assert verify_credential(listed, issuer_resolver(client)).ok
    assert not bit(listed["credentialSubject"]["encodedList"], certificate.status_list_index)

    etag = response.headers["ETag"]
    assert client.get("/status/revocation/0", headers={"If-None-Match": etag}).status_code == 304

    revoke_certificate(admin, certificate.code, "Erreur")
    db.session.commit()
    response = client.get("/status/revocation/0", headers={"If-None-Match": etag})
    assert response.status_code == 200
    listed = json.loads(response.get_data(as_text=True))
    assert verify_credential(listed, issuer_resolver(client)).ok
    assert bit(listed["credentialSubject"]["encodedList"], certificate.status_list_index)


def test_lists_that_do_not_exist_are_404(client, app):
    assert client.get("/status/revocation/0").status_code == 404  # nothing issued yet
    assert client.get("/status/revocation/1").status_code == 404
    assert client.get("/status/revocation/99999999999999999999999").status_code == 404


def test_the_cohort_page_revokes_only_its_own_certificates(client, admin, class_of_three, montage):
    """Issue 10: the revoke route took any code, whatever cohort and workshop its URL named."""
    cohort, trainee, _, _ = class_of_three
    certificate = issue_certificate(admin, trainee, montage, cohort)
    other = make_cohort(["montage-video", "redaction-contenu"], trainees=[make_user()])
    db.session.commit()
    login(client, admin)
    through_other = f"/admin/cohorts/{other.id}/certificates/{certificate.code}/revoke"
    response = client.post(through_other, data={"course": "montage-video", "reason": "Erreur"})
    assert response.status_code == 404
    theirs = issue_certificate(admin, other.members[0].user, montage, other, "Oral")
    db.session.commit()
    wrong_workshop = f"/admin/cohorts/{other.id}/certificates/{theirs.code}/revoke"
    response = client.post(wrong_workshop, data={"course": "redaction-contenu", "reason": "E"})
    assert response.status_code == 404
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(Certificate))} == {"issued"}
    own = f"/admin/cohorts/{cohort.id}/certificates/{certificate.code}/revoke"
    assert client.post(own, data={"course": "montage-video", "reason": "Erreur"}).status_code == 302


def test_the_migration_gives_existing_certificates_distinct_indexes_and_a_counter(tmp_path):
    """Rows issued before status lists existed get bits; new ones are numbered after them."""
    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    migrated = create_app({"SECRET_KEY": "x", "DATABASE_URL": url, "TESTING": True})
    insert = text(
        "INSERT INTO certificates (id, code, uuid, user_id, course_id, recipient_name, "
        "course_slug, course_title_fr, hours, issued_at, issuer_name, signatory_name, "
        "signatory_title, status, credential_json, verification_method) VALUES (:id, :code, "
        ":uuid, :id, 1, 'N', 's', 'T', 30, '2026-01-01', 'I', 'S', '', 'issued', '{}', 'm')"
    )
    with migrated.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0006_catalogue_revision")
        db.session.execute(text("PRAGMA foreign_keys=OFF"))  # no users or workshops needed
        for n in (1, 2, 5):  # ids with a gap, as rolled-back inserts leave
            db.session.execute(insert, {"id": n, "code": f"CODE{n:08d}", "uuid": f"uuid-{n}"})
        db.session.commit()
        upgrade(directory=str(MIGRATIONS))
        indexes = db.session.execute(
            text("SELECT id, status_list_index FROM certificates ORDER BY id")
        ).all()
        assert [tuple(row) for row in indexes] == [(1, 0), (2, 1), (5, 4)]
        assert allocate_status_indexes(2) == [5, 6]
        db.session.remove()
        db.engine.dispose()
