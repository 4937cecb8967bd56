"""With the Redis cache unreachable, pages that use it (cached sessions, permission sets, page fragments)
still serve: the cache misses instead of failing the request."""

import logging

import pytest
from django.core.cache import cache

from tests.courses.conftest import curriculum, framework  # noqa: F401 - fixtures
from tests.factories import UserFactory
from tests.faults.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "lms_site.cache.OutageTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PERMISSION_CACHE_SECONDS = 300
    settings.CURRICULUM_CACHE_SECONDS = 300


def test_the_cache_misses_and_skips_writes_when_redis_is_down(unreachable_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="lms_site.cache"):
        assert cache.get("anything", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        cache.set("key", "value")
        assert cache.add("key", "value") is False
        cache.delete("key")
    with pytest.raises(Exception):  # noqa: B017 - incr's callers must know; redis-py's own error
        cache.incr("key")


def test_every_cache_call_shares_one_redis_client(unreachable_cache):
    """Django would build a redis-py client per call; ours keeps one per connection pool."""
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: reads and writes share a pool


def test_a_learner_reads_a_lesson_with_the_cache_down(unreachable_cache, client, curriculum):  # noqa: F811
    from courses.services import enrollment_create

    learner = UserFactory()
    enrollment_create(user=learner, course=curriculum["basics"])
    client.force_login(learner)  # the session is written through to the database
    response = client.get("/courses/dx-basics/lesson-1/")
    assert response.status_code == 200
    assert "第1回の本文です" in response.content.decode()  # the body, rendered without its cache
    assert response.context["user"] == learner  # the session was read back from the database
