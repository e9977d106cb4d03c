"""Eligibility: every required, active module complete; reasons name what is missing."""

from lms.accounts.services import join_cohort
from lms.certificates.eligibility import cohort_eligibility, eligibility
from lms.clock import utcnow
from lms.extensions import db
from tests.certificates.conftest import complete_modules
from tests.factories import make_user


def test_a_trainee_who_completed_every_required_module_is_eligible(class_of_three, montage):
    _, done_ar, _, _ = class_of_three
    verdict = eligibility(done_ar, montage)
    assert verdict.eligible and verdict.reasons == []


def test_reasons_name_each_module_not_complete(class_of_three, montage):
    _, _, _, halfway = class_of_three
    verdict = eligibility(halfway, montage)
    assert not verdict.eligible
    titles = [m.title_fr for m in montage.modules if m.required][2:]
    assert len(verdict.reasons) == len(titles) == 3
    for reason, title in zip(verdict.reasons, titles, strict=True):
        assert title in reason


def test_archived_and_optional_modules_do_not_count(class_of_three, montage):
    _, _, _, halfway = class_of_three
    modules = [m for m in montage.modules if m.required]
    modules[2].archived_at = utcnow()
    modules[3].required = False
    db.session.commit()
    verdict = eligibility(halfway, montage)
    assert len(verdict.reasons) == 1 and modules[4].title_fr in verdict.reasons[0]


def test_staff_are_never_eligible(app, courses, montage):
    trainer = make_user("trainer")
    complete_modules(trainer, montage)
    assert not eligibility(trainer, montage).eligible


def test_cohort_eligibility_uses_a_constant_number_of_queries(
    class_of_three, montage, count_queries
):
    cohort = class_of_three[0]
    with count_queries() as few:
        three = cohort_eligibility(cohort.id, montage)
    more = [make_user() for _ in range(12)]
    for trainee in more:
        join_cohort(trainee, cohort.code)
        complete_modules(trainee, montage, count=3)
    db.session.expire_all()
    with count_queries() as many:
        fifteen = cohort_eligibility(cohort.id, montage)
    assert len(three) == 3 and len(fifteen) == 15
    assert len(many) == len(few) <= 8
    assert [t.name for t, _ in fifteen] == sorted(t.name for t, _ in fifteen)
    assert sum(1 for _, verdict in fifteen if verdict.eligible) == 2
