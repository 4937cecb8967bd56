"""The header's badge of unread notifications (issue 15 item 3): the person's own unread count on every
page, gone once read; another person's notifications, of this municipality or another, never count."""

import re

import pytest

from lms_site.notifications import services as notifications
from lms_site.notifications.models import Kind
from lms_site.organisation.tenancy import municipality_scope

pytestmark = pytest.mark.django_db


def tell(profile, n: int, prefix: str = "x") -> None:
    with municipality_scope(profile.municipality_id):
        for i in range(n):
            notifications.notify(
                recipient=profile.user,
                municipality_id=profile.municipality_id,
                kind=Kind.DECISION,
                key=f"{prefix}:{i}",
                subject=f"お知らせ {i}",
                body="本文",
            )


def badge(html: str) -> str | None:
    found = re.search(r'<span class="nav-badge" aria-hidden="true">([^<]+)</span>', html)
    return found.group(1) if found else None


def test_the_badge_counts_only_ones_own_unread_and_clears_when_read(client, city, town):
    tell(city["shimin1"], 3)
    tell(city["shimin2"], 5, prefix="other")  # a colleague's
    tell(town["staff"], 7, prefix="town")  # someone of みどり町
    client.force_login(city["shimin1"].user)
    for path in ("/me/", "/sessions/", "/me/notifications/"):
        page = client.get(path).content.decode()
        assert badge(page) == "3", path
        assert "(未読 3 件)" in page  # what a screen reader says after お知らせ
    client.post("/me/notifications/read/")
    page = client.get("/me/").content.decode()
    assert badge(page) is None and "未読" not in page
    assert '<a href="/me/notifications/">お知らせ</a>' in page


def test_a_long_backlog_shows_99_plus_and_english_says_unread(client, city):
    tell(city["shimin1"], 120)
    client.force_login(city["shimin1"].user)
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert badge(page) == "99+"
    client.cookies["django_language"] = "en"
    english = client.get("/me/").content.decode()
    assert "(120 unread)" in english


def test_no_badge_and_no_link_when_signed_out(client, city):
    tell(city["shimin1"], 2)
    page = client.get("/").content.decode()
    assert badge(page) is None and "/me/notifications/" not in page
