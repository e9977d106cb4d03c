"""Digital Bazaar's verifier, which wallets build on, checks Atelier's credentials over HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.certificates.services import issue_certificate, revoke_certificate
from lms.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("verify_credential.mjs")
NODE = shutil.which("node")


@pytest.fixture
def served(app, monkeypatch):
    """The app on a loopback port, naming itself by that address in what it signs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(app.config, "BASE_URL", base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=5)


def wallet_verdict(credential: dict, folder: Path) -> dict:
    """Run the verifier script on a credential; its one JSON line, parsed."""
    path = folder / "credential.json"
    path.write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(
        [NODE, str(SCRIPT), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    print(run.stdout)  # the verifier's own words, for the record (pytest -s)
    return json.loads(run.stdout)


def fetch_json(url: str) -> dict:
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback http only)
        return json.loads(response.read().decode("utf-8"))


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed (make test installs it)")
def test_the_wallet_verifier_accepts_refuses_tampering_and_sees_revocation(
    served, admin, class_of_three, montage, tmp_path
):
    if not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.fail("npm packages missing: run `npm install` (make test does)")
    cohort, trainee, _, _ = class_of_three
    certificate = issue_certificate(admin, trainee, montage, cohort)
    db.session.commit()
    credential = fetch_json(f"{served}/verify/{certificate.code}.json")

    verdict = wallet_verdict(credential, tmp_path)
    assert verdict["credential"] == f"{served}/verify/{certificate.code}"
    assert verdict["verificationMethod"].startswith(f"{served}/issuer#z6Mk")
    assert (verdict["verified"], verdict["revoked"], verdict["errors"]) == (True, False, [])

    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    verdict = wallet_verdict(tampered, tmp_path)
    assert verdict["verified"] is False
    assert any("signature" in error.lower() for error in verdict["errors"]), verdict

    revoke_certificate(admin, certificate.code, "Erreur de saisie")
    db.session.commit()
    verdict = wallet_verdict(credential, tmp_path)
    assert verdict["revoked"] is True, verdict
