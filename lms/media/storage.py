"""The media folder: the only code that builds paths under LMS_MEDIA_DIR, and quota accounting."""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.extensions import db
from lms.media.models import MediaItem, MediaStatus

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_DOCUMENT = re.compile(r"^[0-9a-f]{40}$")
# Files a client may ask for inside an item's renditions folder; nothing else is served.
_SERVED_NAME = re.compile(r"^(?:\d{3,4}p\.mp4|poster\.jpg)$")
SOURCE_NAME = "source"
PARTIAL_NAME = "source.part"
RENDITIONS_NAME = "renditions"


class UnsafeName(ValueError):
    """A token or file name that could lead outside the media folder."""


def new_token() -> str:
    """A random name: 128 bits, never derived from anything the user sent."""
    return secrets.token_hex(16)


def media_root() -> Path:
    """The configured media folder (created when missing)."""
    root = Path(current_app.config["MEDIA_DIR"]).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def document_path(stored_name: str) -> Path:
    """A file handed in for a file assignment, by its random hex name (40 characters)."""
    if not _DOCUMENT.match(stored_name or ""):
        raise UnsafeName(stored_name)
    folder = media_root() / "submissions" / stored_name[:2]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / stored_name


def item_dir(token: str) -> Path:
    """The folder of one item, fanned out by the token's first two characters."""
    if not _TOKEN.match(token or ""):
        raise UnsafeName(token)
    return media_root() / "items" / token[:2] / token


def source_path(token: str) -> Path:
    """The original upload, complete; kept so that a failed job can run again."""
    return item_dir(token) / SOURCE_NAME


def partial_path(token: str) -> Path:
    """The upload while its bytes arrive; renamed to the source when complete."""
    return item_dir(token) / PARTIAL_NAME


def renditions_dir(token: str) -> Path:
    """The folder that transcode fills all at once with the renditions and the poster."""
    return item_dir(token) / RENDITIONS_NAME


def served_file(token: str, name: str) -> Path:
    """A rendition or poster of an item, by its plain file name; refuses anything else."""
    if not _SERVED_NAME.match(name or ""):
        raise UnsafeName(name)
    return renditions_dir(token) / name


def prepare_item_dir(token: str) -> Path:
    """Create an item's folder, readable by the server only."""
    folder = item_dir(token)
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    return folder


def remove_item_files(token: str) -> None:
    """Delete everything stored for an item."""
    shutil.rmtree(item_dir(token), ignore_errors=True)


def remove_source(token: str) -> None:
    """Drop the original of a refused upload: it is useless and may be hostile."""
    for path in (source_path(token), partial_path(token)):
        path.unlink(missing_ok=True)


def store_copy(src: Path, token: str) -> tuple[int, str]:
    """Copy a file (a lesson video) in as an item's source; returns its size and SHA-256."""
    prepare_item_dir(token)
    target = source_path(token)
    digest = hashlib.sha256()
    size = 0
    with Path(src).open("rb") as reader, target.open("wb") as writer:
        while block := reader.read(1 << 20):
            digest.update(block)
            writer.write(block)
            size += len(block)
    return size, digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as reader:
        while block := reader.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def quota_bytes() -> int:
    """How much one trainee may keep stored (LMS_TRAINEE_QUOTA_MB)."""
    return int(current_app.config["TRAINEE_QUOTA_MB"]) * 1024 * 1024


def max_upload_bytes() -> int:
    """The largest single upload (LMS_MAX_UPLOAD_MB)."""
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def used_bytes(owner_id: int) -> int:
    """Bytes a person holds: declared sizes of their uploads, refused ones excepted.

    Uploads still in progress count at their declared length, so that many parallel
    uploads cannot together pass the quota.
    """
    total = db.session.scalar(
        select(func.coalesce(func.sum(MediaItem.size_bytes), 0)).where(
            MediaItem.owner_id == owner_id, MediaItem.status != MediaStatus.REJECTED
        )
    )
    return int(total or 0)


def fits_in_quota(owner_id: int, length: int) -> bool:
    """Whether `length` more bytes fit in a person's quota; the caller records them before
    committing, and until then the person's other uploads wait for this answer.

    Writing the person's row (to the same value) is the lock: PostgreSQL holds a row lock to
    the end of the transaction, and SQLite, with no row locks, its one write lock. A second
    creation's sum therefore sees the first one's item, where two reads that both came before
    either insert would each find room.
    """
    db.session.execute(
        update(User)
        .where(User.id == owner_id)
        .values(id=User.id)
        .execution_options(synchronize_session=False)
    )
    return used_bytes(owner_id) + length <= quota_bytes()
