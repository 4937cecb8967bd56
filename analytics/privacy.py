"""Small-cell suppression with complementary suppression over the department tree. Pure (numpy/pandas).

Primary: a count of 1–4 people is hidden (shown as ``<5``). Zero is shown: it describes nobody.
Complementary: every node's value is the sum of its members' values (``frames.tree_nodes``), so a hidden
member could be recovered by subtracting the visible members from the visible total. For each group
(a total and its members) and each column, with the total visible, the hidden members must be at least two
and together describe at least ``threshold`` people; otherwise the smallest visible member (non-zero
first) is hidden too, or, with none left, the total itself. A hidden total whose members are all visible
gets one member hidden. This repeats until nothing changes (hiding only ever grows, so it ends).
See docs/decisions/0006-analytics-snapshots-suppression-forecast.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 5
SHOWN, PRIMARY, COMPLEMENTARY = 0, 1, 2


def suppression_flags(values: pd.DataFrame, parent: pd.Series, *, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Per cell of ``values`` (nodes × columns): SHOWN, PRIMARY or COMPLEMENTARY.

    ``parent``: each node's parent key (NA for the top node), on the same index as ``values``.
    """
    v = values.to_numpy(dtype="int64")
    flags = np.where((v > 0) & (v < threshold), PRIMARY, SHOWN).astype("int8")
    position = {key: i for i, key in enumerate(values.index)}
    groups: list[tuple[int, np.ndarray]] = []
    for total, keys in parent.dropna().groupby(parent.dropna()).groups.items():
        if total in position:
            groups.append((position[total], np.array([position[k] for k in keys])))
    changed = True
    while changed:
        changed = False
        for total, member_rows in groups:
            member_values = v[member_rows]
            hidden = flags[member_rows] != SHOWN
            for column in range(v.shape[1]):
                column_hidden = hidden[:, column]
                if flags[total, column] != SHOWN:
                    if column_hidden.any() or len(member_rows) == 0:
                        continue
                    pick = _smallest(member_values[:, column], column_hidden)
                    flags[member_rows[pick], column] = COMPLEMENTARY
                    hidden[pick, column] = True
                    changed = True
                    continue
                count = int(column_hidden.sum())
                if count == 0:
                    continue
                if count >= 2 and int(member_values[column_hidden, column].sum()) >= threshold:
                    continue
                if (~column_hidden).any():
                    pick = _smallest(member_values[:, column], column_hidden)
                    flags[member_rows[pick], column] = COMPLEMENTARY
                    hidden[pick, column] = True
                else:
                    flags[total, column] = COMPLEMENTARY
                changed = True
    return pd.DataFrame(flags, index=values.index, columns=values.columns)


def _smallest(column_values: np.ndarray, hidden: np.ndarray) -> int:
    """The visible member to hide: the smallest non-zero one, else a zero one."""
    candidates = np.flatnonzero(~hidden)
    ranked = sorted(candidates, key=lambda i: (column_values[i] == 0, column_values[i]))
    return int(ranked[0])


def no_flags(values: pd.DataFrame) -> pd.DataFrame:
    """Every cell shown (for viewers entitled to personal data)."""
    return pd.DataFrame(SHOWN, index=values.index, columns=values.columns, dtype="int8")
