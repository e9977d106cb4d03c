"""Fixtures for the administrators' area: an administrator who reads pages in English."""

from __future__ import annotations

import pytest

from lms.accounts.models import Role
from tests.factories import login, make_user


@pytest.fixture
def admin(app):
    # English pages: assertions read the message ids, whatever the French catalogue says later.
    return make_user(Role.ADMIN, name="Admin Lab", email="admin@lab.test", locale="en")


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client
