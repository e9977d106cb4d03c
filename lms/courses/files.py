"""Reads the courses/ folder and checks every file; nothing here touches the database."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lms.courses.models import AssignmentKind

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
FRONT_MATTER_FENCE = "+++"
LANGS = ("fr", "ar", "en")


class CourseFileError(Exception):
    """A course file that cannot be loaded: where, and what is wrong."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class LevelSpec:
    label: str
    points: int


@dataclass
class CriterionSpec:
    title: str
    description: str
    levels: list[LevelSpec]


@dataclass
class AssignmentSpec:
    slug: str
    kind: str
    title: str
    instructions: str
    due_offset_days: int | None
    required: bool
    max_attempts: int
    criteria: list[CriterionSpec]


@dataclass
class ModuleSpec:
    slug: str
    position: int
    titles: dict[str, str | None]
    body: str
    reading_minutes: int
    required: bool
    assignments: list[AssignmentSpec]


@dataclass
class CourseSpec:
    slug: str
    position: int
    hours: int
    pass_threshold: int
    max_attempts: int
    titles: dict[str, str | None]
    summaries: dict[str, str | None]
    modules: list[ModuleSpec]


def read_courses(root: Path) -> list[CourseSpec]:
    """Every course under root, fully checked; raises CourseFileError on the first bad file."""
    if not root.is_dir():
        raise CourseFileError(root, 0, "the courses folder does not exist")
    specs = []
    for folder in sorted(p for p in root.iterdir() if (p / "course.toml").is_file()):
        specs.append(read_course(folder))
    return specs


def read_course(folder: Path) -> CourseSpec:
    """One course folder: course.toml and its NN-slug.md modules."""
    path = folder / "course.toml"
    if not SLUG.match(folder.name):
        raise CourseFileError(path, 0, f"the folder name {folder.name!r} is not a valid slug")
    data = _parse_toml(path.read_text(encoding="utf-8"), path, 0)
    modules = []
    for module_path in sorted(folder.glob("*.md")):
        match = MODULE_FILE.match(module_path.name)
        if not match:
            continue
        modules.append(read_module(module_path, int(match.group(1)), match.group(2)))
    if not modules:
        raise CourseFileError(path, 0, "the course has no module file (NN-slug.md)")
    slugs = [m.slug for m in modules]
    if len(set(slugs)) != len(slugs):
        raise CourseFileError(path, 0, "two module files have the same slug")
    return CourseSpec(
        slug=folder.name,
        position=_int(data, "order", path, 0, default=0),
        hours=_int(data, "hours", path, 0, default=0),
        pass_threshold=_int(data, "pass_threshold", path, 0, default=60, low=0, high=100),
        max_attempts=_int(data, "max_attempts", path, 0, default=3, low=1, high=20),
        titles=_translations(data, "title", path, _line_of(path, "[title]")),
        summaries=_translations(data, "summary", path, 0, required=False),
        modules=modules,
    )


def read_module(path: Path, position: int, slug: str) -> ModuleSpec:
    """One module file: TOML front matter between +++ lines, then Markdown."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise CourseFileError(path, 1, "the file must start with a line holding +++")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise CourseFileError(path, 1, "the front matter is not closed by a +++ line") from None
    data = _parse_toml("\n".join(lines[1:end]), path, 1)
    body = "\n".join(lines[end + 1 :]).strip() + "\n"
    raw_assignments = data.get("assignments")
    if not isinstance(raw_assignments, list) or not raw_assignments:
        raise CourseFileError(path, 1, "a module needs at least one [[assignments]]")
    assignment_lines = [i + 1 for i, line in enumerate(lines) if line.strip() == "[[assignments]]"]
    assignments = []
    for index, raw in enumerate(raw_assignments):
        line = assignment_lines[index] if index < len(assignment_lines) else 1
        assignments.append(_read_assignment(raw, path, line))
    slugs = [a.slug for a in assignments]
    if len(set(slugs)) != len(slugs):
        raise CourseFileError(path, 1, "two assignments of the module have the same slug")
    return ModuleSpec(
        slug=slug,
        position=position,
        titles=_translations(data, "title", path, _line_of(path, "[title]")),
        body=body,
        reading_minutes=_int(data, "reading_minutes", path, 1, default=0, low=0),
        required=_bool(data, "required", path, 1, default=True),
        assignments=assignments,
    )


def _read_assignment(raw: dict, path: Path, line: int) -> AssignmentSpec:
    slug = raw.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise CourseFileError(path, line, "an assignment needs a slug (a-z, 0-9, hyphens)")
    kind = raw.get("kind")
    if kind not in {k.value for k in AssignmentKind}:
        raise CourseFileError(
            path, line, f"assignment {slug!r}: kind must be text, file or video, not {kind!r}"
        )
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CourseFileError(path, line, f"assignment {slug!r} needs a title")
    raw_criteria = raw.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise CourseFileError(path, line, f"assignment {slug!r} needs at least one criterion")
    criteria = [_read_criterion(c, slug, path, line) for c in raw_criteria]
    due = raw.get("due_offset_days")
    if due is not None and (not isinstance(due, int) or isinstance(due, bool) or due < 0):
        raise CourseFileError(path, line, f"assignment {slug!r}: due_offset_days must be >= 0")
    return AssignmentSpec(
        slug=slug,
        kind=kind,
        title=title.strip(),
        instructions=str(raw.get("instructions", "")).strip(),
        due_offset_days=due,
        required=_bool(raw, "required", path, line, default=True),
        max_attempts=_int(raw, "max_attempts", path, line, default=0, low=0, high=20),
        criteria=criteria,
    )


def _read_criterion(raw: dict, slug: str, path: Path, line: int) -> CriterionSpec:
    title = raw.get("title") if isinstance(raw, dict) else None
    if not isinstance(title, str) or not title.strip():
        raise CourseFileError(path, line, f"assignment {slug!r}: a criterion needs a title")
    levels = []
    for level in raw.get("levels") or []:
        label, points = level.get("label"), level.get("points")
        if not isinstance(label, str) or not isinstance(points, int) or isinstance(points, bool):
            raise CourseFileError(
                path, line, f"criterion {title!r}: each level needs a label and whole points"
            )
        if points < 0:
            raise CourseFileError(path, line, f"criterion {title!r}: points cannot be negative")
        levels.append(LevelSpec(label=label.strip(), points=points))
    if len(levels) < 2:
        raise CourseFileError(path, line, f"criterion {title!r} needs at least two levels")
    if len({lvl.points for lvl in levels}) != len(levels):
        raise CourseFileError(path, line, f"criterion {title!r}: two levels give the same points")
    return CriterionSpec(
        title=title.strip(), description=str(raw.get("description", "")).strip(), levels=levels
    )


def _parse_toml(text: str, path: Path, first_line: int) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) + first_line if match else first_line
        raise CourseFileError(path, line, f"invalid TOML: {error}") from None


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() == needle:
            return number
    return 1


def _translations(data, key, path, line, required=True) -> dict[str, str | None]:
    values = data.get(key) or {}
    if not isinstance(values, dict):
        raise CourseFileError(path, line, f"{key} must be a table with fr, ar and en")
    if required and not (isinstance(values.get("fr"), str) and values["fr"].strip()):
        raise CourseFileError(path, line, f"{key}.fr is missing")
    return {lang: (str(values[lang]).strip() if values.get(lang) else None) for lang in LANGS}


def _int(data, key, path, line, default, low=None, high=None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CourseFileError(path, line, f"{key} must be a whole number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise CourseFileError(path, line, f"{key} must be between {low} and {high}")
    return value


def _bool(data, key, path, line, default) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise CourseFileError(path, line, f"{key} must be true or false")
    return value
