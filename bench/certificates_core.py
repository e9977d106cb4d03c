"""Micro-benchmark of certificate signing (vs bare Ed25519), verification and PDF rendering."""

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates.keys import key_resolver, verification_method_id
from lms.certificates.pdf import CertificatePdfData, render_certificate_pdf
from lms.certificates.signing import (
    build_open_badge_credential,
    sign_credential,
    verify_credential,
)

BASE = "https://atelier.example.org"
NAMES = [
    "فاطمة الزهراء بنعلي",
    "Aïcha Ouédraogo",
    "Youssef El Amrani",
    "خديجة أيت بلا",
    "Mamadou Diallo",
    "Salma Benjelloun",
]


def credential_for(index: int) -> dict:
    name = f"{NAMES[index % len(NAMES)]} {index}"
    return build_open_badge_credential(
        credential_id=f"{BASE}/verify/CODE{index:08d}",
        issuer_id=f"{BASE}/issuer",
        issuer_name="Atelier — Laboratoire d’innovation sociale",
        issuer_url=BASE,
        achievement_id=f"{BASE}/courses/montage-video/",
        achievement_name="Montage vidéo",
        achievement_description="Du tournage au smartphone au court métrage fini.",
        criteria_narrative="Toutes les missions rendues et validées.",
        recipient_name=name,
        hours=30,
        valid_from="2025-06-14T00:00:00Z",
        achievement_code="montage-video",
    )


def per_op_ms(label: str, count: int, operation: Callable[[int], object]) -> float:
    """Run operation(i) count times after one warm-up; print and return the mean in ms."""
    operation(-1)
    samples = []
    for index in range(count):
        started = time.perf_counter()
        operation(index)
        samples.append((time.perf_counter() - started) * 1000)
    mean = statistics.fmean(samples)
    print(
        f"{label:<34} {mean:8.3f} ms/op  (median {statistics.median(samples):.3f}, "
        f"p95 {sorted(samples)[int(len(samples) * 0.95) - 1]:.3f}, n={count})"
    )
    return mean


def main() -> None:
    key = Ed25519PrivateKey.generate()
    method = verification_method_id(BASE, key.public_key())
    resolver = key_resolver(BASE, [key.public_key()])
    created = "2025-06-14T09:30:00Z"
    message = os.urandom(64)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")

    bare = per_op_ms("Ed25519 sign, 64 bytes", 1000, lambda i: key.sign(message))
    credentials = [credential_for(i) for i in range(200)]
    signed = [None] * 200

    def sign_one(i: int) -> None:
        signed[i] = sign_credential(credentials[i], key, method, created)

    signing = per_op_ms("sign_credential (OB 3.0)", 200, sign_one)
    verifying = per_op_ms(
        "verify_credential", 200, lambda i: verify_credential(signed[i], resolver)
    )

    pdf_data = CertificatePdfData(
        recipient_name=NAMES[0],
        course_title_fr="Montage vidéo : du smartphone au court métrage",
        course_title_ar="المونتاج: من الهاتف إلى الفيلم القصير",
        hours=30,
        issued_on=date(2025, 6, 14),
        cohort_name="Khouribga — Femmes entrepreneures 2025",
        place="Khouribga",
        code="7K3M-9QX2-HB4T",
        verify_url=f"{BASE}/verify/7K3M9QX2HB4T",
        issuer_name="Atelier — Laboratoire d’innovation sociale",
        signatory_name="Salma El Idrissi",
        signatory_title="Directrice des programmes",
    )
    credential_json = json.dumps(signed[0], ensure_ascii=False).encode()
    pdf = per_op_ms(
        "render_certificate_pdf", 20, lambda i: render_certificate_pdf(pdf_data, credential_json)
    )

    print(f"signing / bare Ed25519 ratio: {signing / bare:.0f}x")
    print(f"bulk issue estimate (sign + PDF): {signing + pdf:.1f} ms per certificate")
    print(f"verify / sign ratio: {verifying / signing:.2f}")


if __name__ == "__main__":
    main()
