"""Small factories that build what a test needs, and a sign-in helper."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from lms.accounts import services as accounts
from lms.accounts.models import Cohort, Role, User
from lms.courses.cohorts import create_cohort
from lms.courses.loader import sync_courses
from lms.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TEST_COURSES = ROOT / "tests" / "fixtures" / "courses"
PASSWORD = "correct-horse-7"
_sequence = itertools.count(1)


def sync_test_courses():
    """Load the workshops written for the tests (tests/fixtures/courses/README.md)."""
    report = sync_courses(TEST_COURSES)
    db.session.commit()
    return report


def sync_real_courses():
    """Load the courses/ folder of the repository: only for tests of the real content."""
    report = sync_courses(ROOT / "courses")
    db.session.commit()
    return report


def make_user(
    role: str = Role.TRAINEE,
    *,
    name: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    **profile,
) -> User:
    n = next(_sequence)
    user = accounts.create_user(
        email or f"{role}{n}@example.test",
        name or f"{role.title()} {n}",
        password,
        role,
        **profile,
    )
    db.session.commit()
    return user


def make_cohort(
    course_slugs: list[str],
    *,
    trainer: User | None = None,
    trainees: list[User] = (),
    code: str | None = None,
    starts_on: date | None = None,
    region: str = "Casablanca-Settat",
) -> Cohort:
    n = next(_sequence)
    cohort = create_cohort(
        code or f"COH-{n}",
        f"Cohorte {n}",
        course_slugs,
        trainer_email=trainer.email if trainer else None,
        region=region,
        place="Casablanca",
        starts_on=starts_on,
    )
    for trainee in trainees:
        accounts.join_cohort(trainee, cohort.code)
    db.session.commit()
    return cohort


def login(client, user: User, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return response


def write_course(
    root: Path, slug: str = "atelier-test", modules: int = 2, assignments_per_module: int = 1
) -> Path:
    """A small valid course folder for loader tests."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.toml").write_text(
        "order = 1\nhours = 12\npass_threshold = 50\nmax_attempts = 2\n"
        '[title]\nfr = "Atelier test"\nar = "ورشة تجريبية"\nen = "Test workshop"\n'
        '[summary]\nfr = "Résumé"\n',
        encoding="utf-8",
    )
    for i in range(1, modules + 1):
        write_module(folder, i, assignments_per_module)
    return folder


def write_module(
    folder: Path,
    position: int,
    assignments: int = 1,
    body: str | None = None,
    title: str | None = None,
) -> Path:
    blocks = []
    for a in range(1, assignments + 1):
        blocks.append(
            f'[[assignments]]\nslug = "devoir-{a}"\nkind = "text"\ntitle = "Devoir {a}"\n'
            f'due_offset_days = {7 * position}\ninstructions = "Écrivez **un** texte."\n'
            '[[assignments.criteria]]\ntitle = "Clarté"\n'
            '[[assignments.criteria.levels]]\nlabel = "Insuffisant"\npoints = 0\n'
            '[[assignments.criteria.levels]]\nlabel = "Bien"\npoints = 4\n'
        )
    path = folder / f"{position:02d}-module-{position}.md"
    path.write_text(
        "+++\nreading_minutes = 5\n[title]\n"
        f'fr = "{title or f"Module {position}"}"\n'
        f'ar = "الوحدة {position}"\nen = "Module {position}"\n'
        + "\n".join(blocks)
        + "+++\n"
        + (body or f"## Partie {position}\n\nTexte du module.\n"),
        encoding="utf-8",
    )
    return path
