"""Values read once per page view (``request_memo.memoized``) and, while the page knows the version of every
row they can be made from, kept across page views in this process under that version: ``memoized_shared``.

/me/'s learner cache (``courses.learner_cache``) reads, on every view, a fingerprint of every row its content
is made from, the shared tables' whole (the competency framework, the programmes and their requirements,
the qualifications, the quizzes, the sites) among them. When the content has to be rendered (a first view
after a change to the learner's own records), it renders it inside ``rows_version(version)``, ``version``
naming those shared tables' rows as they are in the database (their count and the hash of each row's
physical version, which every insert, update and deletion changes), the curriculum's version token, the
database and the request's scope. The shared reads it makes there (the framework, its competencies, the
programme in force with its requirements, the qualifications mapped to a competency, the courses offered)
are then kept for the next learner of the same scope until any of those rows changes: a new version names
another entry, so nothing needs to invalidate one.

Only for values made from nothing but those tables (no person's rows, no day, no language, no request),
and treated as read-only by every caller. Outside ``rows_version`` (every other page, and every view without
the learner cache: SQLite, no shared cache) ``memoized_shared`` is ``memoized``. Per process, at most
``VERSIONS_KEPT`` versions, the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from lms_site.request_memo import memoized

T = TypeVar("T")

VERSIONS_KEPT = 32

_version: ContextVar[Hashable | None] = ContextVar("dx_shared_memo_version", default=None)
_store: OrderedDict[Hashable, dict] = OrderedDict()
_lock = threading.Lock()


@contextmanager
def rows_version(version: Hashable) -> Iterator[None]:
    """Within: ``memoized_shared`` values are kept across page views under ``version``."""
    token = _version.set(version)
    try:
        yield
    finally:
        _version.reset(token)


def memoized_shared(key: Hashable, compute: Callable[[], T]) -> T:
    """``memoized(key, compute)``, and within ``rows_version`` the value kept for the process under it."""
    return memoized(key, lambda: _kept(key, compute))


def _kept(key: Hashable, compute: Callable[[], T]) -> T:
    version = _version.get()
    if version is None:
        return compute()
    with _lock:
        values = _store.get(version)
        if values is None:
            values = _store[version] = {}
            while len(_store) > VERSIONS_KEPT:
                _store.popitem(last=False)
        else:
            _store.move_to_end(version)
        if key in values:
            return values[key]
    value = compute()
    with _lock:
        values.setdefault(key, value)
    return value


def clear() -> None:
    """Forget every kept value (tests)."""
    with _lock:
        _store.clear()
