"""The certificate record: snapshots, codes, and the unique index that stops duplicates."""

import json
import unicodedata

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.certificates.models import Certificate, CertificateAudit
from lms.certificates.services import issue_certificate, revoke_certificate
from lms.extensions import db
from tests.certificates.conftest import ARABIC_NAME


def _copy(certificate: Certificate, **changes) -> Certificate:
    columns = {c.name: getattr(certificate, c.name) for c in Certificate.__table__.columns}
    columns.pop("id")
    columns.update(
        code="ZZZZZZZZZZZZ",
        uuid="00000000-0000-4000-8000-000000000000",
        status_list_index=certificate.status_list_index + 1000,
    )
    columns.update(changes)
    return Certificate(**columns)


def test_snapshots_keep_what_the_certificate_said(admin, class_of_three, montage):
    cohort, done_ar, _, _ = class_of_three
    certificate = issue_certificate(admin, done_ar, montage, cohort)
    db.session.commit()
    done_ar.name = "Another Name"
    montage.title_fr = "Renamed"
    montage.hours = 99
    db.session.commit()
    db.session.refresh(certificate)
    assert certificate.recipient_name == unicodedata.normalize("NFC", ARABIC_NAME)
    assert certificate.course_title_fr == "Atelier vidéo test"
    assert certificate.course_title_ar == "ورشة الفيديو التجريبية"
    assert certificate.hours == 30
    assert certificate.cohort_name == cohort.name and certificate.place == "Khouribga"
    assert certificate.issuer_name and certificate.issued_by_id == admin.id
    assert len(certificate.code) == 12 and len(certificate.uuid) == 36
    credential = json.loads(certificate.credential_json)
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == ARABIC_NAME


def test_a_second_valid_certificate_for_the_same_workshop_is_refused_by_the_database(
    admin, class_of_three, montage
):
    cohort, done_ar, _, _ = class_of_three
    certificate = issue_certificate(admin, done_ar, montage, cohort)
    db.session.commit()
    db.session.add(_copy(certificate))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_revoked_certificate_does_not_block_a_new_one_and_nothing_is_deleted(
    admin, class_of_three, montage
):
    cohort, done_ar, _, _ = class_of_three
    first = issue_certificate(admin, done_ar, montage, cohort)
    revoke_certificate(admin, first.code, "Name misspelt")
    second = issue_certificate(admin, done_ar, montage, cohort)
    db.session.commit()
    assert second.replaces_id == first.id
    rows = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert [c.status for c in rows] == ["revoked", "issued"]
    actions = db.session.scalars(select(CertificateAudit.action).order_by(CertificateAudit.id))
    assert list(actions) == ["issued", "revoked", "issued"]
