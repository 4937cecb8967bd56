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


class RefusingDatabase:
    """Stands where the idle timeout and django-axes read the session: before the view, outside
    ``process_exception``. Raises what psycopg raises when the server is gone."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    error: type[Exception] = OperationalError

    def __call__(self, request):
        raise self.error("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_in_middleware_before_the_view_gives_the_503(settings, client, monkeypatch, error):
    """The CI fault test caught this: with the database stopped, the idle-timeout middleware's session read
    raised before the view and the user got the bare 500. The real middleware chain, the real handler500."""
    monkeypatch.setattr(RefusingDatabase, "error", error)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RefusingDatabase"]
    client.raise_request_exception = False

    response = client.get("/me/", HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "ただいま混み合っているか、保守中です" in response.content.decode()


def test_other_errors_before_the_view_still_give_the_500_page(settings, client):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.Broken"]
    client.raise_request_exception = False

    response = client.get("/me/")

    assert response.status_code == 500
    assert "ただいま混み合っているか" not in response.content.decode()


class Broken:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        raise ValueError("a bug, not the database")
