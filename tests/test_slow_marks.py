"""Tests that start gunicorn or `flask --app wsgi` in a subprocess are marked slow."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _marks_slow(decorators: list[ast.expr]) -> bool:
    return any("slow" in ast.unparse(d) for d in decorators if "mark" in ast.unparse(d))


def _module_marked_slow(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Assign)
        and any(getattr(t, "id", "") == "pytestmark" for t in node.targets)
        and "slow" in ast.unparse(node.value)
        for node in tree.body
    )


def _runs_flask(function: ast.FunctionDef) -> bool:
    """The function calls tests.cli.flask (imported under that name)."""
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", "") == "flask"
        for node in ast.walk(function)
    )


def _unmarked(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    if _module_marked_slow(tree):
        return []
    if any(isinstance(n, ast.Constant) and n.value == "gunicorn" for n in ast.walk(tree)):
        return [f"{path.name}: starts gunicorn without pytestmark = pytest.mark.slow"]
    if "from tests.cli import" not in source:
        return []
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    spawning = {f.name for f in functions if _runs_flask(f)}
    return [
        f"{path.name}::{f.name}"
        for f in functions
        if f.name.startswith("test_")
        and not _marks_slow(f.decorator_list)
        and (f.name in spawning or spawning & {a.arg for a in f.args.args})
    ]


def test_every_test_that_starts_a_server_or_a_flask_command_is_marked_slow():
    # Browser tests are marked by their conftest; this file names gunicorn only to look for it.
    files = [
        p
        for p in TESTS.rglob("test_*.py")
        if "browser" not in p.parts and p != Path(__file__).resolve()
    ]
    assert [name for path in sorted(files) for name in _unmarked(path)] == []


def test_the_check_notices_an_unmarked_flask_command(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from tests.cli import flask\n\n"
        "def test_quick(app):\n    assert app\n\n"
        "def test_sync(env):\n    assert flask(['courses', 'sync'], env).returncode == 0\n"
    )
    assert _unmarked(sample) == ["test_sample.py::test_sync"]
    sample.write_text(
        sample.read_text().replace("def test_sync", "@pytest.mark.slow\ndef test_sync")
    )
    assert _unmarked(sample) == []
    server = tmp_path / "test_server.py"
    server.write_text(
        "import subprocess\n\ndef test_serve():\n    subprocess.Popen(['gunicorn'])\n"
    )
    assert _unmarked(server) == [
        "test_server.py: starts gunicorn without pytestmark = pytest.mark.slow"
    ]
