"""Issue 12, items 6 and 7: no count of 1–4 people can be recovered by simple subtraction from what a viewer
without personal data sees — parent − shown children, total − shown rows, one level − another, one
month − another — over random small department trees, staff and months (ADR 0012).

The checker below is written independently of ``analytics.privacy``: it only looks at the values and at
which cells are visible.
"""

import itertools
import random

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import frames, privacy, reports

THRESHOLD = privacy.THRESHOLD
COMPETENCIES = ("A1", "B1")
LEVELS = (1, 2, 3, 4, 5)
PEOPLE = ("headcount", "leaders")


def tree(shape: list[list[int]]) -> list[dict]:
    """部 with 課 with 係: ``shape[i][j]`` is the number of 係 of the j-th 課 of the i-th 部."""
    rows, ids = [], itertools.count(1)
    for i, divisions in enumerate(shape):
        bu = next(ids)
        rows.append(
            {"id": bu, "path": f"{i + 1:04d}", "depth": 1, "name": f"部{bu}", "code": "", "kind": "bu"}
        )
        for j, sections in enumerate(divisions):
            ka, path = next(ids), f"{i + 1:04d}{j + 1:04d}"
            rows.append({"id": ka, "path": path, "depth": 2, "name": f"課{ka}", "code": "", "kind": "ka"})
            for k in range(sections):
                kakari = next(ids)
                rows.append(
                    {
                        "id": kakari,
                        "path": f"{path}{k + 1:04d}",
                        "depth": 3,
                        "name": "係",
                        "code": "",
                        "kind": "kakari",
                    }
                )
    return rows


def columns() -> list[str]:
    return [*PEOPLE, *(reports.level_column(code, level) for code in COMPETENCIES for level in LEVELS)]


def month(departments: list[dict], staff: dict[int, list[tuple]]) -> pd.DataFrame:
    """Direct counts of one month: ``staff[department]`` lists (leader, level of A1, level of B1)."""
    rows = {}
    for department in departments:
        people = staff.get(department["id"], [])
        row = {"headcount": len(people), "leaders": sum(p[0] for p in people)}
        for c, code in enumerate(COMPETENCIES):
            for level in LEVELS:
                row[reports.level_column(code, level)] = sum(p[1 + c] >= level for p in people)
        rows[department["id"]] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns()).rename_axis("department")


def suppress(nodes: pd.DataFrame, months: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """The stack and its flags, built as ``reports.published_stack`` builds them."""
    names = columns()
    values = np.stack([frames.tree_values(nodes, m).reindex(columns=names).to_numpy() for m in months])
    position = {c: i for i, c in enumerate(names)}
    families = [[position["leaders"]]]
    families += [
        [position[reports.level_column(code, level)] for level in reports.PUBLISHED_LEVEL_ORDER]
        for code in COMPETENCIES
    ]
    flags = privacy.suppress_stack(
        values,
        privacy.tree_groups(nodes.index, nodes["parent"]),
        headcount=position["headcount"],
        families=families,
    )
    return values, flags


def revealed(nodes: pd.DataFrame, values: np.ndarray, flags: np.ndarray) -> list[str]:
    """Every way a simple subtraction of visible cells pins a count of 0–4 that is hidden, or shows a count
    of 1–4; empty when the suppression holds."""
    shown = flags == privacy.SHOWN
    problems = []
    names = columns()
    head = names.index("headcount")
    days, _nodes, width = values.shape
    position = {key: i for i, key in enumerate(nodes.index)}
    # 1. no visible 1–4, and nothing visible in a row of 1–4 people
    for d, n, c in zip(*np.nonzero(shown & (values > 0) & (values < THRESHOLD)), strict=True):
        problems.append(f"day {d} node {nodes.index[n]} {names[c]} shows {values[d, n, c]}")
    for d, n in zip(*np.nonzero((values[:, :, head] > 0) & (values[:, :, head] < THRESHOLD)), strict=True):
        if shown[d, n].any():
            problems.append(f"day {d} node {nodes.index[n]}: a row of {values[d, n, head]} shows cells")
    # 2. parent − shown children (and total − shown rows, the same sums one level up)
    for total, members in nodes["parent"].dropna().groupby(nodes["parent"].dropna()).groups.items():
        t, m = position[total], [position[k] for k in members]
        for d, c in itertools.product(range(days), range(width)):
            hidden = [i for i in m if not shown[d, i, c]]
            if shown[d, t, c] and hidden and (len(hidden) == 1 or values[d, hidden, c].sum() < THRESHOLD):
                problems.append(f"day {d} {names[c]}: {total} − shown members pins {hidden}")
            if not shown[d, t, c] and not hidden:
                problems.append(f"day {d} {names[c]}: hidden {total} is the sum of its shown members")
    # 3. one month or one level minus another, on the same node
    families = [["leaders"], *[[reports.level_column(code, lv) for lv in LEVELS] for code in COMPETENCIES]]
    for family in families:
        cells = [(d, names.index(c)) for d in range(days) for c in family]
        for n in range(len(nodes)):
            visible = [values[d, n, c] for d, c in cells if shown[d, n, c]]
            for a, b in itertools.combinations(visible, 2):
                if 0 < abs(int(a) - int(b)) < THRESHOLD:
                    problems.append(f"node {nodes.index[n]} {family[0]}: {a} − {b}")
    return problems


shapes = st.lists(st.lists(st.integers(0, 2), min_size=0, max_size=3), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**32 - 1), months=st.integers(1, 4))
def test_no_subtraction_of_visible_cells_reveals_fewer_than_five_people(shape, seed, months):
    departments = tree(shape)
    nodes = frames.tree_nodes(departments, all_label="全体")
    rng = random.Random(seed)
    staff = {d["id"]: [] for d in departments}
    history = []
    for _ in range(months):
        for d in departments:  # people join, leave, get certified and level up from month to month
            people = [p for p in staff[d["id"]] if rng.random() > 0.2]
            people += [
                (0, rng.randint(0, 5), rng.randint(0, 5)) for _ in range(rng.choice((0, 0, 1, 2, 4, 7)))
            ]
            staff[d["id"]] = [
                (max(p[0], int(rng.random() < 0.1)), min(5, p[1] + int(rng.random() < 0.2)), p[2])
                for p in people
            ]
        history.append(month(departments, staff))
    values, flags = suppress(nodes, history)

    assert revealed(nodes, values, flags) == []
    # publishing a new month never changes what the earlier months showed
    _values, earlier = suppress(nodes, history[:-1]) if months > 1 else (None, flags[:0])
    assert (flags[: months - 1] == earlier).all()


def test_the_checker_finds_what_the_old_suppression_let_through():
    """The 部長 alone in the direct row shows zeros; and a month later one more A1 holder in a 課 of six."""
    departments = tree([[0, 0]])
    nodes = frames.tree_nodes(departments, all_label="全体")
    first = month(departments, {1: [(0, 2, 0)], 2: [(0, 0, 0)] * 6, 3: [(0, 2, 0)] * 9})
    second = month(departments, {1: [(0, 2, 0)], 2: [(0, 2, 0)] + [(0, 0, 0)] * 6, 3: [(0, 2, 0)] * 9})
    stack = np.stack(
        [frames.tree_values(nodes, m).reindex(columns=columns()).to_numpy() for m in (first, second)]
    )
    old = np.stack(
        [
            privacy.suppress_stack(stack[d : d + 1], privacy.tree_groups(nodes.index, nodes["parent"]))[0]
            for d in range(2)
        ]
    )  # cells of 1–4 and their complements only, each month on its own: as before issue 12
    problems = revealed(nodes, stack, old)
    assert any("a row of 1 shows cells" in p for p in problems)
    assert any(" − " in p and "A1" in p for p in problems)
    _values, flags = suppress(nodes, [first, second])
    assert revealed(nodes, stack, flags) == []
