"""Sign-in limits (django-axes, ADR 0013): five failures per account from any address, a much looser limit
per client address, 429 for the rest of the window; the address comes from our own proxies only."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse"


@pytest.fixture
def user():
    return UserFactory(username="rl-user", password=PASSWORD)


def attempt(client, username, password="wrong", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    for _ in range(times):
        assert attempt(client, username, **extra).status_code == 200
        client.cookies.clear()


def assert_locked(response, client):
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "ログインの試行回数が多すぎます" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_fifth_failure_locks_the_account_with_a_429_page_in_japanese(client, user):
    fail(client, user.username, 4)

    assert_locked(attempt(client, user.username), client)
    assert_locked(attempt(client, user.username, PASSWORD), client)


def test_four_failures_still_let_the_right_password_in_and_reset_the_count(client, user):
    fail(client, user.username, 4)

    assert attempt(client, user.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_rotating_a_spoofed_x_forwarded_for_does_not_escape_the_account_limit(client, user, settings):
    """The attack of the review: behind one proxy, a new leftmost X-Forwarded-For value on every guess."""
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        # leftmost written by the client, rightmost by our proxy
        attempt(client, user.username, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code
        for n in range(5)
    ]

    response = attempt(client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")

    assert statuses == [200, 200, 200, 200, 429]
    assert_locked(response, client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_failures_from_many_real_addresses_still_count_for_the_account(client, user):
    statuses = [attempt(client, user.username, REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    assert_locked(attempt(client, user.username, PASSWORD, REMOTE_ADDR="192.0.2.200"), client)


def test_variants_of_the_user_name_share_the_account_count(client, user):
    statuses = [
        attempt(client, v).status_code for v in ("RL-USER", " rl-user", "Rl-User", "ｒｌ-ｕｓｅｒ", "rl-user")
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert_locked(attempt(client, user.username, PASSWORD), client)


def test_colleagues_failing_behind_one_nat_address_do_not_lock_out_another_user(client, user):
    """A whole city hall is one address: others' typos there must not lock anyone else out."""
    for n in range(4):
        colleague = UserFactory(username=f"colleague-{n}", password="pw")
        fail(client, colleague.username, 4, REMOTE_ADDR="203.0.113.50")

    assert attempt(client, user.username, PASSWORD, REMOTE_ADDR="203.0.113.50").status_code == 302


def test_spraying_many_accounts_from_one_address_hits_the_address_limit(client, user, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    # 2 guesses per account, well under the account limit
    statuses = [attempt(client, f"guess-{n // 2}", REMOTE_ADDR="198.51.100.9").status_code for n in range(12)]

    assert statuses == [200] * 11 + [429]
    assert_locked(attempt(client, user.username, PASSWORD, REMOTE_ADDR="198.51.100.9"), client)
    assert attempt(client, user.username, PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 302


def test_a_successful_sign_in_does_not_reset_its_address_count(client, user, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    fail(client, "guess-a", 3, REMOTE_ADDR="198.51.100.9")
    assert attempt(client, user.username, PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302
    client.logout()
    fail(client, "guess-b", 2, REMOTE_ADDR="198.51.100.9")

    assert attempt(client, "guess-c", REMOTE_ADDR="198.51.100.9").status_code == 429


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [(0, "10.0.0.2"), (1, "192.0.2.30"), (2, "203.0.113.20"), (5, "198.51.100.1")],
)
def test_the_address_is_the_nth_entry_from_the_right_for_n_trusted_proxies(
    client, user, settings, proxies, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    forwarded = "198.51.100.1, 203.0.113.20, 192.0.2.30"  # 5 proxies > 3 entries: the leftmost

    attempt(client, user.username, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")

    assert AccessAttempt.objects.get().ip_address == expected


def test_a_forwarded_value_that_is_not_an_address_gives_the_peer_address(client, user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attempt(client, user.username, HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-ip", REMOTE_ADDR="10.0.0.2")
    assert AccessAttempt.objects.get().ip_address == "10.0.0.2"


def test_the_wagtail_admin_login_is_limited_too(client, user):
    user.is_superuser = True
    user.save()
    for _ in range(5):
        client.post("/admin/login/", {"username": user.username, "password": "wrong"})

    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_when_the_window_passes(client, user):
    fail(client, user.username, 4)
    assert attempt(client, user.username).status_code == 429
    # A time shift: the failures were recorded a full window (15 minutes) and a second ago.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=901)
    )

    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_failures_during_the_lock_do_not_extend_it(client, user):
    fail(client, user.username, 4)
    assert attempt(client, user.username).status_code == 429
    locked_at = AccessAttempt.objects.get().attempt_time
    assert attempt(client, user.username).status_code == 429
    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_with_the_cache_down_the_limit_still_holds_and_logins_work(client, user, settings):
    """The counts are in the database: a Redis outage neither lifts the limit nor stops sign-ins."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "lms_site.cache.OutageTolerantRedisCache",  # as in production
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    other = UserFactory(username="rl-other", password="pw2")
    fail(client, user.username, 4)
    assert attempt(client, user.username).status_code == 429
    assert attempt(client, other.username, "pw2").status_code == 302
