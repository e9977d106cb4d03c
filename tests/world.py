"""The world the whole-surface tests request against, built through the services.

Two cohorts follow the video workshop (montage-video, "shared"); cohort A also follows the
writing workshop (redaction-contenu, "own"). The trainee of cohort A owns every thing: a text,
a file and a video handed in to cohort A, a video never handed in, a failed video, an upload in
progress, the certificate; the trainer of A commented on her video. After handing in, she also
joined cohort B with its code (as in issue 10, finding 7): B's trainer teaches the same workshop
to a cohort she is in, yet none of her cohort-A work is his to see.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.certificates import services as certificates
from lms.courses.cohorts import create_cohort
from lms.courses.models import Assignment, AssignmentKind, Course, Module
from lms.extensions import db
from lms.media import comments as media_comments
from lms.media import storage, uploads
from lms.media.models import MediaItem, MediaStatus
from lms.submissions import services as submissions
from tests.factories import sync_test_courses

PASSWORD = "correct-horse-7"
SHARED, OWN = "montage-video", "redaction-contenu"
# Sign-in is not what these tests measure: a cheap hash keeps ~200 sign-ins per run fast.
_CHEAP_HASH = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")


@dataclass
class World:
    """Identifiers only: requests run in their own application contexts, as in production."""

    users: dict[str, int]
    emails: dict[str, str]
    cohort_a: int
    cohort_b: int
    code_a: str
    code_b: str
    own_module: str
    own_assignment: str
    submission: int
    submission_assignment: int
    version: int
    levels: dict[int, int]
    file_version: int
    video: int
    unsubmitted_video: int
    failed_video: int
    upload: str
    comment: int
    certificate: str


def catalogue_tables() -> set[str]:
    """Sync the test workshops and name the tables it filled: they survive a reset of the world."""
    sync_test_courses()
    filled = set()
    for table in db.metadata.sorted_tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            filled.add(table.name)
    return filled


def reset_world(keep: set[str]) -> None:
    """Empty every table but the catalogue's."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in keep:
                connection.execute(table.delete())


def empty_database() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def _user(role: str, key: str) -> User:
    user = User(
        email=f"{key.replace('_', '-')}@surface.test",
        name=key.replace("_", " ").title(),
        password_hash=_CHEAP_HASH,
        role=role,
        locale="en",
    )
    db.session.add(user)
    return user


def _assignment(course: Course, kind: str, module: Module | None = None) -> Assignment:
    query = (
        select(Assignment)
        .join(Module)
        .where(Module.course_id == course.id, Assignment.kind == kind)
        .order_by(Module.position, Assignment.id)
    )
    if module is not None:
        query = query.where(Assignment.module_id == module.id)
    return db.session.scalars(query).first()


def _video(owner: User, status: str) -> MediaItem:
    item = MediaItem(
        token=storage.new_token(), owner_id=owner.id, status=status, duration_seconds=10.0
    )
    db.session.add(item)
    db.session.flush()
    storage.prepare_item_dir(item.token)
    storage.renditions_dir(item.token).mkdir(parents=True, exist_ok=True)
    (storage.renditions_dir(item.token) / "360p.mp4").write_bytes(b"\0\0\0\x18ftypmp42" * 8)
    storage.source_path(item.token).write_bytes(b"not a video")
    return item


def build_world() -> World:
    """Everything the routes' paths name, built through the services (courses already synced)."""
    people = {
        "trainee": _user(Role.TRAINEE, "trainee"),
        "other_trainee": _user(Role.TRAINEE, "other_trainee"),
        "trainer": _user(Role.TRAINER, "trainer"),
        "other_trainer": _user(Role.TRAINER, "other_trainer"),
        "admin": _user(Role.ADMIN, "admin"),
    }
    db.session.flush()
    cohort_a = create_cohort(
        "SURF-A",
        "Cohorte A",
        [SHARED, OWN],
        trainer_email=people["trainer"].email,
        region="Casablanca-Settat",
        place="Khouribga",
        starts_on=None,
    )
    cohort_b = create_cohort(
        "SURF-B",
        "Cohorte B",
        [SHARED],
        trainer_email=people["other_trainer"].email,
        region="Casablanca-Settat",
        place="Safi",
        starts_on=None,
    )
    owner = people["trainee"]
    accounts.join_cohort(owner, cohort_a.code)
    accounts.join_cohort(people["other_trainee"], cohort_b.code)
    shared = db.session.scalar(select(Course).where(Course.slug == SHARED))
    own = db.session.scalar(select(Course).where(Course.slug == OWN))

    text = _assignment(shared, AssignmentKind.TEXT)
    version = submissions.submit_text(owner, shared, text, "Mon plan de tournage.")
    file_version = submissions.submit_file(
        owner,
        shared,
        _assignment(shared, AssignmentKind.FILE),
        io.BytesIO(b"%PDF-1.4\n% surface\n"),
        "decoupage.pdf",
        "",
    )
    video = _video(owner, MediaStatus.READY)
    submissions.submit_video(owner, shared, _assignment(shared, AssignmentKind.VIDEO), video.id)
    unsubmitted = _video(owner, MediaStatus.READY)
    failed = _video(owner, MediaStatus.FAILED)
    upload = uploads.create_upload(owner, 100)
    comment = media_comments.add_comment(people["trainer"], video.id, 1.0, "Coupe plus tôt.")
    certificate = certificates.issue_certificate(
        people["admin"], owner, own, cohort_a, "Reconnue par le jury de fin d'atelier."
    )
    # Joined after handing in: her cohort-A work stays cohort A's (issue 10, finding 7).
    accounts.join_cohort(owner, cohort_b.code)
    own_module = db.session.scalars(
        select(Module).where(Module.course_id == own.id).order_by(Module.position)
    ).first()
    own_text = _assignment(own, AssignmentKind.TEXT, own_module)
    world = World(
        users={role: user.id for role, user in people.items()},
        emails={role: user.email for role, user in people.items()},
        cohort_a=cohort_a.id,
        cohort_b=cohort_b.id,
        code_a=cohort_a.code,
        code_b=cohort_b.code,
        own_module=own_module.slug,
        own_assignment=own_text.slug,
        submission=version.submission_id,
        submission_assignment=text.id,
        version=version.number,
        levels={c.id: max(c.levels, key=lambda lvl: lvl.points).id for c in text.criteria},
        file_version=file_version.id,
        video=video.id,
        unsubmitted_video=unsubmitted.id,
        failed_video=failed.id,
        upload=upload.token,
        comment=comment.id,
        certificate=certificate.code,
    )
    db.session.commit()
    return world


# A signed-in browser's last activity is written now and then whatever the request asked for.
ACTIVITY_COLUMNS = frozenset({"last_seen_at"})


def fingerprint(app, ignore: set[str]) -> dict[str, str]:
    """A digest per table of its rows, and one of the media folder's files and sizes: what a
    refused request must leave as it found it."""
    digests = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name not in ignore:
                columns = [c for c in table.columns if c.name not in ACTIVITY_COLUMNS]
                rows = sorted(repr(tuple(row)) for row in db.session.execute(select(*columns)))
                digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        db.session.remove()
    media = Path(app.config["MEDIA_DIR"])
    files = sorted(
        f"{p.relative_to(media)} {p.stat().st_size}" for p in media.rglob("*") if p.is_file()
    )
    digests["media folder"] = hashlib.sha256("\n".join(files).encode()).hexdigest()
    return digests
