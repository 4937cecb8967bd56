"""Moodle GIFT / XML import into the bank (whole or nothing), export, and round trip."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments import bank
from assessments.models import Question

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo" / "questions"
SAMPLES = ROOT / "tests" / "assessments_pure" / "data"


@pytest.fixture
def full_framework(db):
    call_command(
        "import_framework", str(ROOT / "fixtures/framework/dx_competency_framework_v1.csv"), "--current"
    )


def test_demo_gift_file_imports_with_competency_and_level_from_the_category(full_framework):
    outcome = bank.questions_import(content=(DEMO / "A.gift").read_bytes(), file_format="gift")
    assert outcome.ok, outcome.errors
    assert outcome.created == Question.objects.count() >= 20
    question = Question.objects.get(title="A2-L2-01")
    assert (question.competency.code, question.level, question.live) == ("A2", 2, True)
    assert bank.question_definition(question).explanation


def test_one_broken_question_imports_nothing_and_is_named(full_framework):
    text = (DEMO / "B.gift").read_text(encoding="utf-8")
    broken = text.replace("::B1-L1-02::", "::B1-L1-02:: 壊れた問題 {=正解 ~誤り\n\n::B1-L1-02b::", 1)
    outcome = bank.questions_import(content=broken.encode(), file_format="gift")
    assert not outcome.ok
    assert any("行目" in error for error in outcome.errors)
    assert not Question.objects.exists()


def test_moodle_xml_as_moodle_exports_it_imports_every_type(full_framework):
    outcome = bank.questions_import(
        content=(SAMPLES / "sample.moodle.xml").read_bytes(), file_format="moodlexml", default_competency="C1"
    )
    assert outcome.ok, outcome.errors
    types = {q.question_type for q in Question.objects.all()}
    assert types >= {
        "single_choice",
        "multiple_response",
        "true_false",
        "numeric",
        "short_text",
        "matching",
        "ordering",
    }


def test_broken_moodle_xml_names_the_element_and_imports_nothing(full_framework):
    outcome = bank.questions_import(
        content=(SAMPLES / "sample_broken.moodle.xml").read_bytes(),
        file_format="moodlexml",
        default_competency="C1",
    )
    assert not outcome.ok and any("question[" in e for e in outcome.errors)
    assert not Question.objects.exists()


def test_questions_without_a_competency_are_refused_unless_one_is_given(full_framework):
    gift = "::Q1:: DXの「D」は何の略? {=Digital ~Data}\n".encode()
    refused = bank.questions_import(content=gift, file_format="gift")
    assert not refused.ok and "能力項目が分かりません" in refused.errors[0]
    accepted = bank.questions_import(content=gift, file_format="gift", default_competency="A1")
    assert accepted.ok and Question.objects.get().competency.code == "A1"


def test_script_in_imported_html_is_stripped(full_framework):
    gift = '::X1:: [html]<p onclick="steal()">住民<script>alert(1)</script></p> {T}\n'.encode()
    assert bank.questions_import(content=gift, file_format="gift", default_competency="E1").ok
    text = bank.question_definition(Question.objects.get()).text
    assert "<script" not in text and "onclick" not in text and "住民" in text


@pytest.mark.parametrize("file_format", ["gift", "moodlexml"])
def test_export_then_import_round_trips(full_framework, file_format):
    for name in ("C.gift", "E.gift"):
        assert bank.questions_import(content=(DEMO / name).read_bytes(), file_format="gift").ok
    before = {
        q.title: (q.competency.code, q.level, bank.question_definition(q).to_dict())
        for q in Question.objects.select_related("competency")
    }
    exported = bank.questions_export(questions=Question.objects.all(), file_format=file_format)
    Question.objects.all().delete()

    outcome = bank.questions_import(content=exported, file_format=file_format)

    assert outcome.ok, outcome.errors
    after = {
        q.title: (q.competency.code, q.level, bank.question_definition(q).to_dict())
        for q in Question.objects.select_related("competency")
    }
    assert after == before


def test_reimporting_the_same_file_changes_nothing(full_framework):
    content = (DEMO / "D.gift").read_bytes()
    bank.questions_import(content=content, file_format="gift")
    again = bank.questions_import(content=content, file_format="gift")
    assert again.created == again.updated == 0 and again.unchanged > 0


def test_import_command_exits_non_zero_on_a_broken_file(full_framework, tmp_path, capsys):
    path = tmp_path / "broken.gift"
    path.write_text("::Q1:: 正しい問題 {T}\n\n::Q2:: 括弧が閉じていない {=a ~b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_questions", str(path), "--format", "gift", "--competency", "A1")
    assert "行目" in capsys.readouterr().err
    assert not Question.objects.exists()
