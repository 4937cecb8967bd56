"""Issue 12 item 2: the leader exam's answer key cannot be harvested from practice quizzes (ADR 0010).

The attack: practice quizzes drew from the exam's pool, allowed unlimited attempts and showed 正解 at
once, so blank attempts of a practice quiz gave the keys of the questions the exam then drew. Now the
exam draws only exam-only questions, practice quizzes never do, and no page shows an exam key.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from dx_assessment import grading
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import attempts
from assessments.models import Attempt, AttemptItem, Question, Quiz, QuizDrawRule, Selection
from tests.assessments.conftest import make_question
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODES = ("A1", "A2", "C1", "C2")
EXAM_TOKEN = "EXAMSECRET"  # in every text of an exam-only question: text, options, feedback, explanation


def _single(prefix: str, n: int) -> grading.SingleChoice:
    return grading.SingleChoice(
        text=f"{prefix}問{n}: 正しいものはどれか",
        explanation=f"{prefix}解説{n}: 正解は{prefix}正答{n}です。",
        choices=[
            grading.Choice(id="a", text=f"{prefix}正答{n}", fraction=1.0, feedback=f"{prefix}そのとおり{n}"),
            grading.Choice(id="b", text=f"{prefix}誤答{n}", fraction=0.0, feedback=f"{prefix}違います{n}"),
            grading.Choice(id="c", text=f"{prefix}別の誤答{n}", fraction=0.0),
        ],
    )


def _short(prefix: str, n: int) -> grading.ShortText:
    return grading.ShortText(
        text=f"{prefix}記述{n}: 略語を答えよ",
        explanation=f"{prefix}記述の解説{n}",
        answers=[grading.TextAnswer(text=f"{prefix}KEY{n}")],
    )


def bank(framework) -> tuple[list[Question], list[Question]]:  # noqa: F811
    """Per competency three practice questions and two exam-only ones (one single choice, one short text)."""
    practice, exam = [], []
    for code in CODES:
        competency = framework.competencies.get(code=code)
        practice += [
            make_question(_single(f"練習{code}", n), title=f"P-{code}-{n}", competency=competency)
            for n in range(3)
        ]
        for n, build in enumerate((_single, _short)):
            exam.append(
                make_question(
                    build(f"{EXAM_TOKEN}{code}", n),
                    title=f"X-{code}-{n}",
                    competency=competency,
                    exam_only=True,
                )
            )
    return practice, exam


def random_quiz(title: str, framework, *, count: int, **options) -> Quiz:  # noqa: F811
    quiz = Quiz(title=title, selection=Selection.RANDOM, passing_percent=70, **options)
    quiz.draw_rules = [
        QuizDrawRule(competency=framework.competencies.get(code=code), max_level=2, count=count)
        for code in CODES
    ]
    quiz.save()
    quiz.save_revision().publish()
    return quiz


@pytest.fixture
def exam_setting(framework):  # noqa: F811
    practice, exam_questions = bank(framework)
    practice_quiz = random_quiz("練習テスト", framework, count=2)  # unlimited attempts, key at once
    exam = random_quiz("DX推進リーダー 知識試験", framework, count=1, max_attempts=3, is_leader_exam=True)
    return {
        "practice": practice,
        "exam_questions": exam_questions,
        "practice_quiz": practice_quiz,
        "exam": exam,
    }


def start(client, quiz) -> Attempt:
    response = client.post(reverse("assessments:start", args=[quiz.pk]))
    assert response.status_code == 302, response
    attempt = Attempt.objects.filter(quiz=quiz).order_by("-pk").first()
    assert attempt is not None, "the start was refused"
    return attempt


def submit(client, attempt: Attempt, answers: dict[str, str] | None = None) -> str:
    """Submit the attempt form (blank, or with ``answers`` by field name) and return the result page."""
    url = reverse("assessments:attempt", args=[attempt.pk])
    client.post(url, {"action": "submit", **(answers or {})})
    page = client.get(url, follow=True)
    assert page.status_code == 200
    return page.content.decode()


def key_answers(attempt: Attempt) -> dict[str, str]:
    """The correct answers of an attempt, as the attempt form posts them (single choice and short text)."""
    posted = {}
    for item in attempt.items.select_related("version"):
        question = grading.Question.from_dict(item.version.definition)
        posted[f"q{item.position}"] = str(grading.correct_response(question))
    return posted


@pytest.fixture
def learner_client(client):
    learner = UserFactory(username="learner")
    client.force_login(learner)
    client.user = learner
    return client


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(st.sampled_from(["blank", "key", "page"]), min_size=1, max_size=5))
def test_no_combination_of_practice_attempts_reveals_an_exam_question(learner_client, exam_setting, plan):
    """Any sequence of practice attempts (blank, all correct, or reloading the result) shows no exam text."""
    pages = []
    for step in plan:
        attempt = start(learner_client, exam_setting["practice_quiz"])
        pages.append(learner_client.get(reverse("assessments:attempt", args=[attempt.pk])).content.decode())
        pages.append(submit(learner_client, attempt, key_answers(attempt) if step == "key" else None))
        if step == "page":
            overview = reverse("assessments:quiz", args=[exam_setting["practice_quiz"].pk])
            pages.append(learner_client.get(overview).content.decode())
    assert pages and all(EXAM_TOKEN not in page for page in pages)
    practice_items = AttemptItem.objects.filter(attempt__quiz=exam_setting["practice_quiz"])
    assert practice_items.exists()
    assert not practice_items.filter(version__question__exam_only=True).exists()
    # The practice quiz still shows its own keys (the legitimate use).
    assert re.search(r"正解: 練習[AC][12]正答", pages[1])


def test_the_harvest_attack_now_learns_nothing_about_the_exam(learner_client, exam_setting):
    """The reported attack: six blank practice attempts, then the exam draws none of what they showed."""
    seen: set[int] = set()
    for _ in range(6):
        attempt = start(learner_client, exam_setting["practice_quiz"])
        submit(learner_client, attempt)
        seen |= set(attempt.items.values_list("version__question_id", flat=True))
    exam_attempt = start(learner_client, exam_setting["exam"])
    drawn = set(exam_attempt.items.values_list("version__question_id", flat=True))
    assert len(drawn) == len(CODES)
    assert drawn.isdisjoint(seen)
    assert all(Question.objects.get(pk=pk).exam_only for pk in drawn)


def test_the_exam_result_shows_the_score_per_competency_but_never_a_key(learner_client, exam_setting):
    attempt = start(learner_client, exam_setting["exam"])
    page = submit(learner_client, attempt, key_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.passed is True
    assert "能力項目ごとの結果" in page and "達成" in page
    for code in CODES:
        assert code in page
    # No question, option, feedback, explanation or accepted answer of the exam reaches the page.
    assert EXAM_TOKEN not in page
    assert not re.search(r"正解\s*:", page)


def test_a_practice_quiz_never_draws_an_exam_only_item_even_when_listed(learner_client, exam_setting):
    """A fixed practice quiz that lists an exam-only question (e.g. added in the admin) skips it."""
    from assessments.models import QuizItem

    quiz = Quiz(title="固定の練習", passing_percent=70)
    listed = exam_setting["exam_questions"][:1] + exam_setting["practice"][:2]
    quiz.items = [QuizItem(question=q, weight=1) for q in listed]
    quiz.save()
    quiz.save_revision().publish()
    drawn = attempts.quiz_draw(quiz=quiz, seed=1)
    assert [d.question.exam_only for d in drawn] == [False, False]


def test_a_question_shown_in_practice_cannot_join_the_exam_pool(learner_client, exam_setting):
    attempt = start(learner_client, exam_setting["practice_quiz"])
    submit(learner_client, attempt)
    burnt = attempt.items.first().version.question
    burnt.exam_only = True
    with pytest.raises(ValidationError) as refused:
        burnt.full_clean()
    assert "練習用の小テストで出題済み" in str(refused.value)


def test_a_question_moved_into_the_exam_pool_later_no_longer_shows_its_key(learner_client, exam_setting):
    """Even if a practised question is marked exam-only by a path that skips validation, its key is hidden."""
    attempt = start(learner_client, exam_setting["practice_quiz"])
    page = submit(learner_client, attempt)
    moved = attempt.items.order_by("position").first().version.question
    explanation = grading.Question.from_dict(attempt.items.order_by("position").first().version.definition)
    assert explanation.explanation in page  # shown while it was a practice question
    Question.objects.filter(pk=moved.pk).update(exam_only=True)
    again = learner_client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert explanation.explanation not in again


def quiz_form(title: str, questions: list[Question], *, exam: bool) -> dict:
    data = {
        "title": title,
        "description": "",
        "selection": "fixed",
        "passing_percent": "70",
        "shuffle_options": "on",
        "feedback_timing": "immediate",
        "items-TOTAL_FORMS": str(len(questions)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "draw_rules-TOTAL_FORMS": "0",
        "draw_rules-INITIAL_FORMS": "0",
        "draw_rules-MIN_NUM_FORMS": "0",
        "draw_rules-MAX_NUM_FORMS": "1000",
    }
    if exam:
        data["is_leader_exam"] = "on"
    for n, question in enumerate(questions):
        data |= {
            f"items-{n}-question": str(question.pk),
            f"items-{n}-weight": "1",
            f"items-{n}-ORDER": str(n),
        }
    return data


@pytest.mark.parametrize("exam", [False, True])
def test_the_quiz_editor_refuses_a_question_of_the_other_pool(client, exam_setting, exam):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("wagtailsnippets_assessments_quiz:add")
    wrong = exam_setting["practice"][:1] if exam else exam_setting["exam_questions"][:1]
    response = client.post(url, quiz_form("混在", wrong, exam=exam))
    assert response.status_code == 200
    assert "試験専用の問題" in response.content.decode()
    assert not Quiz.objects.filter(title="混在").exists()
    right = exam_setting["exam_questions"][:1] if exam else exam_setting["practice"][:1]
    response = client.post(url, quiz_form("正しい組合せ", right, exam=exam))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Quiz.objects.filter(title="正しい組合せ").exists()
