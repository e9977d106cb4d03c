"""Packages import only packages below them, in the order of the README's architecture section."""

from __future__ import annotations

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parent.parent / "lms"

# Bottom to top, one line per layer, as in the README. A layer may import its own modules and
# any layer below it; imports inside functions count.
LAYERS: list[tuple[str, ...]] = [
    ("config", "extensions", "clock", "errors", "markup", "i18n", "http", "jobs", "security"),
    ("accounts",),
    ("courses",),
    ("notifications",),
    ("media",),
    ("submissions",),
    ("progress",),
    ("learning",),
    ("grading",),
    ("certificates",),
    ("reports",),
    ("admin",),
    ("__init__", "pages", "worker", "commands"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _unit(module: str) -> str:
    """The table's name for a dotted module under lms ("lms.media.tasks" -> "media")."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _unit_of_file(path: Path) -> str:
    relative = path.relative_to(LMS)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _is_lms_module(name: str) -> bool:
    path = LMS / name
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imported(node: ast.AST) -> list[str]:
    """The lms modules an import statement names (`from lms import pages` names lms.pages)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "lms"]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == "lms":
            return [f"lms.{a.name}" if _is_lms_module(a.name) else "lms" for a in node.names]
        if node.module.split(".")[0] == "lms":
            return [node.module]
    return []


def _python_files() -> list[Path]:
    return sorted(p for p in LMS.rglob("*.py") if "translations" not in p.parts)


def test_every_package_and_module_has_a_layer():
    units = {
        p.name if p.is_dir() else p.stem
        for p in LMS.iterdir()
        if (p.is_dir() and (p / "__init__.py").is_file()) or p.suffix == ".py"
    }
    unplaced = sorted(units - RANK.keys())
    assert not unplaced, f"place these in LAYERS and the README: {unplaced}"


def test_no_relative_imports_hide_a_dependency():
    relative = [
        f"{path.relative_to(LMS.parent)}:{node.lineno}"
        for path in _python_files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert not relative


def test_packages_import_only_layers_below_them():
    upward = []
    for path in _python_files():
        here = _unit_of_file(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for module in _imported(node):
                there = _unit(module)
                if RANK[there] > RANK[here]:
                    where = f"{path.relative_to(LMS.parent)}:{node.lineno}"
                    upward.append(f"{where} imports {module} (layer {there} above {here})")
    assert not upward, "\n".join(upward)


def test_lms_imports_sit_at_the_top_of_modules():
    """An import inside a function hides a dependency (often a loop) from a reader; only the
    app factory imports its packages as it builds the app."""
    hidden = [
        f"{path.relative_to(LMS.parent)}:{node.lineno}"
        for path in _python_files()
        if path != LMS / "__init__.py"
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if _imported(node)
    ]
    assert not hidden, hidden
