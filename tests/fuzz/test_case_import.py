"""Bad CASE 1.0 packages: the framework import refuses them whole, names the JSON path, changes nothing.

Covers ``services.framework_import_case`` (the pure reader ``courses.competencies.case_io`` under it) and
the admin view 能力フレームワーク → 取込.
"""

import dataclasses
import datetime
import functools
import json
import re
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from courses.competencies import case_io, csv_io, services
from tests.competencies.conftest import FRAMEWORK_CSV, framework_row_counts
from tests.fuzz.common import (
    FEW,
    FORMULAS,
    FUZZ,
    HOSTILE_HTML,
    active_content,
    reencoded,
    rolled_back,
    truncations,
)

NAMESPACE = uuid.UUID("6f2d1c2e-0000-4000-8000-00000000f022")
# After a first key (``CFItems``), a JSON path goes on with ``.key`` for a key that is an identifier
# (str.isidentifier(): ``.titleEn``, ``.日本語``), ``["key"]`` for any other key, quoted as a JSON string
# (``["a.b"]``, ``["\\n"]``, ``[""]``), and ``[3]`` for a list index.
FIRST_KEY = re.compile(r"CF\w+")
SEGMENT = re.compile(r'\.(\w+)|\[(\d+)\]|\[("(?:[^"\\\x00-\x1f]|\\.)*")\]')
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(FORMULAS + HOSTILE_HTML),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@functools.cache
def package_text() -> str:
    """The default framework as a CFPackage, with identifiers of its own (no database needed)."""
    data, problems = csv_io.parse(Path(FRAMEWORK_CSV).read_bytes())
    assert not problems

    def ident(records, key):
        return tuple(dataclasses.replace(r, identifier=uuid.uuid5(NAMESPACE, key(r))) for r in records)

    data = dataclasses.replace(
        data,
        version="fuzz",
        identifier=uuid.uuid5(NAMESPACE, "document"),
        levels=ident(data.levels, lambda r: f"level-{r.level}"),
        areas=ident(data.areas, lambda r: f"area-{r.code}"),
        competencies=ident(data.competencies, lambda r: f"competency-{r.code}"),
    )
    package = case_io.build(data, last_change=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC))
    return json.dumps(package, ensure_ascii=False, indent=1)


def package() -> dict:
    return json.loads(package_text())


def import_checked(content: bytes) -> services.FrameworkImportOutcome:
    """Import ``content``; a refused package must have changed nothing. Any write is rolled back after."""
    before = framework_row_counts()
    with rolled_back():
        outcome = services.framework_import_case(content=content)
        after = framework_row_counts()
    if not outcome.ok:
        assert after == before, "a refused package wrote to the database"
        assert outcome.errors and all(isinstance(e, str) and e.strip() for e in outcome.errors)
    return outcome


def paths(document) -> list[list]:
    """Every path into a JSON document (dict keys and list indexes), the document itself first."""
    found = [[]]
    if isinstance(document, dict):
        items = document.items()
    elif isinstance(document, list):
        items = enumerate(document)
    else:
        return found
    for key, value in items:
        found += [[key, *rest] for rest in paths(value)]
    return found


def error_path(error: str) -> list | None:
    """The keys and indexes of the JSON path ``error`` starts with; None unless it starts with one, written
    as above and followed by ": " and a message."""
    first = FIRST_KEY.match(error)
    if not first:
        return None
    keys: list = [first.group()]
    at = first.end()
    while not error.startswith(": ", at):
        segment = SEGMENT.match(error, at)
        if not segment:
            return None
        name, index, quoted = segment.groups()
        if name is not None and name.isidentifier():
            keys.append(name)
        elif index is not None:
            keys.append(int(index))
        elif quoted is not None and not json.loads(quoted).isidentifier():
            keys.append(json.loads(quoted))
        else:
            return None
        at = segment.end()
    return keys if error[:at].isprintable() and error[at + 2 :].strip() else None


def test_the_package_imports(db):
    assert import_checked(package_text().encode()).ok


@FUZZ
@given(content=st.binary(max_size=2000))
def test_random_bytes_are_refused(db, content):
    assert not import_checked(content).ok


@FUZZ
@given(content=truncations(package_text().encode()))
def test_a_package_cut_anywhere_is_refused_with_line_and_column(db, content):
    outcome = import_checked(content)
    assert not outcome.ok
    assert re.search(r"\d+行目 \d+文字目|UTF-8|CFPackage", outcome.errors[0]), outcome.errors


@FUZZ
@given(content=reencoded(package_text()) | st.just(package_text().encode("cp932", errors="replace")))
def test_a_package_not_in_utf8_is_refused(db, content):
    assert not import_checked(content).ok


def test_a_package_over_the_size_limit_is_refused(db):
    content = package_text().encode() + b" " * case_io.parse.__globals__["MAX_BYTES"]

    assert import_checked(content).errors == ["ファイルが大きすぎます(上限 5 MB)。"]


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"CFDocument": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"CFDocument": ' + b"9" * 5000 + b"}",
    ],
    ids=["deep", "deep-inside", "huge-integer"],
)
def test_deep_nesting_and_huge_numbers_are_refused_not_crashes(db, content):
    assert not import_checked(content).ok


@pytest.mark.parametrize("score", ["NaN", "Infinity", "-Infinity", "1e400", "3.5", "true"])
def test_a_level_score_that_is_no_whole_number_is_a_problem_at_its_path(db, score):
    text = package_text().replace('"score": 1', f'"score": {score}', 1)

    outcome = import_checked(text.encode())

    assert not outcome.ok
    assert any(
        e.startswith("CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels[0]") for e in outcome.errors
    )


# Keys that are not identifiers; the first failed on a fresh clone (the error named ``levels[0].\n``,
# a line break in the path).
@FUZZ
@example(path=["CFDocument", "extensions", "levels", 0], value={"\n": None})
@example(path=["CFDocument", "extensions", "levels", 0], value={"a.b": 0, "日本語": 0, "": 0, "a: b": 0})
@example(path=["CFDocument"], value={'"]': None, "\\": None, "0": None, "\u2028": None})
@given(path=st.sampled_from(paths(package())[1:]), value=json_values)
def test_a_package_with_any_value_replaced_is_refused_at_a_json_path_or_imported(db, path, value):
    document = package()
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    outcome = import_checked(json.dumps(document, ensure_ascii=False).encode())
    if not outcome.ok:  # at a JSON path, or (NUL) at a line and column of the file
        assert all(error_path(e) for e in outcome.errors) or outcome.errors[0].startswith("JSONとして"), (
            outcome.errors
        )


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ("\n", 'CFDocument.extensions.levels[0]["\\n"]'),
        ("a.b", 'CFDocument.extensions.levels[0]["a.b"]'),
        ("", 'CFDocument.extensions.levels[0][""]'),
        ('say "hi"', 'CFDocument.extensions.levels[0]["say \\"hi\\""]'),
        ("3", 'CFDocument.extensions.levels[0]["3"]'),
        ("\u2028\x85\u200b", 'CFDocument.extensions.levels[0]["\\u2028\\u0085\\u200b"]'),
        ("レベル 2", 'CFDocument.extensions.levels[0]["レベル 2"]'),
        ("日本語", "CFDocument.extensions.levels[0].日本語"),
        ("note_2", "CFDocument.extensions.levels[0].note_2"),
    ],
)
def test_a_key_that_is_not_an_identifier_is_quoted_in_the_error_path(db, key, where):
    document = package()
    document["CFDocument"]["extensions"]["levels"][0][key] = "x"

    outcome = import_checked(json.dumps(document, ensure_ascii=False).encode())

    assert outcome.errors == [f"{where}: この項目は使えません。"]
    assert error_path(outcome.errors[0]) == ["CFDocument", "extensions", "levels", 0, key]


@FEW
@given(
    text=st.sampled_from(FORMULAS + HOSTILE_HTML),
    where=st.sampled_from(["fullStatement", "notes", "alternativeLabel"]),
)
def test_hostile_text_in_a_package_is_stored_as_text_and_shown_escaped(db, admin_client_500, text, where):
    document = package()
    document["CFItems"][-1][where] = text
    with rolled_back():
        outcome = services.framework_import_case(content=json.dumps(document).encode(), make_current=True)
        assert outcome.ok, outcome.errors
        page = admin_client_500.get(reverse("competency_framework:index"))
    assert page.status_code == 200
    assert not active_content(page.content.decode())


@FEW
@given(
    content=st.one_of(
        st.binary(max_size=500),
        truncations(package_text().encode()),
        st.just(b'{"CFDocument": ' + b"9" * 5000 + b"}"),
        st.sampled_from(HOSTILE_HTML).map(lambda h: json.dumps({"CFDocument": {"title": h}, h: h}).encode()),
    )
)
def test_admin_import_of_a_bad_package_lists_the_problems_escaped(admin_client_500, content):
    before = framework_row_counts()
    upload = SimpleUploadedFile("framework.json", content, content_type="application/json")
    with rolled_back():
        response = admin_client_500.post(reverse("competencies_admin:framework_import"), {"file": upload})
        after = framework_row_counts()
    assert response.status_code == 200, response.status_code
    assert not active_content(response.content.decode())
    assert after == before


def test_a_nul_character_in_a_package_is_refused_or_stored_never_a_crash(db):
    document = package()
    document["CFItems"][-1]["fullStatement"] = "能力\x00名"
    document["CFDocument"]["title"] = "題\x00"

    import_checked(json.dumps(document).encode())


# --- a package published by others: any shape of isChildOf tree, cycles included ------------------------


def foreign_package(parents: list[int], types: list[str]) -> bytes:
    """A schema-valid package whose item ``i`` is the child of item ``parents[i]`` (-1: the document)."""
    stamp = "2025-04-01T00:00:00+00:00"

    def key(name: str) -> str:
        return str(uuid.uuid5(NAMESPACE, name))

    def link(name: str) -> dict:
        return {"title": name, "identifier": key(name), "uri": f"https://case.example/{key(name)}"}

    document = link("foreign-document")
    items = [
        {
            "identifier": key(f"item-{i}"),
            "uri": f"https://case.example/{key(f'item-{i}')}",
            "fullStatement": f"Statement {i}",
            "humanCodingScheme": f"S.{i}",
            "CFItemType": kind,
            "lastChangeDateTime": stamp,
        }
        for i, kind in enumerate(types)
    ]
    associations = [
        {
            "identifier": key(f"child-{i}"),
            "uri": f"https://case.example/{key(f'child-{i}')}",
            "associationType": "isChildOf",
            "sequenceNumber": i,
            "originNodeURI": link(f"item-{i}"),
            "destinationNodeURI": document if parent < 0 else link(f"item-{parent}"),
            "lastChangeDateTime": stamp,
        }
        for i, parent in enumerate(parents)
    ]
    package = {
        "CFDocument": {**document, "creator": "Fuzz", "title": "Foreign", "lastChangeDateTime": stamp},
        "CFItems": items,
        "CFAssociations": associations,
    }
    return json.dumps(package).encode()


def _has_cycle(parents: list[int]) -> bool:
    for start in range(len(parents)):
        seen, node = set(), start
        while node >= 0:
            if node in seen:
                return True
            seen.add(node)
            node = parents[node]
    return False


trees = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(min_value=-1, max_value=n - 1), min_size=n, max_size=n),
        st.lists(st.sampled_from(["Domain", "Standard", ""]), min_size=n, max_size=n),
    )
)


@FEW
@given(tree=trees)
def test_any_isChildOf_tree_imports_with_its_hierarchy_and_a_cycle_is_refused(db, tree):
    parents, types = tree
    before = framework_row_counts()
    with rolled_back():
        outcome = services.framework_import_case(content=foreign_package(parents, types))
        counts = (
            (outcome.framework.areas.count(), outcome.framework.competencies.count()) if outcome.ok else None
        )
        after = framework_row_counts()
    if _has_cycle(parents):
        assert not outcome.ok and after == before
        assert any("isChildOf の関連が循環しています" in error for error in outcome.errors), outcome.errors
        return
    assert outcome.ok, outcome.errors
    has_children = set(parents)
    leaves = [i for i in range(len(parents)) if i not in has_children]
    top_with_children = [i for i, parent in enumerate(parents) if parent < 0 and i in has_children]
    top_leaves = [i for i in leaves if parents[i] < 0]
    assert counts == (len(top_with_children) + (1 if top_leaves else 0), len(leaves))
