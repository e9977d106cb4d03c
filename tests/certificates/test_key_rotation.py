"""Key rotation: a retired key stays published, a compromised one is withdrawn and never signs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lms.certificates.keyring import rotate_signing_key
from lms.certificates.services import issue_certificate
from lms.errors import Conflict
from lms.extensions import db


def published(client) -> set[str]:
    document = client.get("/issuer").get_json(force=True)
    return {method["publicKeyMultibase"] for method in document["verificationMethod"]}


def test_issuer_keeps_retired_keys_and_withdraws_compromised_ones(
    app, client, admin, class_of_three, montage
):
    cohort, first, _, _ = class_of_three
    issue_certificate(admin, first, montage, cohort)
    retired, current, _ = rotate_signing_key()
    db.session.commit()
    assert published(client) == {retired, current}
    compromised, newest, _ = rotate_signing_key(compromised=True)
    db.session.commit()
    assert compromised == current
    assert published(client) == {retired, newest}


def test_a_restored_compromised_key_refuses_to_sign(app, admin, class_of_three, montage):
    cohort, trainee, _, _ = class_of_three
    key_file = Path(app.config["SIGNING_KEY_FILE"])
    issue_certificate(admin, trainee, montage, cohort)
    db.session.commit()
    _, _, moved = rotate_signing_key(compromised=True)
    db.session.commit()
    shutil.copyfile(moved, key_file)  # an operator restores an old backup
    halfway = class_of_three[3]
    with pytest.raises(Conflict):
        issue_certificate(admin, halfway, montage, cohort, "Oral")
    db.session.rollback()
