"""Issuing and revoking: bulk report, idempotence (also concurrent), overrides, audit, notices."""

import json
import threading

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Cohort, User
from lms.certificates.models import Certificate, CertificateAudit
from lms.certificates.services import (
    Outcome,
    issue_certificate,
    issue_for_cohort,
    revoke_certificate,
)
from lms.certificates.verification import check_credential
from lms.courses.models import Course
from lms.errors import Conflict, DomainError, Forbidden, NotFound
from lms.extensions import db
from lms.notifications.models import Notification, OutboxEmail
from tests.factories import make_user


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_bulk_issue_reports_issued_and_not_eligible_with_reasons(admin, class_of_three, montage):
    cohort, done_ar, done_fr, halfway = class_of_three
    report = issue_for_cohort(admin, cohort, montage)
    db.session.commit()
    by_email = {line.trainee.email: line for line in report.outcomes}
    assert by_email[done_ar.email].outcome == Outcome.ISSUED
    assert by_email[done_fr.email].outcome == Outcome.ISSUED
    assert by_email[halfway.email].outcome == Outcome.NOT_ELIGIBLE
    assert len(by_email[halfway.email].reasons) == 3
    assert by_email[halfway.email].certificate is None
    assert _count(Certificate) == 2
    audit = db.session.scalars(select(CertificateAudit)).all()
    assert {a.action for a in audit} == {"issued"} and {a.actor_id for a in audit} == {admin.id}
    notices = db.session.scalars(select(Notification).where(Notification.user_id == done_fr.id))
    assert [n.kind for n in notices] == ["certificate_issued"]
    assert db.session.scalar(
        select(OutboxEmail.to_address).where(OutboxEmail.to_address == done_fr.email)
    )


def test_bulk_issue_twice_issues_nothing_more(admin, class_of_three, montage):
    cohort = class_of_three[0]
    issue_for_cohort(admin, cohort, montage)
    db.session.commit()
    again = issue_for_cohort(admin, cohort, montage)
    db.session.commit()
    assert again.count(Outcome.ALREADY) == 2 and again.count(Outcome.ISSUED) == 0
    assert again.count(Outcome.NOT_ELIGIBLE) == 1
    assert _count(Certificate) == 2


def test_two_bulk_issues_at_the_same_time_make_no_duplicate(app, admin, class_of_three, montage):
    cohort_id, course_id, admin_id = class_of_three[0].id, montage.id, admin.id
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                report = issue_for_cohort(
                    db.session.get(User, admin_id),
                    db.session.get(Cohort, cohort_id),
                    db.session.get(Course, course_id),
                )
                db.session.commit()
                results.append(report.count(Outcome.ISSUED))
            except Conflict as error:  # SQLite may refuse the second writer outright
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    db.session.expire_all()
    assert _count(Certificate) == 2
    assert sum(r for r in results if isinstance(r, int)) == 2


def test_individual_issue_of_a_non_eligible_trainee_needs_a_reason(admin, class_of_three, montage):
    cohort, _, _, halfway = class_of_three
    with pytest.raises(DomainError) as refused:
        issue_certificate(admin, halfway, montage, cohort, override_reason="   ")
    third_module = [m for m in montage.modules if m.required][2]
    assert third_module.title_fr in str(refused.value.message)
    db.session.rollback()
    assert _count(Certificate) == 0
    certificate = issue_certificate(
        admin, halfway, montage, cohort, override_reason="Finished the last modules on paper"
    )
    db.session.commit()
    assert certificate.override_reason == "Finished the last modules on paper"
    audit = db.session.scalar(select(CertificateAudit))
    assert audit.action == "issued_override" and audit.reason == certificate.override_reason


def test_individual_issue_twice_is_a_conflict(admin, class_of_three, montage):
    cohort, done_ar, _, _ = class_of_three
    first = issue_certificate(admin, done_ar, montage, cohort)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        issue_certificate(admin, done_ar, montage, cohort)
    assert first.code[:4] in str(refused.value.message)


def test_only_administrators_issue_and_revoke(admin, class_of_three, montage):
    cohort, done_ar, _, _ = class_of_three
    trainer = make_user("trainer")
    with pytest.raises(Forbidden):
        issue_for_cohort(trainer, cohort, montage)
    with pytest.raises(Forbidden):
        issue_certificate(done_ar, done_ar, montage, cohort)
    certificate = issue_certificate(admin, done_ar, montage, cohort)
    with pytest.raises(Forbidden):
        revoke_certificate(trainer, certificate.code, "no")


def test_a_trainee_outside_the_cohort_gets_nothing(admin, class_of_three, montage):
    cohort = class_of_three[0]
    stranger = make_user()
    with pytest.raises(NotFound):
        issue_certificate(admin, stranger, montage, cohort, override_reason="why not")


def test_revocation_needs_a_reason_and_happens_once(admin, class_of_three, montage):
    cohort, done_ar, _, _ = class_of_three
    certificate = issue_certificate(admin, done_ar, montage, cohort)
    db.session.commit()
    with pytest.raises(DomainError):
        revoke_certificate(admin, certificate.code, "  ")
    db.session.rollback()
    assert db.session.get(Certificate, certificate.id).status == "issued"
    typed = certificate.code.lower()[:4] + "-" + certificate.code[4:]
    revoked = revoke_certificate(admin, typed, "Issued to the wrong person")
    db.session.commit()
    assert revoked.status == "revoked" and revoked.revoked_by_id == admin.id
    assert revoked.revocation_reason == "Issued to the wrong person"
    with pytest.raises(Conflict):
        revoke_certificate(admin, certificate.code, "again")
    db.session.rollback()
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == done_ar.id))
    assert sorted(kinds) == ["certificate_issued", "certificate_revoked"]


@pytest.mark.parametrize("code", ["", "nope", "0000-0000-0000", "x" * 200])
def test_unknown_or_malformed_codes_are_not_found(admin, app, code):
    with pytest.raises(NotFound):
        revoke_certificate(admin, code, "reason")


def test_the_stored_credential_verifies_until_revoked(admin, class_of_three, montage):
    cohort, done_ar, _, _ = class_of_three
    certificate = issue_certificate(admin, done_ar, montage, cohort)
    db.session.commit()
    document = json.loads(certificate.credential_json)
    assert check_credential(document).ok
    tampered = json.loads(certificate.credential_json)
    identity = tampered["credentialSubject"]["identifier"][0]
    identity["identityHash"] = identity["identityHash"].replace("ف", "ق", 1)
    verdict = check_credential(tampered)
    assert not verdict.ok and "signature" in verdict.reason
    revoke_certificate(admin, certificate.code, "Plagiarism")
    db.session.commit()
    verdict = check_credential(document)
    assert not verdict.ok and "revoked" in verdict.reason and "Plagiarism" in verdict.reason
