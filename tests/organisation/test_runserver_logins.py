"""``make run`` ends with the address and the demo logins (issue 19, item 4): the development server prints
them once it is serving, after Django's own start-up lines."""

import io

import pytest

from lms_site.organisation.management.commands.runserver import Command
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_logins_follow_the_server_s_address():
    UserFactory(username="demo-learner")
    out = io.StringIO()
    command = Command(stdout=out)
    command.addr, command.port, command._raw_ipv6, command.protocol = "127.0.0.1", "8123", False, "http"
    command._demo_logins = True
    command.on_bind(8123)
    text = out.getvalue()
    assert text.index("Starting development server at http://127.0.0.1:8123/") < text.index("demo-learner")
    assert text.rstrip().splitlines()[-1].strip().startswith("demo-learner")
    assert "http://127.0.0.1:8123/login/" in text
