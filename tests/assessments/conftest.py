"""A quiz with one question of every type, built through the same codec the editor and imports use."""

import pytest
from dx_assessment import grading

from assessments import codec
from assessments.models import Question, Quiz, QuizItem
from courses.competencies.models import Competency
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture

ONE_OF_EACH = [
    grading.SingleChoice(
        text="<p>住民票の写しの交付を所管するのは?</p>",
        text_format="html",
        explanation="住民記録は市民課の所管です。",
        choices=[
            grading.Choice(id="x", text="市民課", fraction=1.0, feedback="そのとおり"),
            grading.Choice(id="y", text="財政課", fraction=0.0, feedback="予算を扱う課です"),
            grading.Choice(id="z", text="契約課", fraction=0.0),
        ],
    ),
    grading.MultipleResponse(
        text="個人情報に当たるものをすべて選べ",
        explanation="氏名と住所は個人情報。",
        choices=[
            grading.Choice(id="a", text="氏名", fraction=0.5),
            grading.Choice(id="b", text="住所", fraction=0.5),
            grading.Choice(id="c", text="市の人口", fraction=-0.5),
            grading.Choice(id="d", text="天気", fraction=-0.5),
        ],
    ),
    grading.TrueFalse(
        text="パスワードは付箋に書いて画面に貼ってよい。",
        explanation="貼ってはいけません。",
        correct_answer=False,
    ),
    grading.Numeric(
        text="処理時間が20分から15分になった。削減率(%)は?",
        explanation="5÷20=25%",
        answers=[grading.NumericAnswer(value=25, tolerance=0.5)],
    ),
    grading.ShortText(
        text="定型作業を自動化するソフトウェアロボットの略称は?",
        explanation="RPAです。",
        answers=[grading.TextAnswer(text="RPA")],
        kana_insensitive=True,
    ),
    grading.Ordering(
        text="BPRの進め方を順に並べよ",
        explanation="現状把握→課題→設計→実施。",
        items=[
            grading.Item(id="o1", text="現状の業務を見える化する"),
            grading.Item(id="o2", text="課題を特定する"),
            grading.Item(id="o3", text="新しい業務を設計する"),
            grading.Item(id="o4", text="試行して効果を測る"),
        ],
    ),
    grading.Matching(
        text="用語と説明を結べ",
        explanation="基本用語です。",
        pairs=[
            grading.MatchPair(
                left=grading.Item(id="l1", text="KPI"), right=grading.Item(id="r1", text="重要業績評価指標")
            ),
            grading.MatchPair(
                left=grading.Item(id="l2", text="EBPM"),
                right=grading.Item(id="r2", text="証拠に基づく政策立案"),
            ),
            grading.MatchPair(
                left=grading.Item(id="l3", text="BPR"), right=grading.Item(id="r3", text="業務改革")
            ),
        ],
    ),
]


def make_question(
    definition: grading.Question,
    *,
    title: str,
    competency: Competency,
    level: int = 1,
    exam_only: bool = False,
) -> Question:
    block_type, value = codec.question_to_block(definition)
    question = Question(title=title, competency=competency, level=level, live=True, exam_only=exam_only)
    question.body = [(block_type, value)]
    question.save()
    question.save_revision().publish()
    return question


@pytest.fixture
def questions(framework):  # noqa: F811
    codes = ["A1", "A2", "C1", "C2", "A1", "A2", "C1"]
    return [
        make_question(
            d, title=f"Q{n}-{d.TYPE}", competency=framework.competencies.get(code=codes[n]), level=1 + n % 2
        )
        for n, d in enumerate(ONE_OF_EACH)
    ]


@pytest.fixture
def quiz(questions):
    quiz = Quiz(title="全形式テスト", passing_percent=70, shuffle_options=True)
    # positions are the questions' order (tests answer "position 5" by its type): sort_order set, not left
    # to the database's order of equal (null) sort orders
    quiz.items = [QuizItem(question=q, weight=1, sort_order=n) for n, q in enumerate(questions)]
    quiz.save()
    quiz.save_revision().publish()
    return quiz
