"""Files handed in: their type recognised from their content, stored under a random name."""

from __future__ import annotations

import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.errors import DomainError
from lms.media import storage

CHUNK = 64 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
OOXML_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
WRONG_TYPE = _l(
    "This file is not a PDF, an image (JPEG, PNG, GIF, WebP) or an office document. "
    "Nothing was saved."
)
EMPTY_FILE = _l("The file is empty. Nothing was saved.")
ARCHIVE_BOMB = _l(
    "This document unpacks to far more than its size, as damaged or malicious files do. "
    "Nothing was saved."
)
# An office document's entries compress at most ~20:1 (XML); a bomb reaches ~1000:1.
# The bounds are generous for real documents and keep any later reader's memory small.
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_UNCOMPRESSED = 512 * 1024 * 1024
MAX_ZIP_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # small entries may compress well without harm
MIMETYPE_MAX = 100  # "application/vnd.oasis.opendocument.presentation" is 47 bytes


class FileTooLarge(DomainError):
    """The upload exceeds LMS_MAX_FILE_MB."""

    status = 413


@dataclass
class StoredFile:
    """A file written under the media folder, with what its content says it is."""

    stored_name: str
    mime_type: str
    size_bytes: int
    original_name: str


def stored_path(stored_name: str) -> Path:
    """The path of a stored file; names are ours (hex), never a trainee's."""
    try:
        return storage.document_path(stored_name)
    except storage.UnsafeName:
        raise DomainError(_l("This file does not exist."), status=404) from None


def sniff(head: bytes, path: Path | None = None) -> str | None:
    """The MIME type that the first bytes (and, for ZIP containers, the entries) show, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(OLE2_MAGIC):
        # Word 97-2003, Excel, PowerPoint: the container does not say which without parsing.
        return "application/vnd.ms-office"
    if head.startswith(b"PK\x03\x04") and path is not None:
        return _sniff_zip(path)
    return None


def _sniff_zip(path: Path) -> str | None:
    """An office document is a ZIP with a telling entry; any other ZIP is refused."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            _refuse_bombs(entries)
            names = {entry.filename: entry for entry in entries}
            if "mimetype" in names:
                return _odf_type(archive, names["mimetype"])
            if "[Content_Types].xml" in names:
                for prefix, mime in OOXML_PARTS.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return None


def _refuse_bombs(entries: list[zipfile.ZipInfo]) -> None:
    """Judge the archive by its declared sizes, before a single entry is inflated."""
    if len(entries) > MAX_ZIP_ENTRIES:
        raise DomainError(ARCHIVE_BOMB, status=422)
    if sum(entry.file_size for entry in entries) > MAX_ZIP_UNCOMPRESSED:
        raise DomainError(ARCHIVE_BOMB, status=422)
    for entry in entries:
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_ZIP_RATIO * max(
            entry.compress_size, 1
        ):
            raise DomainError(ARCHIVE_BOMB, status=422)


def _odf_type(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> str | None:
    """The declared ODF type; read bounded, since the declared size may lie."""
    if entry.file_size > MIMETYPE_MAX:
        return None
    with archive.open(entry) as stream:
        declared = stream.read(MIMETYPE_MAX + 1)
    if len(declared) > MIMETYPE_MAX:
        return None
    text = declared.decode("ascii", "replace").strip()
    return text if text in ODF_TYPES else None


def store_upload(stream: BinaryIO, original_name: str) -> StoredFile:
    """Copy an upload to a random name, checking size and type; on refusal nothing remains."""
    limit = int(current_app.config["MAX_FILE_MB"]) * 1024 * 1024
    name = secrets.token_hex(20)
    final = storage.document_path(name)
    partial = final.with_name(name + ".part")
    size = 0
    head = b""
    try:
        with open(partial, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(_too_large())
                if len(head) < 16:
                    head += chunk[:16]
                out.write(chunk)
        if size == 0:
            raise DomainError(EMPTY_FILE)
        mime = sniff(head, partial)
        if mime is None:
            raise DomainError(WRONG_TYPE, status=415)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredFile(name, mime, size, _clean_name(original_name))


def _too_large():
    return _l(
        "The file is larger than %(mb)s MB. Nothing was saved; choose a smaller file.",
        mb=current_app.config["MAX_FILE_MB"],
    )


def _clean_name(name: str) -> str:
    """The trainee's file name, kept for display and download only, without any path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()
    return base[:200] or "document"


def delete_stored(stored_name: str) -> None:
    """Remove a stored file (when the transaction that referenced it failed)."""
    stored_path(stored_name).unlink(missing_ok=True)
