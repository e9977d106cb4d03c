"""The command line: issue (cohort or one trainee, with override), revoke, verify."""

import json

from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.extensions import db


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_issue_for_a_cohort_prints_issued_and_skipped_with_reasons(runner, class_of_three):
    cohort, done_ar, done_fr, halfway = class_of_three
    lines = _json(
        runner.invoke(args=["certificates", "issue", "montage-video", "--cohort", cohort.code])
    )
    outcome = {line["email"]: line for line in lines}
    assert outcome[done_ar.email]["outcome"] == "issued" and outcome[done_ar.email]["code"]
    assert outcome[done_fr.email]["outcome"] == "issued"
    assert outcome[halfway.email]["outcome"] == "not_eligible"
    assert len(outcome[halfway.email]["reasons"]) == 3
    again = _json(
        runner.invoke(args=["certificates", "issue", "montage-video", "--cohort", cohort.code])
    )
    assert sorted(line["outcome"] for line in again) == ["already_issued"] * 2 + ["not_eligible"]
    assert db.session.scalar(select(func.count(Certificate.id))) == 2


def test_issue_to_one_trainee_with_and_without_override(runner, class_of_three):
    _, _, _, halfway = class_of_three
    lines = _json(
        runner.invoke(args=["certificates", "issue", "montage-video", "--email", halfway.email])
    )
    assert lines[0]["outcome"] == "not_eligible"
    lines = _json(
        runner.invoke(
            args=[
                "certificates",
                "issue",
                "montage-video",
                "--email",
                halfway.email,
                "--override",
                "Assessed on paper",
            ]
        )
    )
    assert lines[0]["outcome"] == "issued" and "Assessed on paper" in lines[0]["reasons"][0]


def test_bad_arguments_fail_with_a_message_and_change_nothing(runner, class_of_three):
    cohort = class_of_three[0]
    for args in (
        ["certificates", "issue", "montage-video"],
        ["certificates", "issue", "nope", "--cohort", cohort.code],
        ["certificates", "issue", "montage-video", "--cohort", "NOPE"],
        ["certificates", "issue", "montage-video", "--email", "ghost@example.test"],
        ["certificates", "revoke", "0000-0000-0000", "--reason", "x"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "Error" in result.output, args
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_revoke_then_verify_reports_the_status(runner, class_of_three, tmp_path):
    cohort, done_ar, _, _ = class_of_three
    lines = _json(
        runner.invoke(args=["certificates", "issue", "montage-video", "--cohort", cohort.code])
    )
    code = next(line["code"] for line in lines if line["email"] == done_ar.email)
    stored = db.session.scalar(
        select(Certificate.credential_json).where(Certificate.user_id == done_ar.id)
    )
    credential = tmp_path / "credential.json"
    credential.write_text(stored, encoding="utf-8")
    report = _json(runner.invoke(args=["certificates", "verify", str(credential)]))
    assert report["valid"] is True and report["code"] == code

    tampered = json.loads(stored)
    identity = tampered["credentialSubject"]["identifier"][0]
    identity["identityHash"] = identity["identityHash"][:-1] + "x"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["certificates", "verify", str(forged)])
    assert result.exit_code == 1 and json.loads(result.output)["valid"] is False

    assert runner.invoke(args=["certificates", "revoke", code]).exit_code != 0  # no reason
    result = runner.invoke(args=["certificates", "revoke", code.lower(), "--reason", "Fraud"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["certificates", "verify", str(credential)])
    assert result.exit_code == 1
    assert json.loads(result.output)["status"] == "revoked"
    again = runner.invoke(args=["certificates", "revoke", code, "--reason", "Again"])
    assert again.exit_code == 1 and "Error" in again.output
