"""Pure pandas: department trees, roll-ups and the report frames. No Django, no models (see ADR 0006).

Selectors hand plain rows (dicts or tuples from ``values()``/``values_list()``) to these functions; views,
tasks, exports and the benchmark all call the same ones.

The tree: every department is a node keyed by its id; the organisation total is node ``0`` (``ALL``);
a department with children also gets a pseudo-node ``-id`` for the people assigned to it directly (the
部長 and 部 staff outside any 課), so that every node's value is exactly the sum of its members' values —
which is what the small-cell suppression relies on (``privacy.py``).
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from operator import itemgetter

import numpy as np
import pandas as pd

ALL = 0
HEADCOUNT = "headcount"
DEPARTMENT_FIELDS = ("id", "path", "depth", "name", "code", "kind")  # what a node is made from


def fiscal_year(day: datetime.date) -> int:
    """年度: April to March; 2027-03-31 is in FY2026."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_end(year: int) -> datetime.date:
    return datetime.date(year + 1, 3, 31)


# The last trees built, by everything they are made from (the label and each row's fields): the same rows
# give the same frame, so a report asking again for a tree it was given before gets it without building it
# (0.4 ms of the coverage report's 7 at a city's size). A pure function's memo: nothing in it outlives a
# change of the rows, which gives another key. Trees of more departments than ``_TREE_MEMO_ROWS`` are built
# each time (their key would weigh as much as the frame).
_TREES: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_TREES_LIMIT = 32
_TREE_MEMO_ROWS = 5000
_TREES_LOCK = threading.Lock()
_node_fields = itemgetter(*DEPARTMENT_FIELDS)


def tree_nodes(departments: Iterable[dict], *, all_label: str) -> pd.DataFrame:
    """Nodes indexed by key: ``0`` the total, ``id`` a department (and below), ``-id`` its direct staff.

    ``departments``: dicts with id, path, depth, name, code, kind (treebeard materialised path).
    Columns: parent, dept_id, name, code, kind, depth, path, is_direct, has_children, anc1..ancN
    (``ancK``: the ancestor at depth K, the department itself at its own depth; NaN above the root).

    The same rows and label give the same frame from a memo of the last trees built (``_TREES``), as a
    shallow copy: pandas copies on write, so a caller that changed its frame would change only its own.
    """
    rows = departments if isinstance(departments, list) else list(departments)
    if type(all_label) is not str or len(rows) > _TREE_MEMO_ROWS:
        return _tree_nodes(rows, all_label=all_label)
    key = (all_label, tuple(map(_node_fields, rows)))
    with _TREES_LOCK:
        found = _TREES.get(key)
        if found is not None:
            _TREES.move_to_end(key)
    if found is None:
        found = _tree_nodes(rows, all_label=all_label)
        with _TREES_LOCK:
            _TREES[key] = found
            while len(_TREES) > _TREES_LIMIT:
                _TREES.popitem(last=False)
    return found.copy(deep=False)


def _tree_nodes(departments: list[dict], *, all_label: str) -> pd.DataFrame:
    """``tree_nodes``, built: from plain lists, one frame at the end (every report builds the tree, and
    pandas' per-column operations cost more than the tree itself at a city's few hundred departments)."""
    rows = sorted(departments, key=lambda d: d["path"])
    total = {
        "parent": pd.NA,
        "dept_id": 0,
        "name": all_label,
        "code": "",
        "kind": "",
        "depth": 0,
        "path": "",
        "is_direct": False,
        "has_children": bool(rows),
    }
    if not rows:
        return pd.DataFrame({k: [v] for k, v in total.items()}, index=pd.Index([ALL], name="key"))
    steplen = len(rows[0]["path"]) // int(rows[0]["depth"])
    by_path = {row["path"]: row["id"] for row in rows}
    max_depth = max(int(row["depth"]) for row in rows)
    parents = [by_path.get(r["path"][:-steplen], ALL) if len(r["path"]) > steplen else ALL for r in rows]
    with_children = set(parents)
    nan = float("nan")
    ancestors = [
        [
            float(by_path.get(r["path"][: k * steplen], nan)) if len(r["path"]) >= k * steplen else nan
            for r in rows
        ]
        for k in range(1, max_depth + 1)
    ]
    direct = [i for i, row in enumerate(rows) if row["id"] in with_children]  # their direct staff
    order = list(range(len(rows))) + direct

    def column(field: str) -> list:
        return [total[field], *(rows[i][field] for i in order)]

    data = {
        "parent": np.array([total["parent"], *parents, *(rows[i]["id"] for i in direct)], dtype=object),
        "dept_id": np.array([0, *(rows[i]["id"] for i in order)], dtype="int64"),
        "name": column("name"),
        "code": column("code"),
        "kind": column("kind"),
        "depth": np.array(column("depth"), dtype="int64"),
        "path": column("path"),
        "is_direct": np.array([False] * (1 + len(rows)) + [True] * len(direct), dtype=bool),
        "has_children": np.array(
            [True, *(row["id"] in with_children for row in rows), *([False] * len(direct))], dtype=bool
        ),
    }
    for k, values in enumerate(ancestors, start=1):
        data[f"anc{k}"] = np.array([nan, *(values[i] for i in order)], dtype="float64")
    keys = [ALL, *(row["id"] for row in rows), *(-rows[i]["id"] for i in direct)]
    return pd.DataFrame(data, index=pd.Index(keys, name="key", dtype="int64"))


_ROLL_UP_CELLS = 1 << 18  # addends per bincount in ``tree_values`` (2 MB each of cells and weights)


def tree_values(nodes: pd.DataFrame, direct: pd.DataFrame) -> pd.DataFrame:
    """Each node's value from the per-department ``direct`` counts (indexed by department id).

    A department's value covers its whole subtree; ``-id`` holds its direct staff; ``0`` is the total.
    One numpy pass: each department's own counts are added to every ancestor (itself included), in one
    ``bincount`` over (node, column) cells.
    """
    index = nodes.index
    keys = index.to_numpy()
    is_department = keys > 0
    departments = keys[is_department]
    columns = direct.columns
    # Each department's own counts, in node order (zero for a department nobody is assigned to).
    counts = np.zeros((len(departments), len(columns)), dtype="float64")
    if len(direct) and len(departments):
        where = direct.index.get_indexer(departments)
        found = where >= 0
        counts[found] = direct.to_numpy(dtype="float64", na_value=0)[where[found]]
    values = np.zeros((len(keys), len(columns)), dtype="float64")
    anc_columns = [c for c in nodes.columns if c.startswith("anc")]
    if len(departments) and anc_columns:
        ancestors = np.column_stack([nodes[c].to_numpy(dtype="float64") for c in anc_columns])[is_department]
        row, level = np.nonzero(~np.isnan(ancestors))
        target = index.get_indexer(ancestors[row, level].astype("int64"))
        # a few columns at a time at a national tree's size, so that no addend array outgrows ``counts``
        step = max(1, _ROLL_UP_CELLS // max(1, len(row)))
        for start in range(0, len(columns), step):
            block = counts[row, start : start + step]
            width = block.shape[1]
            cells = (target[:, None] * width + np.arange(width)).ravel()  # each addend's (node, column)
            values[:, start : start + width] = np.bincount(
                cells, weights=block.ravel(), minlength=len(keys) * width
            ).reshape(len(keys), width)
    is_direct = nodes["is_direct"].to_numpy(dtype=bool)
    if is_direct.any():
        position = np.cumsum(is_department) - 1  # a department node's row in ``counts``
        values[is_direct] = counts[position[index.get_indexer(-keys[is_direct])]]
    values[keys == ALL] = counts.sum(axis=0)
    return pd.DataFrame(values.round().astype("int64"), index=nodes.index, columns=columns)


def subtree_keys(nodes: pd.DataFrame, top: int) -> pd.Index:
    """``top`` and every node below it (with the direct pseudo-nodes)."""
    if top == ALL:
        return nodes.index
    path = nodes.at[top, "path"]
    inside = nodes["path"].str.startswith(path) & (nodes["depth"] >= nodes.at[top, "depth"])
    return nodes.index[inside.to_numpy()]


def members(nodes: pd.DataFrame, key: int) -> list[int]:
    """The rows a drill-down into ``key`` shows: its direct staff first, then its children by path."""
    children = nodes[nodes["parent"] == key]
    children = children.sort_values(["is_direct", "path"], ascending=[False, True])
    return list(children.index)


def ancestors(nodes: pd.DataFrame, key: int, *, top: int) -> list[int]:
    """The breadcrumb from ``top`` down to ``key`` (both included)."""
    trail = [key]
    while trail[-1] != top and trail[-1] != ALL:
        parent = nodes.at[trail[-1], "parent"]
        trail.append(int(parent))
    return list(reversed(trail))


def coverage_direct(
    count_rows: Iterable[Sequence], *, competencies: Sequence[str], competency_codes: dict[int, str]
) -> pd.DataFrame:
    """The coverage query's rows ``(department_id, competency_id or None, n)`` as a department × column
    frame: one column per competency code (people at the level or above) and ``headcount`` (None rows).

    Built with numpy (``pivot_table`` took a quarter of a second at 180,000 rows).
    """
    columns = [*competencies, HEADCOUNT]
    position = {code: i for i, code in enumerate(columns)}
    column_of = {pk: position[code] for pk, code in competency_codes.items()}
    rows = list(count_rows)
    if not rows:
        return pd.DataFrame(0, index=pd.Index([], name="department", dtype="int64"), columns=columns)
    headcount = position[HEADCOUNT]
    row_of, keys = pd.factorize(np.fromiter((r[0] for r in rows), dtype="int64", count=len(rows)))
    column = np.fromiter(
        (headcount if r[1] is None else column_of[r[1]] for r in rows), dtype="int64", count=len(rows)
    )
    counts = np.fromiter((r[2] for r in rows), dtype="float64", count=len(rows))
    flat = np.bincount(
        row_of * len(columns) + column,
        weights=counts,
        minlength=len(keys) * len(columns),
    )
    matrix = flat.round().astype("int64").reshape(len(keys), len(columns))
    return pd.DataFrame(matrix, index=pd.Index(keys, name="department"), columns=columns)


def targets_effective(nodes: pd.DataFrame, targets: Iterable[dict]) -> pd.DataFrame:
    """Per node: the department's own target where HR set one, else the sum of its members' targets.

    ``targets``: dicts with department_id, leaders, basic_share (percent). Returns columns ``leaders``,
    ``basic_share`` (NaN where no target applies; shares are not summed) and ``own`` (set on the node).
    """
    own = {t["department_id"]: t for t in targets}
    children: dict[int, list[int]] = {}
    departments = nodes[~nodes["is_direct"]]
    for key, parent in zip(departments.index, departments["parent"], strict=True):
        if pd.notna(parent):
            children.setdefault(int(parent), []).append(int(key))
    leaders: dict[int, float] = {}
    for key in departments.sort_values("depth", ascending=False).index:
        if key in own:
            leaders[key] = float(own[key]["leaders"])
        else:
            below = [leaders[c] for c in children.get(key, []) if c in leaders]
            if below:
                leaders[key] = sum(below)
    return pd.DataFrame(
        {
            "leaders": [leaders.get(k, float("nan")) for k in nodes.index],
            "basic_share": [float(own[k]["basic_share"]) if k in own else float("nan") for k in nodes.index],
            "own": [k in own for k in nodes.index],
        },
        index=nodes.index,
    )


def monthly(days: Iterable[datetime.date]) -> list[datetime.date]:
    """The first day of each month in ``days``, sorted and unique."""
    return sorted({day.replace(day=1) for day in days})
