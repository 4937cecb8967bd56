"""The department tree and its roll-up, built with numpy, against the pandas implementation they replaced
(kept here as the reference, verbatim): the same frame, dtypes and index, for any tree and any counts."""

from collections.abc import Iterable

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analytics import frames
from analytics.frames import ALL

STEP = 4


def reference_tree_nodes(departments: Iterable[dict], *, all_label: str) -> pd.DataFrame:
    """Nodes indexed by key: ``0`` the total, ``id`` a department (and below), ``-id`` its direct staff.

    ``departments``: dicts with id, path, depth, name, code, kind (treebeard materialised path).
    Columns: parent, dept_id, name, code, kind, depth, path, is_direct, has_children, anc1..ancN.
    """
    frame = pd.DataFrame(list(departments), columns=["id", "path", "depth", "name", "code", "kind"])
    if frame.empty:
        return pd.DataFrame(
            {
                "parent": [pd.NA],
                "dept_id": [0],
                "name": [all_label],
                "code": [""],
                "kind": [""],
                "depth": [0],
                "path": [""],
                "is_direct": [False],
                "has_children": [False],
            },
            index=pd.Index([ALL], name="key"),
        )
    frame = frame.sort_values("path").set_index("id", drop=False)
    steplen = len(frame["path"].iloc[0]) // int(frame["depth"].iloc[0])
    by_path = dict(zip(frame["path"], frame["id"], strict=True))
    max_depth = int(frame["depth"].max())
    paths = frame["path"].tolist()
    for k in range(1, max_depth + 1):
        width = k * steplen
        frame[f"anc{k}"] = [by_path.get(p[:width]) if len(p) >= width else None for p in paths]
        frame[f"anc{k}"] = frame[f"anc{k}"].astype("float64")
    frame["parent"] = [by_path.get(p[:-steplen], ALL) if len(p) > steplen else ALL for p in paths]
    frame["has_children"] = frame["id"].isin(set(frame["parent"]))
    frame["dept_id"] = frame["id"]
    frame["is_direct"] = False
    direct = frame[frame["has_children"]].copy()
    direct.index = -direct["id"]
    direct["parent"] = direct["id"]
    direct["is_direct"] = True
    direct["has_children"] = False
    total = pd.DataFrame(
        {
            "parent": [pd.NA],
            "dept_id": [0],
            "name": [all_label],
            "code": [""],
            "kind": [""],
            "depth": [0],
            "path": [""],
            "is_direct": [False],
            "has_children": [True],
        },
        index=[ALL],
    )
    nodes = pd.concat([total, frame.drop(columns=["id"]), direct.drop(columns=["id"])])
    nodes.index.name = "key"
    return nodes


def reference_tree_values(nodes: pd.DataFrame, direct: pd.DataFrame) -> pd.DataFrame:
    """Each node's value from the per-department ``direct`` counts (indexed by department id).

    A department's value covers its whole subtree; ``-id`` holds its direct staff; ``0`` is the total.
    """
    departments = nodes[(nodes.index > 0)]
    own = direct.reindex(departments.index, fill_value=0)
    parts = []
    for column in [c for c in nodes.columns if c.startswith("anc")]:
        ancestor = departments[column]
        parts.append(own.groupby(ancestor.to_numpy(), dropna=True).sum())
    totals = pd.concat(parts).groupby(level=0).sum() if parts else own.iloc[:0]
    totals = totals.reindex(departments.index, fill_value=0)
    pseudo_keys = nodes.index[nodes["is_direct"]]
    pseudo = own.reindex(-pseudo_keys, fill_value=0)
    pseudo.index = pseudo_keys
    total = own.sum().to_frame(ALL).T
    values = pd.concat([total, totals, pseudo]).reindex(nodes.index, fill_value=0)
    return values.fillna(0).astype("int64")


@st.composite
def trees(draw):
    """Departments with materialised paths (treebeard's, four characters a level), up to four levels;
    some parents may be missing from the list (a department deactivated above its children)."""
    count = draw(st.integers(min_value=0, max_value=25))
    paths: list[str] = []
    for n in range(count):
        parent = draw(st.sampled_from(["", *paths])) if paths else ""
        if len(parent) >= 4 * STEP:
            parent = ""
        paths.append(parent + f"{n + 1:04d}")
    dropped = draw(st.sets(st.sampled_from(paths), max_size=3)) if paths else set()
    ids = draw(st.permutations(range(1, count + 1)))
    return [
        {
            "id": i * 7,
            "path": path,
            "depth": len(path) // STEP,
            "name": f"課{i}",
            "code": f"{i:06d}",
            "kind": "ka",
        }
        for i, path in zip(ids, paths, strict=True)
        if path not in dropped or len(path) == STEP
    ]


@st.composite
def tree_and_counts(draw):
    departments = draw(trees())
    keys = [d["id"] for d in departments] + draw(st.lists(st.integers(1000, 1010), max_size=2))
    chosen = draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []
    columns = ["A1", "B2", frames.HEADCOUNT]
    counts = draw(
        st.lists(
            st.lists(st.integers(0, 500), min_size=3, max_size=3), min_size=len(chosen), max_size=len(chosen)
        )
    )
    direct = pd.DataFrame(counts, index=pd.Index(chosen, name="department", dtype="int64"), columns=columns)
    return departments, direct


@settings(max_examples=80, deadline=None)
@given(tree_and_counts())
@example(
    ([], pd.DataFrame(columns=["A1"], index=pd.Index([], name="department", dtype="int64"), dtype="int64"))
)
def test_the_tree_and_its_roll_up_are_those_of_the_reference(case):
    departments, direct = case
    nodes = frames.tree_nodes(departments, all_label="全体")
    pd.testing.assert_frame_equal(nodes, reference_tree_nodes(departments, all_label="全体"))
    pd.testing.assert_frame_equal(frames.tree_values(nodes, direct), reference_tree_values(nodes, direct))


def test_a_department_counts_its_whole_subtree_and_the_total_counts_everyone():
    departments = [
        {"id": 1, "path": "0001", "depth": 1, "name": "総務部", "code": "010000", "kind": "bu"},
        {"id": 2, "path": "00010001", "depth": 2, "name": "人事課", "code": "010100", "kind": "ka"},
        {"id": 3, "path": "0002", "depth": 1, "name": "市民課", "code": "020100", "kind": "ka"},
    ]
    nodes = frames.tree_nodes(departments, all_label="全体")
    direct = pd.DataFrame({"n": [2, 5, 7]}, index=pd.Index([1, 2, 3], name="department"))
    values = frames.tree_values(nodes, direct)["n"].to_dict()
    assert values == {ALL: 14, 1: 7, 2: 5, 3: 7, -1: 2}
