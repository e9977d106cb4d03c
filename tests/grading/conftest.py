"""Fixtures for grading tests: the same cohort as the submissions tests."""

from tests.submissions.conftest import *  # noqa: F403
from tests.submissions.conftest import as_user, klass, text_assignment  # noqa: F401
