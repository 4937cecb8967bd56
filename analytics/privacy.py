"""Small-cell suppression over the department tree, across tables and across report days. Pure (numpy/pandas).

One routine (``suppress_stack``) decides every cell a viewer without personal-data permission sees: the
coverage table, the trend months, the funnel, the leaders table against its targets and the forecast's
inputs all read their cells and flags from one stack of values (report days × tree nodes × columns).

For each day, oldest first (a day's flags depend only on that day and earlier ones, so publishing a new
month never changes what an earlier month showed):

1. *Primary*: a count of 1–4 is hidden (``<5``). A row whose headcount is 1–4 hides every cell, zeros
   included (a zero about a 部長 alone is a fact about the 部長).
2. *Complementary, down the tree*: every node's value is the sum of its members' values
   (``frames.tree_nodes``). For each group (a total and its members) and column, with the total visible,
   the hidden members must be at least two and describe at least ``threshold`` people together; otherwise
   the smallest visible member (non-zero first) is hidden too (``×``), or, with none left, the total. A
   hidden total whose members are all visible gets one member hidden.
3. *Complementary, across tables and days*: the columns of a family (the same quantity at several levels,
   e.g. a competency at level ≥1 … ≥5; or a quantity alone) describe nested or repeated sets, so the
   difference of two visible cells of one family on one node — two levels, two days, or both — is itself
   a count of people. A visible cell that differs by 1–4 from a visible cell of its family that comes
   earlier (an earlier day, or the same day and an earlier column of the family) is hidden.
4. *Linked columns* (``implied``, none on /hr/): where one column of a row is the sum of others (a
   training report's 対象者 = 期限内 + 期限切れ), a hidden part could be read back as the total minus the
   other part. Each pair (source, target) hides the target's cell on a node and day whenever the
   source's is hidden, so the parts are hidden together and a hidden total hides them.

This repeats until nothing changes (hiding only ever grows, so it ends).
See docs/decisions/0012-suppression-across-tables-and-dates.md (and 0006).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

THRESHOLD = 5
SHOWN, PRIMARY, COMPLEMENTARY = 0, 1, 2
_LAST = np.iinfo("int64").max
_ZERO_RANK = np.int64(1) << 40  # visible zeros are hidden only after every visible non-zero member


def tree_groups(index: pd.Index, parent: pd.Series) -> list[tuple[int, np.ndarray]]:
    """Positions of each group: (the total's row, its members' rows), from each node's parent key."""
    position = {key: i for i, key in enumerate(index)}
    known = parent.dropna()
    groups = []
    for total, keys in known.groupby(known).groups.items():
        if total in position:
            groups.append((position[total], np.array([position[k] for k in keys], dtype="int64")))
    return groups


def suppress_stack(
    values: np.ndarray,
    groups: Sequence[tuple[int, np.ndarray]],
    *,
    headcount: int | None = None,
    families: Sequence[Sequence[int]] = (),
    implied: Sequence[tuple[int, int]] = (),
    threshold: int = THRESHOLD,
) -> np.ndarray:
    """Flags (SHOWN, PRIMARY or COMPLEMENTARY) for ``values``: days (oldest first) × nodes × columns.

    ``groups``: from ``tree_groups``. ``headcount``: the column of each row's headcount (rule 1 hides a
    small row whole). ``families``: lists of column positions, in the order their cells are decided;
    a column in no family (the headcount) is not compared across days or levels. ``implied``: pairs of
    column positions (source, target): a hidden source cell hides the target cell of its node and day.
    """
    v = np.asarray(values, dtype="int64")
    flags = np.zeros(v.shape, dtype="int8")
    for day in range(v.shape[0]):
        flags[day] = _suppress_day(v, flags, day, groups, headcount, families, implied, threshold)
    return flags


def _suppress_day(v, flags, day, groups, headcount, families, implied, threshold) -> np.ndarray:
    current = v[day]
    f = np.where((current > 0) & (current < threshold), PRIMARY, SHOWN).astype("int8")
    if headcount is not None:
        small = (current[:, headcount] > 0) & (current[:, headcount] < threshold)
        f[small, :] = PRIMARY
    # families of one length as one array (families × positions), so each rule runs on all at once
    by_length: dict[int, list] = {}
    for family in families:
        if len(family):
            by_length.setdefault(len(family), []).append(list(family))
    blocks = [np.array(block, dtype="int64") for block in by_length.values()]
    if day:  # earlier days' flags are final: compare with them once
        f[(f == SHOWN) & _clash_with_earlier(v, flags, day, blocks, threshold)] = COMPLEMENTARY
    changed = True
    while changed:
        changed = _linked(f, implied)
        changed = _same_day(current, f, blocks, threshold) or changed
        changed = _tree(current, f, groups, threshold) or changed
    return f


def _linked(f, implied) -> bool:
    """Rule 4 for one day: each (source, target) pair hides the target where the source is hidden."""
    changed = False
    for source, target in implied:
        hit = (f[:, source] != SHOWN) & (f[:, target] == SHOWN)
        if hit.any():
            f[hit, target] = COMPLEMENTARY
            changed = True
    return changed


def _small_difference(a: np.ndarray, b: np.ndarray, threshold: int) -> np.ndarray:
    d = np.abs(a - b)
    return (d > 0) & (d < threshold)


def _clash_with_earlier(v, flags, day, blocks, threshold) -> np.ndarray:
    """Rule 3 across days: cells 1–4 away from a visible cell of their family on an earlier day."""
    clash = np.zeros(v.shape[1:], dtype=bool)
    current = v[day]
    for block in blocks:  # families × positions
        earlier = v[:day][:, :, block]  # days × nodes × families × positions
        shown = flags[:day][:, :, block] == SHOWN
        for k in range(block.shape[1]):
            x = current[:, block[:, k]]  # nodes × families
            hit = (_small_difference(earlier, x[None, :, :, None], threshold) & shown).any(axis=(0, 3))
            clash[:, block[:, k]] |= hit
    return clash


def _same_day(current, f, blocks, threshold) -> bool:
    """Rule 3 within a day: a cell 1–4 away from a visible cell earlier in its family is hidden."""
    changed = False
    for block in blocks:
        for k in range(1, block.shape[1]):
            columns, before = block[:, k], block[:, :k]
            near = _small_difference(current[:, before], current[:, columns][:, :, None], threshold)
            hit = (near & (f[:, before] == SHOWN)).any(axis=2) & (f[:, columns] == SHOWN)
            if hit.any():
                rows, which = np.nonzero(hit)
                f[rows, columns[which]] = COMPLEMENTARY
                changed = True
    return changed


def _tree(current, f, groups, threshold) -> bool:
    """Rule 2 for one day, every column at once."""
    changed = False
    for total, members in groups:
        member_values = current[members]
        hidden = f[members] != SHOWN
        total_hidden = f[total] != SHOWN
        count = hidden.sum(axis=0)
        hidden_sum = np.where(hidden, member_values, 0).sum(axis=0)
        need = np.where(total_hidden, count == 0, (count > 0) & ((count < 2) | (hidden_sum < threshold)))
        if not need.any():
            continue
        any_visible = (~hidden).any(axis=0)
        pick = need & any_visible
        if pick.any():
            rank = np.where(hidden, _LAST, np.where(member_values == 0, _ZERO_RANK, member_values))
            rows = rank.argmin(axis=0)
            columns = np.flatnonzero(pick)
            f[members[rows[columns]], columns] = COMPLEMENTARY
        whole = need & ~any_visible & ~total_hidden
        f[total, whole] = COMPLEMENTARY
        changed = True
    return changed


def suppression_flags(
    values: pd.DataFrame, parent: pd.Series, *, threshold: int = THRESHOLD, headcount: str | None = None
) -> pd.DataFrame:
    """Rules 1 and 2 for one table (nodes × columns) on one day: SHOWN, PRIMARY or COMPLEMENTARY per cell.

    ``parent``: each node's parent key (NA for the top node), on the same index as ``values``.
    """
    column = list(values.columns).index(headcount) if headcount in values.columns else None
    flags = suppress_stack(
        values.to_numpy(dtype="int64")[None],
        tree_groups(values.index, parent),
        headcount=column,
        threshold=threshold,
    )
    return pd.DataFrame(flags[0], index=values.index, columns=values.columns)


def no_flags(values: pd.DataFrame) -> pd.DataFrame:
    """Every cell shown (for viewers entitled to personal data)."""
    return pd.DataFrame(SHOWN, index=values.index, columns=values.columns, dtype="int8")
