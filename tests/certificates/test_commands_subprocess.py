"""The certificates commands run as `flask --app wsgi …` subprocesses on a new install."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from lms.certificates.signing import sign_credential, utc_timestamp
from tests.cli import flask, fresh_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("certificates-cli")]

TRAINEE = "khadija@example.org"
OTHER = "youssef@example.org"


def ok(args: list[str], env: dict[str, str], input: str | None = None) -> str:
    run = flask(args, env, input=input)
    assert run.returncode == 0, (args, run.stdout, run.stderr)
    return run.stdout


def sql(folder: Path, statement: str, *params) -> list[tuple]:
    connection = sqlite3.connect(folder / "atelier.sqlite3")
    try:
        with connection:
            return connection.execute(statement, params).fetchall()
    finally:
        connection.close()


def credential_file(folder: Path, code: str, name: str, change=None) -> Path:
    """The stored credential of a certificate written to a file, optionally edited first."""
    (text,) = sql(folder, "SELECT credential_json FROM certificates WHERE code = ?", code)[0]
    credential = json.loads(text)
    if change:
        change(credential)
    path = folder / name
    path.write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
    return path


def revoke_all(folder: Path) -> None:
    """Start a test from no valid certificate, whichever tests ran before on this install."""
    sql(folder, "UPDATE certificates SET status = 'revoked', revoked_at = '2026-01-01 00:00:00'")


def verify(env: dict[str, str], path: Path) -> tuple[int, dict]:
    run = flask(["certificates", "verify", str(path)], env)
    assert not run.stderr.strip() or run.returncode != 0, run.stderr
    return run.returncode, json.loads(run.stdout)


@pytest.fixture(scope="module")
def install(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A migrated database with the workshops, a cohort and two trainees, made by commands."""
    folder = tmp_path_factory.mktemp("certificates-cli")
    env = fresh_env(folder, LMS_BASE_URL="https://atelier.example.org")
    ok(["db", "upgrade"], env)
    ok(["courses", "sync"], env)
    ok(["cohorts", "create", "KHB-01", "--name", "Khouribga", "--course", "montage-video"], env)
    for email, name in ((TRAINEE, "Khadija Alaoui"), (OTHER, "Youssef Amrani")):
        ok(
            ["users", "create", email, "--name", name, "--cohort", "KHB-01"],
            env,
            input="mot-de-passe-solide\n",
        )
    return folder, env


def test_issue_verify_tamper_revoke_through_the_commands(install):
    folder, env = install
    revoke_all(folder)
    refused = json.loads(ok(["certificates", "issue", "montage-video", "--email", TRAINEE], env))
    assert refused[0]["outcome"] == "not_eligible" and refused[0]["reasons"]
    issued = json.loads(
        ok(
            [
                "certificates", "issue", "montage-video", "--email", TRAINEE,
                "--override", "Évaluée sur papier",
            ],
            env,
        )
    )  # fmt: skip
    assert issued[0]["outcome"] == "issued"
    code = issued[0]["code"].replace("-", "")
    cohort = json.loads(ok(["certificates", "issue", "montage-video", "--cohort", "KHB-01"], env))
    outcomes = {line["email"]: line["outcome"] for line in cohort}
    assert outcomes == {TRAINEE: "already_issued", OTHER: "not_eligible"}

    status, verdict = verify(env, credential_file(folder, code, "good.json"))
    assert (status, verdict["valid"], verdict["status"]) == (0, True, "issued")

    def rename(credential):
        credential["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"

    status, verdict = verify(env, credential_file(folder, code, "tampered.json", rename))
    assert (status, verdict["valid"]) == (1, False)
    assert "signature does not match" in verdict["reason"]

    bad = flask(["certificates", "revoke", "ZZZZ-ZZZZ-ZZZZ", "--reason", "x"], env)
    assert bad.returncode == 1 and "Aucun certificat n’a ce code" in bad.stderr
    empty = flask(["certificates", "revoke", code, "--reason", "   "], env)
    assert empty.returncode == 1 and "pourquoi" in empty.stderr
    assert sql(folder, "SELECT status FROM certificates WHERE code = ?", code) == [("issued",)]

    out = ok(["certificates", "revoke", code, "--reason", "Erreur de saisie"], env)
    assert "Revoked" in out and "Khadija Alaoui" in out
    status, verdict = verify(env, credential_file(folder, code, "revoked.json"))
    assert (status, verdict["valid"], verdict["status"]) == (1, False, "revoked")
    assert verdict["reason"].startswith("revoked on")


def test_verify_says_which_signed_fact_differs_from_the_record(install):
    """Issue 10: a valid signature over a credential the record no longer vouches for."""
    folder, env = install
    revoke_all(folder)
    ok(["certificates", "issue", "montage-video", "--email", OTHER, "--override", "Oral"], env)
    (code,) = sql(
        folder,
        "SELECT c.code FROM certificates c JOIN users u ON u.id = c.user_id "
        "WHERE u.email = ? AND c.status = 'issued'",
        OTHER,
    )[0]
    path = credential_file(folder, code, "other.json")
    assert verify(env, path)[0] == 0
    sql(
        folder,
        "UPDATE certificates SET recipient_name = 'Youssef A.', hours = 12 WHERE code = ?",
        code,
    )
    status, verdict = verify(env, path)
    assert (status, verdict["valid"]) == (1, False)
    assert "recipient name signed 'Youssef Amrani', on record 'Youssef A.'" in verdict["reason"]
    assert "hours signed 30, on record 12" in verdict["reason"]
    assert "course" not in verdict["reason"].replace("course code", "")


def _forge_with(key_file: Path, credential: dict, created: str) -> dict:
    """What a holder of that private key could sign: the credential re-signed, dated `created`."""
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    unsigned = {k: v for k, v in copy.deepcopy(credential).items() if k != "proof"}
    return sign_credential(unsigned, key, credential["proof"]["verificationMethod"], created)


def test_retired_keys_prove_only_the_past_and_compromised_keys_nothing(install):
    """Issue 10: a retired signing key stayed trusted for ever, whatever it signed."""
    folder, env = install
    revoke_all(folder)
    ok(["certificates", "issue", "montage-video", "--email", TRAINEE, "--override", "Oral"], env)
    (first,) = sql(folder, "SELECT code FROM certificates WHERE status = 'issued'")[0]
    old_key = folder / "old-key.pem"
    old_key.write_bytes((folder / "signing-key.pem").read_bytes())
    out = ok(["certificates", "rotate-key", "--yes"], env)
    assert "retired" in out

    path = credential_file(folder, first, "first.json")
    assert verify(env, path)[0] == 0  # signed before the retirement: valid
    forged = _forge_with(old_key, json.loads(path.read_text()), utc_timestamp())
    later = folder / "signed-after-retirement.json"
    later.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    status, verdict = verify(env, later)
    assert (status, verdict["valid"]) == (1, False)
    assert "retired" in verdict["reason"] and "after" in verdict["reason"]

    ok(["certificates", "issue", "montage-video", "--email", OTHER, "--override", "Oral"], env)
    (second,) = sql(
        folder, "SELECT code FROM certificates WHERE status = 'issued' AND code != ?", first
    )[0]
    out = ok(["certificates", "rotate-key", "--compromised", "--yes"], env)
    assert "compromised" in out
    status, verdict = verify(env, credential_file(folder, second, "second.json"))
    assert (status, verdict["valid"]) == (1, False)
    assert "unknown verification method" in verdict["reason"]
    assert verify(env, path)[0] == 0  # the first key was only retired: its past still holds
