"""Benchmark: bulk issue to 1,000 eligible trainees, then 100 PDFs, on a fresh SQLite database."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LMS_HUEY_IMMEDIATE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.accounts.models import Cohort, CohortCourse, CohortMember, Role, User
from lms.certificates.eligibility import required_modules
from lms.certificates.models import Certificate
from lms.certificates.printing import certificate_pdf
from lms.certificates.services import Outcome, issue_for_cohort
from lms.clock import utcnow
from lms.courses.loader import sync_courses
from lms.courses.models import Course
from lms.extensions import db
from lms.progress.models import ModuleProgress

TRAINEES = 1000
PDFS = 100
NAMES = ["فاطمة الزهراء بنعلي", "Aïcha Ouédraogo", "Youssef El Amrani", "خديجة أيت بلا"]


def seed(course: Course) -> tuple[User, Cohort]:
    """An administrator and a cohort of TRAINEES trainees who completed every required module."""
    password = generate_password_hash("bench-password")  # hashed once: scrypt is not measured
    admin = User(
        email="admin@bench.test", name="Salma Bennani", password_hash=password, role=Role.ADMIN
    )
    cohort = Cohort(
        code="BENCH", name="Khouribga 2025", place="Khouribga", starts_on=utcnow().date()
    )
    db.session.add_all([admin, cohort])
    db.session.flush()
    db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.id))
    db.session.execute(
        insert(User),
        [
            {
                "email": f"t{i}@bench.test",
                "name": f"{NAMES[i % len(NAMES)]} {i}",
                "password_hash": password,
                "role": Role.TRAINEE,
            }
            for i in range(TRAINEES)
        ],
    )
    ids = db.session.scalars(select(User.id).where(User.role == Role.TRAINEE)).all()
    db.session.execute(insert(CohortMember), [{"cohort_id": cohort.id, "user_id": i} for i in ids])
    now = utcnow()
    db.session.execute(
        insert(ModuleProgress),
        [
            {"user_id": i, "module_id": m.id, "read_at": now, "completed_at": now}
            for i in ids
            for m in required_modules(course)
        ],
    )
    db.session.commit()
    return admin, cohort


def bare_signature_ms(key, rounds: int = 2000) -> float:
    message = os.urandom(64)
    started = time.perf_counter()
    for _ in range(rounds):
        key.sign(message)
    return (time.perf_counter() - started) * 1000 / rounds


def credential_signature_ms(rounds: int = 200) -> float:
    """The signing step alone (build + canonicalize + sign), as the bulk issue does it."""
    from lms.certificates.badges import build_open_badge_credential
    from lms.certificates.keyring import current_signing_key
    from lms.certificates.signing import sign_credential

    key = current_signing_key()
    started = time.perf_counter()
    for i in range(rounds):
        credential = build_open_badge_credential(
            credential_id=f"http://127.0.0.1:5000/verify/BENCH{i:07d}",
            issuer_id="http://127.0.0.1:5000/issuer",
            issuer_name="Laboratoire d'innovation sociale",
            issuer_url="http://127.0.0.1:5000/",
            achievement_id="http://127.0.0.1:5000/courses/montage-video/",
            achievement_name="Montage vidéo",
            achievement_description="Du tournage au smartphone au court métrage fini.",
            criteria_narrative="Tous les modules obligatoires achevés.",
            recipient_name=f"{NAMES[i % len(NAMES)]} {i}",
            hours=30,
            valid_from="2025-06-14T09:30:00Z",
        )
        sign_credential(
            credential, key, "http://127.0.0.1:5000/issuer#zkey", "2025-06-14T09:30:00Z"
        )
    return (time.perf_counter() - started) * 1000 / rounds


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": os.environ.get(
                "LMS_BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}"
            ),
            "SIGNING_KEY_FILE": str(folder / "signing-key.pem"),
            "MEDIA_DIR": str(folder / "media"),
        }
    )
    with app.app_context(), app.test_request_context():
        db.create_all()
        sync_courses(Path(__file__).resolve().parents[1] / "courses")
        db.session.commit()
        course = db.session.scalar(select(Course).where(Course.slug == "montage-video"))
        admin, cohort = seed(course)
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), "
            f"{db.engine.url.get_backend_name()}"
        )

        started = time.perf_counter()
        report = issue_for_cohort(admin, cohort, course)
        db.session.commit()
        bulk = (time.perf_counter() - started) * 1000
        issued = report.count(Outcome.ISSUED)
        assert issued == TRAINEES, issued

        started = time.perf_counter()
        again = issue_for_cohort(admin, cohort, course)
        db.session.commit()
        rerun = (time.perf_counter() - started) * 1000
        assert again.count(Outcome.ALREADY) == TRAINEES

        from lms.certificates.keyring import current_signing_key

        bare = bare_signature_ms(current_signing_key())
        signing = credential_signature_ms()

        certificates = db.session.scalars(
            select(Certificate).order_by(Certificate.id).limit(PDFS)
        ).all()
        certificate_pdf(certificates[0])  # warm-up: fonts and template
        db.session.rollback()
        samples = []
        for certificate in certificates:
            began = time.perf_counter()
            certificate_pdf(certificate)
            samples.append((time.perf_counter() - began) * 1000)
        started = time.perf_counter()
        db.session.commit()
        store = (time.perf_counter() - started) * 1000 / PDFS

    print(
        f"bulk issue, {TRAINEES} trainees: {bulk:.0f} ms total, "
        f"{bulk / TRAINEES:.2f} ms per certificate"
        " (eligibility, signature, record, audit, notification; one commit)"
    )
    print(f"bulk issue run again (all already issued): {rerun:.0f} ms total")
    print(
        f"signing step alone: {signing:.3f} ms; bare Ed25519 signature: {bare:.4f} ms; "
        f"ratio {signing / bare:.0f}x"
    )
    print(
        f"PDF, {PDFS} certificates: mean {statistics.fmean(samples):.1f} ms, median "
        f"{statistics.median(samples):.1f} ms, p95 {sorted(samples)[int(PDFS * 0.95) - 1]:.1f} ms "
        f"per certificate (+{store:.2f} ms to store)"
    )


if __name__ == "__main__":
    main()
