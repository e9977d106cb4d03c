"""`courses sync`: idempotent import, updates, archiving, and refusal of malformed files."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.courses.loader import sync_courses
from lms.courses.models import Assignment, Course, Module, RubricCriterion
from lms.extensions import db
from tests.factories import write_course, write_module


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, Module, Assignment, RubricCriterion)
    )


def test_sync_twice_changes_nothing_the_second_time(runner, app):
    first = runner.invoke(args=["courses", "sync"])
    assert first.exit_code == 0 and "created" in first.output
    before = _counts()
    second = runner.invoke(args=["courses", "sync"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    assert _counts() == before


def test_an_edited_module_updates_its_row(app, tmp_path):
    folder = write_course(tmp_path)
    sync_courses(tmp_path)
    db.session.commit()
    write_module(folder, 1, body="## Nouveau\n\nUn texte **révisé**.\n", title="Titre révisé")
    report = sync_courses(tmp_path)
    db.session.commit()
    assert report.updated == {"modules": 1}
    module = db.session.scalar(select(Module).where(Module.slug == "module-1"))
    assert module.title_fr == "Titre révisé"
    assert "<strong>révisé</strong>" in module.body_html


def test_a_removed_module_is_archived_not_deleted(app, tmp_path):
    folder = write_course(tmp_path, modules=3)
    sync_courses(tmp_path)
    db.session.commit()
    (folder / "03-module-3.md").unlink()
    report = sync_courses(tmp_path)
    db.session.commit()
    assert report.archived == {"modules": 1}
    module = db.session.scalar(select(Module).where(Module.slug == "module-3"))
    assert module is not None and module.archived_at is not None
    write_module(folder, 3)
    sync_courses(tmp_path)
    db.session.commit()
    assert db.session.get(Module, module.id).archived_at is None


def test_a_rubric_change_keeps_criterion_ids(app, tmp_path):
    folder = write_course(tmp_path, modules=1)
    sync_courses(tmp_path)
    db.session.commit()
    criterion_id = db.session.scalar(select(RubricCriterion.id))
    path = folder / "01-module-1.md"
    path.write_text(path.read_text().replace('title = "Clarté"', 'title = "Clarté du propos"'))
    sync_courses(tmp_path)
    db.session.commit()
    criterion = db.session.get(RubricCriterion, criterion_id)
    assert criterion.title == "Clarté du propos"


@pytest.mark.parametrize(
    ("breakage", "line", "message"),
    [
        (lambda t: t.replace('kind = "text"', 'kind = "audio"'), 7, "kind must be text"),
        (lambda t: t.replace('fr = "Module 1"\n', ""), 3, "title.fr is missing"),
        (
            lambda t: t.replace("due_offset_days = 7", 'due_offset_days = "sept"'),
            7,
            "due_offset_days",
        ),
        (lambda t: t.replace("points = 4", "points = 0"), 7, "same points"),
        (lambda t: t.replace("[title]", "[title"), 3, "invalid TOML"),
        (lambda t: t.replace("+++", "---", 1), 1, "+++"),
    ],
)
def test_a_malformed_file_stops_the_sync_and_changes_nothing(
    runner, app, tmp_path, breakage, line, message
):
    folder = write_course(tmp_path, modules=2)
    sync_courses(tmp_path)
    db.session.commit()
    before = _counts()
    write_module(folder, 2, title="Changement qui ne doit pas passer")
    path = folder / "01-module-1.md"
    path.write_text(breakage(path.read_text()))
    result = runner.invoke(args=["courses", "sync", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"01-module-1.md, line {line}" in result.output
    assert message in result.output
    assert "Nothing was changed" in result.output
    assert _counts() == before
    titles = db.session.scalars(select(Module.title_fr)).all()
    assert "Changement qui ne doit pas passer" not in titles
