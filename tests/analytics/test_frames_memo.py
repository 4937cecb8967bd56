"""``frames.tree_nodes`` answers from a memo of the last trees built: the same frame as a fresh build for the
same rows and label, a new one for any change of them, and a caller's change to its frame is its own.
``frames.tree_values`` rolls a national tree up a few columns at a time: the same values."""

from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import frames

from .test_frames_tree import reference_tree_values, tree_and_counts, trees

DEPARTMENTS = [
    {"id": 1, "path": "0001", "depth": 1, "name": "総務部", "code": "010000", "kind": "bu"},
    {"id": 2, "path": "00010001", "depth": 2, "name": "人事課", "code": "010100", "kind": "ka"},
    {"id": 3, "path": "0002", "depth": 1, "name": "市民課", "code": "020100", "kind": "ka"},
]


@pytest.fixture(autouse=True)
def _empty_memo():
    frames._TREES.clear()
    yield
    frames._TREES.clear()


@settings(max_examples=40, deadline=None)
@given(trees())
def test_a_remembered_tree_is_the_tree_built_afresh(departments):
    first = frames.tree_nodes(departments, all_label="全体")
    again = frames.tree_nodes([dict(d) for d in departments], all_label="全体")
    fresh = frames._tree_nodes(departments, all_label="全体")
    pd.testing.assert_frame_equal(first, fresh)
    pd.testing.assert_frame_equal(again, fresh)


def test_any_change_of_a_row_or_the_label_is_another_tree():
    base = frames.tree_nodes(DEPARTMENTS, all_label="全体")
    for field, value in (
        ("name", "人事課(改)"),
        ("path", "00020001"),
        ("code", "010199"),
        ("kind", "kakari"),
    ):
        changed = [dict(d) for d in DEPARTMENTS]
        changed[1][field] = value
        nodes = frames.tree_nodes(changed, all_label="全体")
        pd.testing.assert_frame_equal(nodes, frames._tree_nodes(changed, all_label="全体"))
        assert not nodes.equals(base)
    assert frames.tree_nodes(DEPARTMENTS, all_label="組織全体").at[frames.ALL, "name"] == "組織全体"
    assert frames.tree_nodes(DEPARTMENTS[:2], all_label="全体").index.tolist() == [0, 1, 2, -1]


def test_a_caller_changing_its_frame_changes_no_one_else_s():
    mine = frames.tree_nodes(DEPARTMENTS, all_label="全体")
    mine.loc[2, "name"] = "書き換え"
    mine["depth"] = 99
    mine.at[1, "anc1"] = 7.0
    theirs = frames.tree_nodes(DEPARTMENTS, all_label="全体")
    pd.testing.assert_frame_equal(theirs, frames._tree_nodes(DEPARTMENTS, all_label="全体"))


def test_the_memo_is_bounded_and_large_trees_are_built_each_time(monkeypatch):
    for n in range(frames._TREES_LIMIT + 5):
        frames.tree_nodes(DEPARTMENTS, all_label=f"全体{n}")
    assert len(frames._TREES) == frames._TREES_LIMIT
    frames._TREES.clear()
    monkeypatch.setattr(frames, "_TREE_MEMO_ROWS", 2)
    frames.tree_nodes(DEPARTMENTS, all_label="全体")
    assert not frames._TREES


@settings(max_examples=40, deadline=None)
@given(tree_and_counts(), st.integers(min_value=1, max_value=8))
def test_the_roll_up_a_few_columns_at_a_time_is_the_reference(case, cells):
    """A national tree is rolled up a few columns at a time (``_ROLL_UP_CELLS`` addends per pass): the
    same values as the pandas reference, whatever the block size."""
    departments, direct = case
    nodes = frames.tree_nodes(departments, all_label="全体")
    with mock.patch.object(frames, "_ROLL_UP_CELLS", cells):
        pd.testing.assert_frame_equal(frames.tree_values(nodes, direct), reference_tree_values(nodes, direct))
