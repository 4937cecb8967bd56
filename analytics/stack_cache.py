"""The published stack in the shared cache (ADR 0025): the suppressed months a viewer without personal data
reads are the same for every such viewer of a municipality until a snapshot of it is taken again.

The stack of closed months is built from snapshot rows and the department tree and suppressed as a whole
(``reports.published_stack``): all of it the same for everyone who reads it, and nothing in it finer than
what privacy.py lets anyone see. It is kept under

* the municipality and the last closed month (a new month adds a month to the stack),
* a signature of the department tree (keys and paths: a department added, moved or removed) and of the
  competencies (ids and codes), the structure the counts are rolled up and suppressed by, and
* the municipality's snapshot token (a ``lms_site.cache.VersionToken``), replaced whenever its snapshot
  rows are written (at once and again on commit), so a stack built from older rows is never served, and
* a digest of the code that builds and suppresses it (``frames``, ``privacy``, ``reports``,
  ``prefecture``), so that a release that changes how cells are suppressed never serves a stack
  suppressed the old way.

The prefecture's stack (its municipalities' month totals, suppressed together) is kept the same way,
under the snapshot tokens of every municipality in it: a snapshot of any one of them replaces it.

Only with a shared cache (``ANALYTICS_CACHE_SECONDS`` is 0 otherwise): with one cache per process, a
snapshot written by a worker would not reach the web processes' tokens.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from lms_site.cache import VersionToken

T = TypeVar("T")

# What builds a cached value: the roll-ups and suppression, and (for /hr/'s tables) the report tables,
# figures and forecasts.
CODE_FILES = (
    "frames.py",
    "privacy.py",
    "reports.py",
    "prefecture.py",
    "charts.py",
    "forecast.py",
    "tables.py",
)
CODE = [Path(__file__).with_name(name) for name in CODE_FILES]


@functools.cache
def code_digest() -> str:
    """The digest of the code behind a cached stack, computed once per process."""
    digest = hashlib.blake2b(digest_size=6)
    for path in CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def snapshots_token(municipality_id: int) -> VersionToken:
    return VersionToken(f"analytics:snapshots:{municipality_id}")


def snapshots_changed(municipality_id: int) -> None:
    """Every cached stack of the municipality is stale (called where its snapshot rows are written)."""
    if getattr(settings, "ANALYTICS_CACHE_SECONDS", 0):
        snapshots_token(municipality_id).replace_now_and_on_commit()


def cached_stack(
    *,
    municipality_id: int,
    until: datetime.date,
    nodes: pd.DataFrame,
    competencies: list[dict],
    build: Callable[[], tuple],
) -> tuple:
    """``build()`` (days, columns, values, flags) from the cache while the municipality's snapshots, its
    department tree and the competencies are those it was built from, else built and cached."""
    structure = (list(nodes.index), list(nodes["path"]), _competencies(competencies))
    return _cached(
        f"analytics:published:{municipality_id}:{until:%Y%m}",
        (structure, VersionToken.current([snapshots_token(municipality_id)])),
        build,
    )


def cached_prefecture_stack(
    *,
    prefecture_id: int,
    municipality_ids: list[int],
    until: datetime.date,
    competencies: list[dict],
    build: Callable[[], tuple],
) -> tuple:
    """``build()`` of the prefecture's stack from the cache while none of its municipalities' snapshots
    changed (their tokens are in the key), else built and cached."""
    tokens = VersionToken.current([snapshots_token(pk) for pk in municipality_ids])
    return _cached(
        f"analytics:prefecture:{prefecture_id}:{until:%Y%m}",
        (municipality_ids, tokens, _competencies(competencies)),
        build,
    )


def cached_exact(
    *,
    municipality_id: int,
    on: datetime.date,
    level: int,
    departments: list[dict],
    competencies: list[dict],
    build: Callable[[], tuple],
    keep: Callable[[tuple], bool],
) -> tuple:
    """``build()``, the exact frames /hr/ shows a viewer with personal data when read from the snapshots
    (``reports._personal_frames``): the same for every such viewer of the municipality (each one's scope
    is cut from them afterwards, and only a viewer allowed the exact figures asks), until a snapshot of
    it is taken again, a department or competency changes (their rows are in the key, names included),
    or the language changes (the tree's root is labelled). Kept only if ``keep(found)``: frames that
    fell back to live counts (no snapshot yet) are never kept."""
    shape = (departments, competencies, translation.get_language())
    return _cached(
        f"analytics:exact:{municipality_id}:{on:%Y%m%d}:{level}",
        (shape, VersionToken.current([snapshots_token(municipality_id)])),
        build,
        keep=keep,
    )


def cached_dashboard(
    *,
    municipality_id: int,
    top: int,
    suppressed: bool,
    filters: tuple,
    today: datetime.date,
    structure: object,
    build: Callable[[], T],
    keep: Callable[[T], bool],
) -> T:
    """``build()``, what /hr/ shows (``reports.Dashboard`` without its frames) for one scope and one set of
    filters, read from the snapshots: the same for every viewer with that scope, so it is kept under the
    scope itself, the municipality, the top of the viewer's subtree (``frames.ALL`` for the whole
    municipality) and whether it is suppressed, with the filters (day, level, the department drilled into),
    today (the last closed month of the suppressed view), the municipality's snapshot token, the
    ``structure`` (the department, competency and target rows, or ``selectors.structure_signature``'s
    digest of them: a rename or a new target is a new key), the language and the code digest. A viewer of
    another municipality, another subtree or the other side of suppression never shares a key. Kept only
    if ``keep(found)`` (never when it fell back to live counts)."""
    shape = (top, suppressed, filters, today, structure, translation.get_language())
    return _cached(
        f"analytics:dashboard:{municipality_id}:{top}:{int(suppressed)}",
        (shape, VersionToken.current([snapshots_token(municipality_id)])),
        build,
        keep=keep,
    )


def _competencies(competencies: list[dict]) -> list[tuple]:
    return [(c["id"], c["code"]) for c in competencies]


def _cached(
    prefix: str, shape: tuple, build: Callable[[], T], keep: Callable[[T], bool] = lambda found: True
) -> T:
    """``build()``, cached under ``prefix`` and a digest of ``shape`` and of the code: anything in the
    shape (a token replaced, a department added) or a new release gives another key. A value ``keep``
    refuses is returned, not cached."""
    seconds = getattr(settings, "ANALYTICS_CACHE_SECONDS", 0)
    if not seconds:
        return build()
    signature = hashlib.blake2b(repr((shape, code_digest())).encode(), digest_size=12).hexdigest()
    key = f"{prefix}:{signature}"
    found = LOCAL.get(key)
    if found is not None:
        return found
    found = cache.get(key)
    if found is None:
        found = build()
        if not keep(found):
            return found
        cache.set(key, found, timeout=seconds)
    LOCAL.put(key, found)
    return found


class _LocalEntries:
    """The last entries this process read, in its memory, at most ``limit`` bytes of arrays and frames.

    A stack is megabytes (the demo city's: 2 MB, 7 ms a page to fetch from Redis). The key an entry is
    kept under names the current snapshot tokens, read from the shared cache on every view, so a new
    snapshot gives a new key at once in every process: an entry here is never older than what the shared
    cache would give. Least recently used first out."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: OrderedDict[str, tuple[tuple, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            self.entries.move_to_end(key)
            return entry[0]

    def put(self, key: str, value: tuple) -> None:
        """Keep ``value`` (its arrays made read-only: every view shares them, none may change them)."""
        size = _freeze_and_size(value)
        if size > self.limit:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = (value, size)
            self.size += size
            while self.size > self.limit:
                _key, (_value, dropped) = self.entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


def _freeze_and_size(value) -> int:
    """Make ``value``'s numpy arrays read-only and return about the memory it holds: its arrays' and
    frames' bytes (the rest is small). One walk for both: ``put`` needs both."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
        return value.nbytes
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum())
    if isinstance(value, str):
        return 64 + len(value)
    if isinstance(value, tuple | list):
        return sum(_freeze_and_size(part) for part in value) + 64
    if isinstance(value, dict):
        return sum(_freeze_and_size(part) for part in value.values()) + 64
    if hasattr(value, "__dict__"):
        return sum(_freeze_and_size(part) for part in vars(value).values()) + 64
    return 64


LOCAL = _LocalEntries(limit=64 * 1024 * 1024)
