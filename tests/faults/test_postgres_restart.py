"""PostgreSQL restarted under a running server: the next requests succeed; while it is down, the friendly 503.

The test runs its own throwaway cluster (initdb + pg_ctl on a free port, never the shared 5432), copies
the migrated test database into it with pg_dump, and serves the site from it with gunicorn, keeping
database connections open between requests (DJANGO_DB_CONN_MAX_AGE=60) as production would.
"""

import http.cookiejar
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from tests.factories import UserFactory
from tests.faults.conftest import PG_BIN, Server

pytestmark = [pytest.mark.faults, pytest.mark.postgres]


class Browser:
    """Just enough of a browser: cookies, the login form's CSRF token, status codes."""

    def __init__(self, server: Server):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.server.url(path), body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, username: str, password: str) -> None:
        _status, html = self.request("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, _ = self.request(
            "/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        assert status == 302


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def copy_test_database(cluster) -> str:
    """The migrated test database, schema and rows, into a database of the throwaway cluster."""
    db = connection.settings_dict
    source = subprocess.run(
        [
            str(PG_BIN / "pg_dump"),
            "--no-owner",
            "--no-privileges",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-q"]
    subprocess.run([*psql, "-c", "CREATE DATABASE dx_faults"], check=True, capture_output=True, timeout=60)
    subprocess.run(
        [*psql, "-v", "ON_ERROR_STOP=1", "-d", "dx_faults"],
        input=source,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return cluster.url("dx_faults")


@pytest.fixture
def served_from_own_cluster(request, transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs the test database on PostgreSQL (DATABASE_URL=postgres://...) to copy from")
    postgres_cluster = request.getfixturevalue("postgres_cluster")  # only now: initdb takes seconds
    UserFactory(username="restart-learner", password="pw")
    server = Server(
        tmp_path / "gunicorn.log",
        DATABASE_URL=copy_test_database(postgres_cluster),
        DJANGO_DB_CONN_MAX_AGE="60",
        CELERY_BROKER_URL="",
        REDIS_URL="",
        DX_TEST_DATABASE_ROLE="",  # the throwaway cluster has the owner only (the dump carries no roles)
    )
    server.start()
    yield server, postgres_cluster
    server.stop()


def test_after_a_postgres_restart_the_next_requests_succeed(served_from_own_cluster):
    server, cluster = served_from_own_cluster
    browser = Browser(server)
    browser.log_in("restart-learner", "pw")
    assert browser.request("/me/")[0] == 200
    assert browser.request("/me/")[0] == 200  # the connection is kept between requests

    cluster.restart()

    for _ in range(3):  # each of gunicorn's threads finds its kept connection broken and reconnects
        status, html = browser.request("/me/")
        assert status == 200, html[:500]


def test_while_postgres_is_down_pages_say_so_and_recover_when_it_is_back(served_from_own_cluster):
    server, cluster = served_from_own_cluster
    browser = Browser(server)
    browser.log_in("restart-learner", "pw")

    cluster.stop()
    status, html = browser.request("/me/")
    assert status == 503 and "ただいま混み合っているか、保守中です" in html and "Traceback" not in html

    cluster.start()
    assert browser.request("/me/")[0] == 200  # the same session: nothing was lost
