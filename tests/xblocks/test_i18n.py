"""Japanese through the XBlock i18n service: the shipped catalog is complete, current and found."""

import ast
import gettext
import re
import sys
from importlib import resources
from pathlib import Path

import pytest
from dx_assessment.blocks import QuestionBlock, QuizBlock
from dx_assessment.examples import EXAMPLES

from tests.xblocks.helpers import question_xml, quiz_xml
from tests.xblocks.runtime import DjangoLikeI18n, MemoryRuntime, OpenEdxLikeI18n

PACKAGE = resources.files("dx_assessment")
CATALOG = PACKAGE.joinpath("translations", "ja", "LC_MESSAGES")
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def source_strings() -> set[str]:
    """Every literal passed to ``t`` or ``N_`` in the package's modules (grading excluded)."""
    found = set()
    for path in PACKAGE.iterdir():
        if not path.name.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("t", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def po_entries() -> dict[str, str]:
    """msgid -> msgstr of text.po (single-line entries, as the file is written)."""
    text = CATALOG.joinpath("text.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.MULTILINE)

    def unquote(value: str) -> str:
        return value.replace('\\"', '"').replace("\\\\", "\\")

    return {unquote(msgid): unquote(msgstr) for msgid, msgstr in pairs}


def compiled() -> gettext.GNUTranslations:
    with CATALOG.joinpath("text.mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_every_interface_string_has_a_japanese_translation_with_the_same_placeholders():
    catalog = compiled()
    strings = source_strings()
    assert len(strings) > 60
    for message in strings:
        translated = catalog.gettext(message)
        assert translated != message, f"untranslated: {message}"
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(message)), message


def test_the_compiled_catalog_matches_the_po_file():
    entries = po_entries()
    catalog = compiled()
    assert entries
    assert {message: catalog.gettext(message) for message in entries} == entries
    assert set(entries) == source_strings()


def test_the_catalog_is_where_open_edx_looks_for_it():
    module_dir = Path(sys.modules[QuestionBlock.__module__].__file__).parent
    assert (module_dir / "translations" / "ja" / "LC_MESSAGES" / "text.mo").is_file()
    assert QuizBlock.__module__ == QuestionBlock.__module__


@pytest.mark.parametrize(
    "service",
    [OpenEdxLikeI18n(QuestionBlock, "ja"), OpenEdxLikeI18n(QuestionBlock, "ja-jp"), DjangoLikeI18n("ja")],
    ids=["open-edx-ja", "open-edx-ja-jp", "django-ja"],
)
def test_the_blocks_speak_japanese_when_the_runtime_language_is_japanese(service):
    runtime = MemoryRuntime(i18n=service)
    usage_id = runtime.add(question_xml(EXAMPLES["multiple_response"]))

    html = runtime.render_html(usage_id)

    assert "当てはまるものをすべて選んでください。" in html and ">送信</button>" in html
    assert '"submitting": "送信しています…"' in html
    reply = runtime.post(usage_id, "submit", {"response": ["card"]})
    assert "部分正解" in reply.json["html"] and "得点: 0.5 / 1" in reply.json["html"]
    assert "解説" in reply.json["html"]


@pytest.mark.parametrize(
    "service",
    [None, DjangoLikeI18n("en-us"), OpenEdxLikeI18n(QuestionBlock, "en")],
    ids=["null", "django", "edx"],
)
def test_the_blocks_speak_english_otherwise(service):
    runtime = MemoryRuntime(i18n=service)
    usage_id = runtime.add(question_xml(EXAMPLES["multiple_response"]))

    html = runtime.render_html(usage_id)

    assert "Select all that apply." in html and ">Submit</button>" in html


def test_errors_and_the_quiz_are_translated_too():
    runtime = MemoryRuntime(i18n=DjangoLikeI18n("ja"))
    usage_id = runtime.add(quiz_xml([EXAMPLES["numeric"], EXAMPLES["true_false"]], passing_percent=50))

    html = runtime.render_html(usage_id)
    refused = runtime.post(usage_id, "submit", {"responses": ["千", True]})
    studio = runtime.post(usage_id, "studio_submit", {"passing_percent": 101})

    assert "問1" in html and "全2問。合格点: 50%。" in html and "すべての回答を送信" in html
    assert refused.json["error"].startswith("問1: 回答を読み取れませんでした: ")
    assert studio.json["error"] == "保存されていません。次の問題を修正してください:"
    assert studio.json["problems"][0]["message"] == "0から100までの数値を入力してください。"
