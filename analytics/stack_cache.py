"""The published stack in the shared cache (ADR 0025): the suppressed months a viewer without personal data
reads are the same for every such viewer of a municipality until a snapshot of it is taken again.

The stack of closed months is built from snapshot rows and the department tree and suppressed as a whole
(``reports.published_stack``): all of it the same for everyone who reads it, and nothing in it finer than
what privacy.py lets anyone see. It is kept under

* the municipality and the last closed month (a new month adds a month to the stack),
* a signature of the department tree (keys and paths: a department added, moved or removed) and of the
  competencies (ids and codes), the structure the counts are rolled up and suppressed by, and
* the municipality's snapshot token, replaced whenever its snapshot rows are written (at once and again on
  commit, as ``lms_site.cache.VersionToken`` does for lessons), so a stack built from older rows is never
  served, and
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
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.cache import cache

from lms_site.cache import VersionToken

CODE = [Path(__file__).with_name(name) for name in ("frames.py", "privacy.py", "reports.py", "prefecture.py")]


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


def structure_signature(nodes: pd.DataFrame, competencies: list[dict]) -> str:
    shape = (list(nodes.index), list(nodes["path"]), [(c["id"], c["code"]) for c in competencies])
    return hashlib.blake2b(repr(shape).encode(), digest_size=12).hexdigest()


def cached_stack(
    *,
    municipality_id: int,
    until: datetime.date,
    nodes: pd.DataFrame,
    competencies: list[dict],
    build: Callable[[], tuple],
) -> tuple:
    """``build()`` (days, columns, values, flags) from the cache when current, else built and cached."""
    seconds = getattr(settings, "ANALYTICS_CACHE_SECONDS", 0)
    if not seconds:
        return build()
    key = (
        f"analytics:published:{municipality_id}:{until:%Y%m}:{structure_signature(nodes, competencies)}"
        f":{code_digest()}"
    )
    token_of = snapshots_token(municipality_id)
    token, found = token_of.read(key)
    if found is not None:
        return found
    built = build()
    token_of.write(key, token, built, timeout=seconds)
    return built


def snapshot_tokens(municipality_ids: list[int]) -> list[str]:
    """The current snapshot token of each municipality, made where there is none yet (one round trip
    when all exist)."""
    keys = [snapshots_token(pk).key for pk in municipality_ids]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:  # none yet: make one, or read the one another process made first
            token = uuid.uuid4().hex
            found[key] = token if cache.add(key, token, timeout=None) else cache.get(key, token)
    return [found[key] for key in keys]


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
    seconds = getattr(settings, "ANALYTICS_CACHE_SECONDS", 0)
    if not seconds:
        return build()
    shape = (
        municipality_ids,
        snapshot_tokens(municipality_ids),
        [(c["id"], c["code"]) for c in competencies],
        code_digest(),
    )
    signature = hashlib.blake2b(repr(shape).encode(), digest_size=12).hexdigest()
    key = f"analytics:prefecture:{prefecture_id}:{until:%Y%m}:{signature}"
    found = cache.get(key)
    if found is not None:
        return found
    built = build()
    cache.set(key, built, timeout=seconds)
    return built
