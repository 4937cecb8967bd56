"""Small-cell suppression: the 4/5/6 boundary, complementary cells against differencing, and a property
test that no hidden cell can be recovered from its group's visible total."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import frames, privacy

DEPARTMENTS = [
    {"id": 1, "path": "0001", "depth": 1, "name": "市民部", "code": "020000", "kind": "bu"},
    {"id": 2, "path": "00010001", "depth": 2, "name": "市民課", "code": "020100", "kind": "ka"},
    {"id": 3, "path": "00010002", "depth": 2, "name": "保険年金課", "code": "020200", "kind": "ka"},
    {"id": 4, "path": "00010003", "depth": 2, "name": "戸籍課", "code": "020300", "kind": "ka"},
    {"id": 5, "path": "0002", "depth": 1, "name": "総務部", "code": "010000", "kind": "bu"},
    {"id": 6, "path": "00020001", "depth": 2, "name": "人事課", "code": "010100", "kind": "ka"},
    {"id": 7, "path": "000200010001", "depth": 3, "name": "研修係", "code": "010101", "kind": "kakari"},
]


def flags_for(direct: dict[int, int]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    nodes = frames.tree_nodes(DEPARTMENTS, all_label="全体")
    values = frames.tree_values(nodes, pd.DataFrame({"n": direct}).rename_axis("department"))
    return nodes, values, privacy.suppression_flags(values, nodes["parent"])


def test_four_people_are_suppressed_five_and_six_are_shown():
    _nodes, values, flags = flags_for({2: 4, 3: 5, 4: 6, 6: 20})
    assert flags.at[2, "n"] == privacy.PRIMARY
    assert flags.at[3, "n"] != privacy.PRIMARY and flags.at[4, "n"] != privacy.PRIMARY
    assert values.at[1, "n"] == 15


def test_zero_is_shown():
    _nodes, _values, flags = flags_for({2: 0, 3: 10, 4: 10, 6: 20})
    assert flags.at[2, "n"] == privacy.SHOWN


def test_a_lone_small_cell_gets_a_complementary_cell_so_the_total_does_not_give_it_away():
    # 市民部 = 市民課 (3) + 保険年金課 (10) + 戸籍課 (12): without a second hidden cell, 25 − 10 − 12 = 3.
    _nodes, _values, flags = flags_for({2: 3, 3: 10, 4: 12, 6: 20})
    assert flags.at[1, "n"] == privacy.SHOWN
    assert flags.at[2, "n"] == privacy.PRIMARY
    assert flags.at[3, "n"] == privacy.COMPLEMENTARY  # the smallest other member
    assert flags.at[4, "n"] == privacy.SHOWN


def test_two_hidden_cells_that_sum_below_five_are_not_enough():
    # 1 + 1 hidden with a visible total pins both to exactly 1.
    _nodes, _values, flags = flags_for({2: 1, 3: 1, 4: 30, 6: 20})
    hidden = [k for k in (2, 3, 4) if flags.at[k, "n"]]
    assert len(hidden) == 3 or flags.at[1, "n"] != privacy.SHOWN


def test_direct_staff_of_a_department_count_as_a_member():
    # 部長 alone (1, directly in 市民部) would be 市民部 − Σ課.
    _nodes, _values, flags = flags_for({1: 1, 2: 10, 3: 10, 4: 10, 6: 20})
    assert flags.at[-1, "n"] == privacy.PRIMARY
    assert sum(1 for k in (2, 3, 4) if flags.at[k, "n"]) >= 1


def recoverable(nodes, values, flags, column="n", threshold=5) -> list[int]:
    """Groups whose visible total would let a differencing attack pin a hidden member."""
    bad = []
    for total, members in nodes["parent"].dropna().groupby(nodes["parent"].dropna()).groups.items():
        if flags.at[total, column]:
            continue
        hidden = [m for m in members if flags.at[m, column]]
        if hidden and (len(hidden) < 2 or values.loc[hidden, column].sum() < threshold):
            bad.append(total)
    return bad


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=7, max_size=7))
def test_no_hidden_cell_is_recoverable_from_a_visible_total(counts):
    nodes, values, flags = flags_for(dict(zip(range(1, 8), counts, strict=True)))
    assert recoverable(nodes, values, flags) == []
    small = values["n"].between(1, privacy.THRESHOLD - 1)
    assert (flags.loc[small, "n"] != privacy.SHOWN).all()  # every 1–4 cell is hidden
