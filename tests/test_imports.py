"""``lms_site.imports``: where a problem is, as the person who imported reads it; the outcome of an import."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from lms_site.imports import WHOLE_FILE, ImportOutcome, JsonPath, Line, Problem, TextFileError, decode_text


def test_a_problem_on_a_line_reads_as_that_line_then_the_message():
    assert str(Problem(Line(3), "姓が空です。")) == "3行目: 姓が空です。"


def test_a_line_reads_in_english_when_the_language_is_english():
    with translation.override("en"):
        assert str(Problem(Line(12), "x")) == "Line 12: x"


def test_a_line_can_be_named_another_way_and_keeps_its_number_for_ordering():
    problem = Problem(Line(7, "要素(行 %(line)d)"), "x")
    assert str(problem) == "要素(行 7): x" and problem.line == 7


def test_a_problem_about_the_whole_file_is_only_its_message():
    problem = Problem(WHOLE_FILE, "データ行がありません。")
    assert str(problem) == "データ行がありません。" and problem.line == 0


def test_problems_sort_into_file_order_whole_file_first():
    problems = [
        Problem(Line(9), "c"),
        Problem(Line(2), "b"),
        Problem(WHOLE_FILE, "a"),
        Problem("CFItems[1]", "d"),
    ]
    assert [p.message for p in sorted(problems, key=lambda p: p.line)] == ["a", "d", "b", "c"]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("CFItems", 3, "humanCodingScheme"), "CFItems[3].humanCodingScheme"),
        (("CFDocument", "extensions", "日本語"), "CFDocument.extensions.日本語"),
        (("CFDocument", "extensions", "a.b"), 'CFDocument.extensions["a.b"]'),
        (("CFDocument", "extensions", "\n"), 'CFDocument.extensions["\\n"]'),
        (("CFDocument", "extensions", "\u2028"), 'CFDocument.extensions["\\u2028"]'),
        (("CFDocument", "extensions", 'say "x"'), 'CFDocument.extensions["say \\"x\\""]'),
        (("CFDocument", "extensions", ""), 'CFDocument.extensions[""]'),
        (("CFDocument", "extensions", "1st"), 'CFDocument.extensions["1st"]'),
        ((0,), "[0]"),
        (("a]b",), '["a]b"]'),
    ],
)
def test_a_json_path_quotes_keys_that_are_not_identifiers_on_one_line(parts, expected):
    problem = Problem(JsonPath(parts), "この項目は使えません。")
    assert str(problem) == f"{expected}: この項目は使えません。"
    assert "\n" not in str(problem.where) and problem.line == 0


def test_an_outcome_with_a_problem_is_not_ok_and_lists_each_problem_on_its_line():
    outcome = ImportOutcome.refused([Problem(Line(2), "x"), "ファイルが読めません。"])
    assert not outcome.ok
    assert outcome.errors == ["2行目: x", "ファイルが読めません。"]
    assert outcome.as_dict() == {"created": 0, "updated": 0, "moved": 0, "unchanged": 0, "retired": 0}


def test_an_outcome_is_never_refused_for_no_problem():
    with pytest.raises(ValueError):
        ImportOutcome.refused([])


def test_an_outcome_without_problems_is_ok_with_its_counts():
    outcome = ImportOutcome(created=2, unchanged=1)
    assert outcome.ok and outcome.errors == [] and outcome.as_dict()["created"] == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [("職員番号".encode("utf-8-sig"), "職員番号"), ("職員番号".encode("cp932"), "職員番号"), (b"abc", "abc")],
)
def test_text_is_read_as_utf8_with_or_without_bom_or_as_cp932(content, expected):
    assert decode_text(content, max_bytes=100) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * 2 * 1024 * 1024, "ファイルが大きすぎます(上限 1 MB)。"),
        (b"a\x00b", "CSVではないファイルです(バイナリデータを含みます)。"),
        (b"\x81\xff\xfe", "文字コードを判別できません。UTF-8 または Shift_JIS(CP932)で保存してください。"),
    ],
)
def test_a_file_that_is_not_text_is_refused_saying_why(content, message):
    with pytest.raises(
        TextFileError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        decode_text(content, max_bytes=1024 * 1024)


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("lms_site/imports.py", {"__future__", "json", "collections", "dataclasses", "django"}),
        (
            "lms_site/jobs.py",
            {"__future__", "logging", "celery", "django", "lms_site.cache", "lms_site.tasks"},
        ),
    ],
)
def test_imports_and_jobs_sit_at_the_bottom_importing_no_app(module, allowed):
    """Every app may use them, so they use none: the standard library, Django, Celery, the site's cache
    and queue helpers only (the import-linter layers contract does not name them)."""
    tree = ast.parse((Path(__file__).resolve().parents[1] / module).read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert all(name in allowed or name.split(".")[0] in allowed for name in names), names
