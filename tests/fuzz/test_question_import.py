"""Bad Moodle files: GIFT and Moodle XML imports refuse them whole, name the line, and change nothing.

Covers ``bank.questions_import`` (and the pure parsers in ``assessments.formats`` under it), the admin
view 評価・テスト → 問題の取込・書出し, the whitelisting of imported HTML on its way to the quiz page,
and the export → import round trip.
"""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Revision

from assessments import attempts, bank, formats
from assessments.models import Question, QuestionVersion, Quiz, QuizItem
from tests.assessments.conftest import ONE_OF_EACH
from tests.fuzz.common import (
    FEW,
    FORMULAS,
    FUZZ,
    HOSTILE_HTML,
    MARKER,
    active_content,
    hostile_html,
    reencoded,
    rolled_back,
    truncations,
)

GIFT = """// 取込の試験用
$CATEGORY: $course$/top/自治体DX/Lv1/A1

::FZ-SC::[html]<p>住民票の写しの交付を所管するのは?</p>{
=市民課#そのとおり
~財政課#予算を扱う課です
~契約課
####住民記録は市民課の所管です。
}

::FZ-MR::個人情報に当たるものをすべて選べ{
~%50%氏名
~%50%住所
~%-100%市の人口
}

::FZ-TF::パスワードは付箋に書いてよい。{F#誤りです。#そのとおり。}

$CATEGORY: $course$/top/自治体DX/Lv2/C1

::FZ-NUM::20分が15分になった。削減率(%)は?{#25:0.5}

::FZ-ST::定型作業を自動化するソフトウェアロボットの略称は?{=RPA =%50%ロボット}

::FZ-MT::用語と説明を結べ{
=KPI -> 重要業績評価指標
=EBPM -> 証拠に基づく政策立案
=BPR -> 業務改革
}
"""
XML = formats.render_moodle_xml(
    [
        formats.ImportedQuestion(question, ["自治体DX", "Lv1", "A2"], f"FZ-X{n}", 0)
        for n, question in enumerate(ONE_OF_EACH)
    ]
)
SAMPLES = {"gift": GIFT.encode(), "moodlexml": XML}
WHERE = {"gift": re.compile(r"^\d+行目: \S"), "moodlexml": re.compile(r"^要素\(行 \d+\): \S")}
GIFT_TOKENS = (
    "::",
    "::名前::",
    "{",
    "}",
    "=",
    "~",
    "#",
    "####",
    "->",
    "%50%",
    "%-100%",
    "%1e99999999999%",
    "%abc%",
    "#1e999:1",
    "#1..",
    "\n\n",
    "\n",
    "$CATEGORY: $course$/top/Lv1/A1\n",
    "[html]",
    "[markdown]",
    "\\{",
    "\\",
    "T",
    "FALSE",
    ">",
    "*",
    "\ufdd0",
    "答え",
    "A1",
    *FORMULAS,
    *HOSTILE_HTML,
)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="shortanswer"><name><text>&lol9;</text></name>
<questiontext format="html"><text>&lol9;</text></questiontext>
<answer fraction="100"><text>a</text></answer></question></quiz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="shortanswer"><name><text>XXE</text></name>
<questiontext format="html"><text>&xxe;</text></questiontext>
<answer fraction="100"><text>a</text></answer></question></quiz>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<quiz/>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "file:///etc/passwd">
<quiz/>"""
XINCLUDE = b"""<?xml version="1.0"?>
<quiz xmlns:xi="http://www.w3.org/2001/XInclude"><question type="shortanswer"><name><text>XI</text></name>
<questiontext format="html"><text><xi:include href="file:///etc/passwd" parse="text"/>?</text></questiontext>
<answer fraction="100"><text>a</text></answer></question></quiz>"""


def bank_state() -> tuple:
    return (
        sorted(Question.objects.values_list("pk", "title", "live", "latest_revision_id")),
        Revision.objects.count(),
        QuestionVersion.objects.count(),
    )


def import_checked(content: bytes, file_format: str, **kwargs) -> bank.QuestionImportOutcome:
    """Import ``content``; a refused file must have changed nothing. Any write is rolled back after."""
    before = bank_state()
    with rolled_back():
        outcome = bank.questions_import(content=content, file_format=file_format, **kwargs)
        after = bank_state()
    if not outcome.ok:
        assert after == before, "a refused file wrote to the database"
        assert outcome.errors and all(isinstance(e, str) for e in outcome.errors)
        assert all(
            WHERE[file_format].match(e) or e.startswith("ファイルが大きすぎ") for e in outcome.errors
        ), outcome.errors
    return outcome


def test_the_samples_import(framework):
    for file_format, content in SAMPLES.items():
        outcome = import_checked(content, file_format)
        assert outcome.ok and outcome.created == 6 + (file_format == "moodlexml"), outcome.errors


@FUZZ
@given(content=st.binary(max_size=2000), file_format=st.sampled_from(["gift", "moodlexml"]))
def test_random_bytes_are_refused_with_a_line(framework, content, file_format):
    import_checked(content, file_format)


@FUZZ
@given(tokens=st.lists(st.one_of(st.sampled_from(GIFT_TOKENS), st.text(max_size=8)), max_size=40))
def test_gift_made_of_random_syntax_is_refused_with_a_line_or_imported(framework, tokens):
    text = "".join(tokens)
    import_checked(text.encode("utf-8", errors="surrogatepass"), "gift", default_competency="A1")


def test_a_question_named_with_a_nul_is_refused_with_its_line(framework):
    """Found by the fuzzer on PostgreSQL, which refuses NUL in any text: the name reached a query."""
    outcome = import_checked("::名前\x00::本文 {=a ~b}".encode(), "gift", default_competency="A1")

    assert not outcome.ok
    assert any("1行目" in error for error in outcome.errors)


def test_a_gift_weight_too_large_for_a_decimal_is_an_error_not_a_crash(framework):
    content = "::W::重み{~%1e99999999999%a ~=b}".encode()

    outcome = import_checked(content, "gift", default_competency="A1")

    assert not outcome.ok and outcome.errors[0].startswith("1行目: ")


@FUZZ
@given(data=st.data(), file_format=st.sampled_from(["gift", "moodlexml"]))
def test_a_file_cut_anywhere_imports_whole_questions_or_is_refused(framework, data, file_format):
    import_checked(data.draw(truncations(SAMPLES[file_format])), file_format)


@FUZZ
@given(content=reencoded(GIFT) | st.just(GIFT.encode("cp932")))
def test_gift_not_in_utf8_is_refused(framework, content):
    outcome = import_checked(content, "gift")
    assert not outcome.ok


@FUZZ
@given(encoding=st.sampled_from(["utf-16", "utf-32", "cp932", "euc_jp", "iso2022_jp"]))
def test_moodle_xml_in_another_encoding_is_read_as_declared_or_refused(framework, encoding):
    text = XML.decode()
    declared = text.replace('encoding="UTF-8"', f'encoding="{encoding}"')
    for content in (text.encode(encoding), declared.encode(encoding)):
        outcome = import_checked(content, "moodlexml")
        assert not outcome.ok or outcome.created == len(ONE_OF_EACH)


def test_a_file_over_the_size_limit_is_refused(framework):
    for file_format, sample in SAMPLES.items():
        content = sample + b"\n" * (bank.MAX_IMPORT_BYTES - len(sample) + 1)
        outcome = import_checked(content, file_format)
        assert outcome.errors == ["ファイルが大きすぎます(上限 10 MB)。"]


@FUZZ
@given(
    content=st.sampled_from([BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY, EXTERNAL_DTD]),
    encoding=st.sampled_from(["utf-8", "utf-16"]),
)
def test_xml_with_a_dtd_or_entities_is_refused_unexpanded(framework, content, encoding):
    if encoding != "utf-8":
        content = (
            content.decode().replace('version="1.0"', f'version="1.0" encoding="{encoding}"').encode(encoding)
        )
    outcome = import_checked(content, "moodlexml")
    assert not outcome.ok
    assert "DTD" in outcome.errors[0] and "root:" not in " ".join(outcome.errors)


def test_xinclude_is_not_processed(framework):
    with rolled_back():
        outcome = bank.questions_import(content=XINCLUDE, file_format="moodlexml", default_competency="A1")
        stored = [str(q.body[0].value["text"]) for q in Question.objects.all()]
    assert "root:" not in " ".join(outcome.errors + stored)


# Script in rich text: whitelisted on the way in, so it never reaches a learner's page.


def gift_with(question_html: str, answer: str, feedback: str) -> bytes:
    escape = str.maketrans({c: "\\" + c for c in "~=#{}:"})
    return (
        "$CATEGORY: $course$/top/Lv1/A1\n\n"
        f"::FZ-XSS::[html]{question_html.translate(escape)}<p>本文</p>{{\n"
        f"=[html]{answer.translate(escape)}#{feedback.translate(escape)}\n"
        f"~別の答え\n####[html]{feedback.translate(escape)}\n}}\n"
    ).encode()


def xml_with(question_html: str, answer: str, feedback: str) -> bytes:
    cdata = lambda text: f"<![CDATA[{text}]]>"  # noqa: E731
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="category"><category><text>$course$/top/Lv1/A1</text></category></question>
<question type="multichoice"><name><text>FZ-XSS</text></name>
<questiontext format="html"><text>{cdata(question_html + "<p>本文</p>")}</text></questiontext>
<generalfeedback format="html"><text>{cdata(feedback)}</text></generalfeedback>
<single>true</single>
<answer fraction="100" format="html"><text>{cdata(answer)}</text>
<feedback><text>{cdata(feedback)}</text></feedback></answer>
<answer fraction="0"><text>別の答え</text></answer>
</question></quiz>""".encode()


BUILDERS = {"gift": gift_with, "moodlexml": xml_with}


@FUZZ
@given(file_format=st.sampled_from(["gift", "moodlexml"]), parts=st.tuples(*(hostile_html(),) * 3))
def test_imported_question_html_keeps_no_script_handler_or_javascript_url(
    framework,
    file_format,
    parts,
):
    with rolled_back():
        outcome = bank.questions_import(content=BUILDERS[file_format](*parts), file_format=file_format)
        assert outcome.ok, outcome.errors
        question = Question.objects.get(title="FZ-XSS")
        stored = str(question.body[0].value["text"])
        assert not active_content(stored, marker=None), stored
        assert "本文" in stored
        again = bank.questions_import(content=BUILDERS[file_format](*parts), file_format=file_format)
    assert again.unchanged == 1, "cleaning imported HTML is not idempotent"


@FEW
@given(file_format=st.sampled_from(["gift", "moodlexml"]), parts=st.tuples(*(hostile_html(),) * 3))
def test_hostile_question_answer_and_feedback_render_inert_on_the_quiz_and_result_pages(
    framework,
    learner_client_500,
    file_format,
    parts,
):
    with rolled_back():
        outcome = bank.questions_import(content=BUILDERS[file_format](*parts), file_format=file_format)
        assert outcome.ok, outcome.errors
        quiz = Quiz(title="XSS", passing_percent=50, shuffle_options=True)
        quiz.items = [QuizItem(question=Question.objects.get(title="FZ-XSS"), weight=1)]
        quiz.save()
        quiz.save_revision().publish()
        attempt = attempts.attempt_start(user=learner_client_500.user, quiz=quiz)
        page = learner_client_500.get(reverse("assessments:attempt", args=[attempt.pk]))
        attempts.attempt_submit(attempt=attempt)
        result = learner_client_500.get(reverse("assessments:result", args=[attempt.pk]))
    assert page.status_code == 200 and result.status_code == 200
    assert not active_content(page.content.decode())
    assert not active_content(result.content.decode())


# Export, then import: the same questions, nothing to change.


@FEW
@given(
    texts=st.lists(
        st.one_of(
            st.sampled_from((*FORMULAS, "a\\b", "{}", "~=#:", "<b>x</b>")), st.text(min_size=1, max_size=15)
        )
        .map(str.strip)
        .filter(lambda t: t and not re.search("[\ufdd0-\ufdef\r\x00-\x1f]", t)),
        min_size=2,
        max_size=4,
        unique=True,
    ),
    file_format=st.sampled_from(["gift", "moodlexml"]),
)
def test_export_then_import_changes_nothing(framework, texts, file_format):
    from dx_assessment import grading

    from tests.assessments.conftest import make_question

    choices = [
        grading.Choice(id=f"c{n}", text=t, fraction=1.0 if n == 0 else 0.0) for n, t in enumerate(texts)
    ]
    definition = grading.SingleChoice(text=f"<p>{MARKER}</p>", text_format="html", choices=choices)
    with rolled_back():
        make_question(definition, title="FZ-RT", competency=framework.competencies.get(code="A1"))
        exported = bank.questions_export(questions=Question.objects.all(), file_format=file_format)
        outcome = bank.questions_import(content=exported, file_format=file_format)
    assert outcome.ok and outcome.unchanged == 1, (outcome, exported)


def test_two_names_that_differ_after_100_characters_are_not_merged_into_one_question(framework):
    long = "長" * 100
    content = f"::{long}A::問1{{=a ~b}}\n\n::{long}B::問2{{=c ~d}}\n".encode()
    with rolled_back():
        outcome = bank.questions_import(content=content, file_format="gift", default_competency="A1")
        count = Question.objects.count()
    assert not outcome.ok or count == 2, f"{outcome}: two questions in the file, {count} in the bank"


# The admin view: the problems on the page (escaped), never a server error.


@FEW
@given(
    content=st.one_of(
        st.binary(max_size=500),
        truncations(XML),
        st.sampled_from([BILLION_LAUGHS, EXTERNAL_ENTITY]),
        st.lists(st.sampled_from(GIFT_TOKENS), max_size=20).map(lambda ts: "".join(ts).encode()),
    ),
    file_format=st.sampled_from(["gift", "moodlexml"]),
)
def test_admin_import_of_a_bad_file_lists_the_problems_escaped(
    framework, admin_client_500, content, file_format
):
    before = bank_state()
    upload = SimpleUploadedFile("questions.txt", content)
    with rolled_back():
        response = admin_client_500.post(
            reverse("assessments_admin:import"),
            {"file": upload, "file_format": file_format, "competency": "A1"},
        )
        after = bank_state()
    assert response.status_code in (200, 302), response.status_code
    assert not active_content(response.content.decode())
    if response.status_code == 200 and response.context.get("errors"):
        assert after == before


def test_admin_import_of_a_huge_file_is_refused(framework, admin_client_500):
    upload = SimpleUploadedFile("questions.xml", XML + b" " * bank.MAX_IMPORT_BYTES)
    response = admin_client_500.post(
        reverse("assessments_admin:import"), {"file": upload, "file_format": "moodlexml"}
    )
    assert response.status_code == 200
    assert response.context["errors"] == ["ファイルが大きすぎます(上限 10 MB)。"]
    assert not Question.objects.exists()


def test_a_nul_character_in_a_question_is_refused_or_stored_never_a_crash(framework):
    for file_format, content in (
        ("gift", "::NUL::問\x00題{=正\x00解 ~誤り#\x00}".encode()),
        ("moodlexml", XML.replace(b"KPI", b"KPI&#0;")),
    ):
        import_checked(content, file_format, default_competency="A1")
