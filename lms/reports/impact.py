"""Impact figures: beneficiaries, regions, share of women, completions, certificates.

Everything is scoped by cohort: the filters choose cohorts (by start date and region) and a
trainee counts where their cohorts ran. Every figure is aggregated in SQL, in a fixed number of
queries whatever the number of trainees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Subquery, Table, and_, case, func, select, true

from lms.accounts.models import Cohort, CohortCourse, CohortMember, Role, User
from lms.accounts.regions import REGIONS
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import ModuleProgress

TOTAL = "total"


@dataclass(frozen=True)
class ImpactFilters:
    """Which cohorts count: those starting within the period, in the region (all when None)."""

    starts_from: date | None = None
    starts_until: date | None = None
    region: str | None = None


@dataclass
class Figures:
    """The figures of one line of the dashboard (everyone, a region, a workshop or a cohort)."""

    key: object
    label: str
    beneficiaries: int = 0
    women: int = 0
    declared: int = 0
    cohorts: int = 0
    modules_completed: int = 0
    workshops_completed: int = 0
    certificates: int = 0
    detail: str = ""

    @property
    def women_percent(self) -> int | None:
        """Share of women among trainees who declared a gender; None when nobody did."""
        return round(100 * self.women / self.declared) if self.declared else None


@dataclass
class ImpactReport:
    """The dashboard: a total line and the breakdowns."""

    filters: ImpactFilters
    total: Figures
    regions: list[Figures] = field(default_factory=list)
    workshops: list[Figures] = field(default_factory=list)
    cohorts: list[Figures] = field(default_factory=list)
    counts_certificates: bool = False

    @property
    def regions_reached(self) -> int:
        return sum(1 for r in self.regions if r.beneficiaries)


def certificate_table() -> tuple[Table, ColumnElement[bool]] | None:
    """The certificates table and its "still valid" condition, when that package is installed."""
    table = db.metadata.tables.get("certificates")
    if table is None or not {"user_id", "course_id"} <= set(table.c.keys()):
        return None
    if "revoked_at" in table.c:
        return table, table.c.revoked_at.is_(None)
    if "status" in table.c:
        return table, table.c.status != "revoked"
    return table, true()


def _scope(filters: ImpactFilters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.starts_from:
        conditions.append(Cohort.starts_on >= filters.starts_from)
    if filters.starts_until:
        conditions.append(Cohort.starts_on <= filters.starts_until)
    if filters.region:
        conditions.append(Cohort.region == filters.region)
    return conditions


def _members(filters: ImpactFilters) -> Subquery:
    """Trainee memberships of the cohorts in scope, with the cohort's region."""
    return (
        select(
            CohortMember.cohort_id,
            CohortMember.user_id,
            Cohort.region,
            User.gender,
        )
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(User, User.id == CohortMember.user_id)
        .where(User.role == Role.TRAINEE, *_scope(filters))
        .subquery("members")
    )


def _enrolled(members: Subquery) -> Subquery:
    """Each (membership, workshop of that cohort)."""
    return (
        select(members, CohortCourse.course_id)
        .join(CohortCourse, CohortCourse.cohort_id == members.c.cohort_id)
        .subquery("enrolled")
    )


def _completions() -> Subquery:
    """Per trainee and workshop: modules completed, and 1 when every required module is."""
    required = (
        select(Module.course_id, func.count().label("n"))
        .where(Module.required.is_(True), Module.archived_at.is_(None))
        .group_by(Module.course_id)
        .subquery("required")
    )
    done = (
        select(
            ModuleProgress.user_id,
            Module.course_id,
            func.count().label("modules"),
            func.sum(case((Module.required.is_(True), 1), else_=0)).label("required_done"),
        )
        .join(Module, Module.id == ModuleProgress.module_id)
        .where(ModuleProgress.completed_at.is_not(None), Module.archived_at.is_(None))
        .group_by(ModuleProgress.user_id, Module.course_id)
        .subquery("done")
    )
    finished = and_(required.c.n > 0, done.c.required_done >= required.c.n)
    return (
        select(
            done.c.user_id,
            done.c.course_id,
            done.c.modules,
            case((finished, 1), else_=0).label("finished"),
        )
        .outerjoin(required, required.c.course_id == done.c.course_id)
        .subquery("completions")
    )


def _certificates() -> Subquery | None:
    found = certificate_table()
    if found is None:
        return None
    table, valid = found
    return (
        select(table.c.user_id, table.c.course_id, func.count().label("n"))
        .where(valid)
        .group_by(table.c.user_id, table.c.course_id)
        .subquery("issued")
    )


def _people(source: Subquery, key: str | None) -> dict:
    """Beneficiaries, women, declared genders and cohorts, grouped by one column (or in total)."""
    user = source.c.user_id
    query = select(
        func.count(user.distinct()),
        func.count(case((source.c.gender == "f", user)).distinct()),
        func.count(case((source.c.gender.in_(("f", "m")), user)).distinct()),
        func.count(source.c.cohort_id.distinct()),
    )
    if key is None:
        return {TOTAL: db.session.execute(query).one()}
    query = query.add_columns(source.c[key]).group_by(source.c[key])
    return {row[-1]: row[:-1] for row in db.session.execute(query).all()}


def _progress(enrolled: Subquery, key: str | None, completions, certificates) -> dict:
    """Modules and workshops completed and certificates, each trainee-workshop counted once."""
    keys = [enrolled.c[key]] if key else []
    pairs = select(*keys, enrolled.c.user_id, enrolled.c.course_id).distinct().subquery("pairs")
    match = and_(
        completions.c.user_id == pairs.c.user_id, completions.c.course_id == pairs.c.course_id
    )
    columns = [
        func.coalesce(func.sum(completions.c.modules), 0),
        func.coalesce(func.sum(completions.c.finished), 0),
    ]
    if certificates is not None:
        columns.append(func.coalesce(func.sum(certificates.c.n), 0))
    query = select(*columns).select_from(pairs).outerjoin(completions, match)
    if certificates is not None:
        query = query.outerjoin(
            certificates,
            and_(
                certificates.c.user_id == pairs.c.user_id,
                certificates.c.course_id == pairs.c.course_id,
            ),
        )
    if key is None:
        return {TOTAL: [int(v) for v in db.session.execute(query).one()]}
    query = query.add_columns(pairs.c[key]).group_by(pairs.c[key])
    return {row[-1]: [int(v) for v in row[:-1]] for row in db.session.execute(query).all()}


def _fill(figures: Figures, people: tuple | None, progress: list | None) -> Figures:
    if people:
        figures.beneficiaries, figures.women, figures.declared, figures.cohorts = map(int, people)
    if progress:
        figures.modules_completed, figures.workshops_completed = progress[0], progress[1]
        figures.certificates = progress[2] if len(progress) > 2 else 0
    return figures


def impact_report(filters: ImpactFilters) -> ImpactReport:
    """The dashboard's figures for the cohorts the filters choose (ten queries at most)."""
    members = _members(filters)
    enrolled = _enrolled(members)
    completions = _completions()
    certificates = _certificates()

    def progress(key):
        return _progress(enrolled, key, completions, certificates)

    total = _fill(Figures(TOTAL, ""), _people(members, None).get(TOTAL), progress(None).get(TOTAL))
    report = ImpactReport(filters, total, counts_certificates=certificates is not None)

    people, done = _people(members, "region"), progress("region")
    names = [filters.region] if filters.region else list(REGIONS)
    names += sorted(
        (r for r in people if r not in names and (not filters.region or r == filters.region)),
        key=lambda r: (r is None, r or ""),
    )
    report.regions = [_fill(Figures(r, r or ""), people.get(r), done.get(r)) for r in names]

    people, done = _people(enrolled, "course_id"), progress("course_id")
    courses = db.session.scalars(select(Course).order_by(Course.position, Course.id)).all()
    report.workshops = [
        _fill(Figures(c.id, c.title, detail=c.slug), people.get(c.id), done.get(c.id))
        for c in courses
        if c.archived_at is None or c.id in people
    ]

    people, done = _people(members, "cohort_id"), progress("cohort_id")
    cohorts = db.session.scalars(
        select(Cohort).where(*_scope(filters)).order_by(Cohort.starts_on.desc(), Cohort.code)
    ).all()
    report.cohorts = [
        _fill(Figures(c.id, c.name, detail=c.code), people.get(c.id), done.get(c.id))
        for c in cohorts
    ]
    return report
