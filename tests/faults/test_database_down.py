"""A server whose database cannot be reached answers with the friendly 503 page, never a traceback.

gunicorn serves the site with its DATABASE_URL pointing at a loopback port where nothing listens. Needs no
database, broker or Redis, so it runs in both CI legs.
"""

import urllib.error
import urllib.request

import pytest

from tests.faults.conftest import Server, free_port

pytestmark = pytest.mark.faults


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept-Language": "ja"})  # noqa: S310 - loopback http
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback http
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture(scope="module")
def server_without_database(tmp_path_factory):
    server = Server(
        tmp_path_factory.mktemp("db-down") / "gunicorn.log",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nothing_here",
        DJANGO_DB_CONN_MAX_AGE="60",
        CELERY_BROKER_URL="",
        REDIS_URL="",
    )
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["/", "/courses/dx-literacy-basics/", "/admin/login/"])
def test_pages_that_need_the_database_answer_503_with_a_friendly_page(server_without_database, path):
    status, html, headers = fetch(server_without_database.url(path))

    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "ただいま混み合っているか、保守中です" in html
    assert "Traceback" not in html and "OperationalError" not in html and "5432" not in html


def test_the_login_page_itself_still_serves(server_without_database):
    status, html, _headers = fetch(server_without_database.url("/login/"))
    assert status == 200 and "ログイン" in html


def test_the_server_keeps_serving_after_the_errors(server_without_database):
    for _ in range(3):
        assert fetch(server_without_database.url("/"))[0] == 503
    assert server_without_database.process.poll() is None
