"""Bad framework CSV files: the project-format framework import refuses them whole, by line, unchanged.

Covers ``services.framework_import_csv`` (the pure ``courses.competencies.csv_io`` under it); the CASE
package, the other format of the same import, is in ``test_case_import``.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses.competencies import csv_io, services
from tests.competencies.conftest import FRAMEWORK_CSV, framework_row_counts
from tests.fuzz.common import FORMULAS, FUZZ, HOSTILE_HTML, reencoded, rolled_back, truncations

GOOD = (
    Path(FRAMEWORK_CSV)
    .read_bytes()
    .decode("utf-8-sig")
    .replace("フレームワーク,1.0,", "フレームワーク,9.9,", 1)
)


def import_checked(content: bytes) -> services.FrameworkImportOutcome:
    before = framework_row_counts()
    with rolled_back():
        outcome = services.framework_import_csv(content=content)
        after = framework_row_counts()
    if not outcome.ok:
        assert after == before, "a refused file wrote to the database"
        assert outcome.errors and all(isinstance(e, str) and e.strip() for e in outcome.errors)
    return outcome


def test_the_sample_imports(db):
    assert import_checked(GOOD.encode()).ok


@FUZZ
@given(content=st.one_of(st.binary(max_size=2000), reencoded(GOOD)))
def test_random_bytes_and_wrong_encodings_are_refused(db, content):
    assert not import_checked(content).ok


@FUZZ
@given(content=truncations(GOOD.encode()))
def test_a_file_cut_anywhere_is_refused_or_imports_whole(db, content):
    import_checked(content)


@FUZZ
@given(data=st.data())
def test_any_cell_replaced_by_hostile_text_is_refused_by_line_or_imported(db, data):
    rows = list(csv.reader(io.StringIO(GOOD)))
    row = data.draw(st.integers(1, len(rows) - 1))
    column = data.draw(st.integers(0, len(rows[row]) - 1))
    rows[row][column] = data.draw(st.sampled_from(FORMULAS + HOSTILE_HTML) | st.text(max_size=30))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    try:
        content = out.getvalue().encode()
    except UnicodeEncodeError:
        return
    outcome = import_checked(content)
    if not outcome.ok:  # a line is named (a quoted line break moves it down), or the file as a whole
        assert any(LINE_NAMED.match(e) for e in outcome.errors) or len(outcome.errors) == 1


# "12行目: …" or, naming the column too, "12行目「領域コード」: …"
LINE_NAMED = re.compile(r"\d+行目(「[^」]*」)?: ")


def test_an_area_renamed_leaves_each_of_its_competencies_named_by_line(db):
    """Found by the test above (seed 2551934470): a changed area code orphans that area's competencies,
    and each is named with its line and column."""
    rows = list(csv.reader(io.StringIO(GOOD)))
    area = next(n for n, row in enumerate(rows) if row[:2] == ["領域", "E"])
    rows[area][1] = "0"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    outcome = import_checked(out.getvalue().encode())
    assert not outcome.ok and len(outcome.errors) > 1
    assert all(LINE_NAMED.match(e) and "領域コード E の領域がありません" in e for e in outcome.errors)


@pytest.mark.parametrize(
    "content",
    [
        b"x" * (csv_io.MAX_BYTES + 1),
        ("種別" + ",x" * 200_000 + "\n").encode(),
        GOOD.replace("\n", "\n\x00", 1).encode(),
        ('"' + "a" * 200_000).encode(),
    ],
    ids=["huge", "wide-header", "nul", "open-quote"],
)
def test_huge_binary_and_unclosed_files_are_refused(db, content):
    assert not import_checked(content).ok
