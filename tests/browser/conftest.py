"""Browser tests: Debian's Chromium driven by Playwright, with axe-core injected into each page.

Browser downloads are impossible here, so Playwright launches /usr/bin/chromium (``.ci/run`` installs it).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def demo_site(django_db_setup, django_db_blocker):
    """The demo city, loaded once, served by a live server for every browser test of the session.

    Browser tests run last (tests/conftest.py orders them so) and share this state: what one test's
    browser writes, the next one sees, as on a real site. Loading the demo once instead of per test
    saves minutes per CI leg.
    """
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        # pytest-django creates the test database only if some collected test is marked django_db;
        # run alone, the browser tests must create it themselves (never touch the development one).
        created = None
        if not Path(str(connection.settings_dict["NAME"])).name.startswith("test"):
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        call_command("load_demo", "--allow-demo-passwords")
        server = LiveServer("localhost")
    yield server
    server.stop()
    if created is not None:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(autouse=True)
def _database_open_for_the_live_server(django_db_blocker):
    """The server thread and the test read committed data in autocommit mode (no test transaction,
    which on SQLite would hold a lock the server thread's writes wait for)."""
    with django_db_blocker.unblock():
        yield


def path_of(page) -> str:
    """A page's path on the platform's site, which the live server serves: the demo has a site per
    municipality, so ``Page.url`` is a full URL with the page's site's own host name and port."""
    from wagtail.models import Site

    return page.relative_url(Site.objects.get(is_default_site=True))


def log_in(page, base_url: str, username: str, password: str = "demo") -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")


def serious_violations(page) -> list[str]:
    """axe-core violations of impact serious or critical, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
