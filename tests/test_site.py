"""The site shell: home page, login, language, admin in Japanese."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_home_page_is_served_in_japanese_with_landmarks(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "本文へ移動" in html


@pytest.mark.django_db
def test_browser_language_does_not_override_japanese_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ja">' in response.content.decode()


@pytest.mark.django_db
def test_english_can_be_chosen(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html


@pytest.mark.django_db
def test_login_and_logout(client):
    UserFactory(username="taro", password="correct horse")
    assert client.post(reverse("login"), {"username": "taro", "password": "wrong"}).status_code == 200
    response = client.post(reverse("login"), {"username": "taro", "password": "correct horse"})
    assert response.status_code == 302
    assert "taro" in client.get("/").content.decode()
    client.post(reverse("logout"))
    assert "ログイン" in client.get("/").content.decode()


@pytest.mark.django_db
def test_wagtail_admin_login_is_in_japanese(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert 'lang="ja"' in response.content.decode()


@pytest.mark.django_db
def test_unknown_page_gives_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@pytest.mark.django_db
def test_site_root_is_repaired_after_the_tree_was_emptied(client):
    from wagtail.models import Page, Site

    from lms_site.home.services import site_root_ensure

    Site.objects.all().delete()
    Page.objects.filter(depth__gt=1).delete()
    assert client.get("/").status_code == 404

    home = site_root_ensure()
    assert site_root_ensure() == home  # idempotent
    assert client.get("/").status_code == 200
