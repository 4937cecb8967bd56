"""A database error in a view becomes a friendly 503 page that needs no database to render.

The end-to-end case (a server whose database port is dead) is tests/faults/test_database_down.py.
"""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.utils import translation

from lms_site.security import DatabaseUnavailableMiddleware


def middleware():
    return DatabaseUnavailableMiddleware(lambda request: None)


@pytest.mark.parametrize("error", [OperationalError("connection refused"), InterfaceError("closed")])
def test_a_database_error_gives_a_503_page_in_japanese(error):
    """No django_db mark: pytest-django fails any query, so the page provably renders without one."""
    request = RequestFactory().get("/me/")
    with translation.override("ja"):
        response = middleware().process_exception(request, error)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "ただいま混み合っているか、保守中です" in html
    assert "connection refused" not in html and "Traceback" not in html


def test_other_errors_are_left_to_django():
    assert middleware().process_exception(RequestFactory().get("/"), ValueError("x")) is None
