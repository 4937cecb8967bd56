"""Login is rate-limited per user name and client address: five failures in 15 minutes, then 429."""

import time
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from lms_site import security
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    """A user name of its own, so that counts in a shared Redis cache never meet another run's."""
    name = f"rl-{uuid.uuid4().hex[:10]}"
    yield UserFactory(username=name, password="correct horse")
    for address in ("127.0.0.1", "192.0.2.7"):
        cache.delete(security._failure_key(name, address))


def fail(client, username, times, **extra):
    for _ in range(times):
        response = client.post(reverse("login"), {"username": username, "password": "wrong"}, **extra)
        assert response.status_code == 200
    return response


def test_the_sixth_attempt_after_five_failures_gets_a_429_page_in_japanese(client, user):
    fail(client, user.username, 5)

    response = client.post(reverse("login"), {"username": user.username, "password": "correct horse"})

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "ログインの試行回数が多すぎます" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_still_let_the_right_password_in_and_reset_the_count(client, user):
    fail(client, user.username, 4)
    response = client.post(reverse("login"), {"username": user.username, "password": "correct horse"})
    assert response.status_code == 302
    assert security.login_failures(username=user.username, address="127.0.0.1") == 0


def test_the_limit_is_per_user_name_and_address(client, user):
    other = UserFactory(username=f"{user.username}-b", password="pw2")
    fail(client, user.username, 5)

    assert client.post(reverse("login"), {"username": other.username, "password": "pw2"}).status_code == 302
    client.logout()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct horse"}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302
    cache.delete(security._failure_key(other.username, "127.0.0.1"))


def test_the_wagtail_admin_login_is_limited_too(client, user):
    user.is_superuser = True
    user.save()
    for _ in range(5):
        client.post("/admin/login/", {"username": user.username, "password": "wrong"})

    response = client.post("/admin/login/", {"username": user.username, "password": "correct horse"})

    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_when_the_window_passes(client, user, settings):
    fail(client, user.username, 5)
    cache.delete(security._failure_key(user.username, "127.0.0.1"))  # as the cache expires the count

    response = client.post(reverse("login"), {"username": user.username, "password": "correct horse"})
    assert response.status_code == 302


def test_the_count_expires_with_the_window(user, settings):
    security.login_failure_record(username=user.username, address="127.0.0.1")
    key = cache.make_and_validate_key(security._failure_key(user.username, "127.0.0.1"))
    if hasattr(cache, "_expire_info"):  # locmem: the expiry time it keeps
        seconds_left = cache._expire_info[key] - time.time()
    else:  # Redis
        seconds_left = cache._cache.get_client(key).ttl(key)
    assert 0 < seconds_left <= settings.LOGIN_FAILURE_WINDOW


def test_with_the_cache_down_logins_still_work(client, user, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "lms_site.cache.OutageTolerantRedisCache",  # as in production
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    fail(client, user.username, 6)
    response = client.post(reverse("login"), {"username": user.username, "password": "correct horse"})
    assert response.status_code == 302
