"""Fixtures of the bad-input tests: clients that show a server error as a status, not an exception."""

import pytest

from tests.assessments.conftest import questions, quiz  # noqa: F401 - fixtures: one question of each type
from tests.courses.conftest import framework  # noqa: F401 - fixture: A1, A2, C1, C2, current
from tests.factories import UserFactory


@pytest.fixture
def admin_client_500(client, db):
    """A superuser in the Wagtail admin; an unhandled exception comes back as a 500 response."""
    user = UserFactory(username="fuzz-admin", is_superuser=True, is_staff=True)
    client.force_login(user)
    client.raise_request_exception = False
    return client


@pytest.fixture
def learner_client_500(client, db):
    user = UserFactory(username="fuzz-learner")
    client.force_login(user)
    client.raise_request_exception = False
    client.user = user
    return client
