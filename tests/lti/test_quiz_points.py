"""Issue 17, ADR 0023: a quiz's grade reaches the LMS in the quiz's own points, not as a percentage.

An LMS gradebook shows what the line item is out of: a quiz of 3 points scored 2 must arrive as 2 of 3
(scoreGiven, scoreMaximum), in a line item of 3 points, whether the platform made the line item or the
tool made it (AGS line item service) or the author picked the quiz (deep linking). Tested against the
test platform (tools/lti-platform) over HTTP, with the tool served by the live server.
"""

import html
import re
from decimal import Decimal

import pytest
import requests
from dx_assessment import grading

from assessments import attempts
from assessments.api import quiz_max_points
from assessments.models import Quiz, QuizDrawRule, QuizItem, Selection
from lti.models import GradeLink, LtiIdentity, Score, ScoreStatus
from lti.signals import attempt_score
from tests.assessments.conftest import make_question
from tests.factories import UserFactory
from tests.lti.conftest import pass_quiz, register
from tests.lti.test_grades_and_deep_linking import live_launch
from tests.lti.test_lesson_grades import LINEITEM, RESULT, SCORE, made_at, no_lineitem, scores_at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _scores_sent_here():
    """``lti.send_scores`` runs in this process on commit (as without a broker), on both CI legs."""
    from lti.tasks import send_scores

    conf = send_scores.app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


def _true_false(title: str, framework) -> object:
    return make_question(
        grading.TrueFalse(text=f"{title}: 正しいか。", explanation="", correct_answer=True),
        title=title,
        competency=framework.competencies.get(code="A1"),
    )


@pytest.fixture
def three_point_quiz(framework):
    """Two questions, weighing 1 and 2 points."""
    quiz = Quiz(title="配点つき小テスト", passing_percent=50)
    quiz.items = [
        QuizItem(question=_true_false("PT-1", framework), weight=1, sort_order=0),
        QuizItem(question=_true_false("PT-2", framework), weight=2, sort_order=1),
    ]
    quiz.save()
    quiz.save_revision().publish()
    return quiz


def answer_only_the_heavy_one(user, quiz):
    """Right on the 2-point question, wrong on the 1-point one: 2 points of 3."""
    attempt = attempts.attempt_start(user=user, quiz=quiz)
    for item in attempt.items.select_related("version").order_by("position"):
        question = grading.Question.from_dict(item.version.definition)
        right = grading.correct_response(question)
        response = right if item.weight == 2 else not right
        attempts.attempt_answer(attempt=attempt, position=item.position, response=response)
    return attempts.attempt_submit(attempt=attempt)


def test_the_line_item_the_tool_makes_is_out_of_the_quizs_points_and_the_score_is_its_points(
    live_platform, city, three_point_quiz, live_server
):
    register(city, live_platform, "live-tool", "dep-live")
    claims = no_lineitem(live_platform, [LINEITEM, RESULT, SCORE])
    before = len(made_at(live_platform))
    with requests.Session() as browser:
        page = live_launch(
            browser, live_platform, "live-tool", sub="points-a", target=f"quiz:{three_point_quiz.pk}",
            resource_link="rl-points-1", claims=claims,
        )  # fmt: skip
    assert page.status_code == 200
    made = made_at(live_platform)[before:]
    assert [(m["resourceId"], m["scoreMaximum"]) for m in made] == [(f"quiz:{three_point_quiz.pk}", 3)]

    attempt = answer_only_the_heavy_one(LtiIdentity.objects.get().user, three_point_quiz)

    assert (attempt.points, attempt.max_points, attempt.passed) == (Decimal(2), Decimal(3), True)
    received = scores_at(live_platform, "points-a")
    assert [(s["lineitem"], s["scoreGiven"], s["scoreMaximum"]) for s in received] == [
        (made[0]["id"].rsplit("/", 1)[-1], 2, 3)
    ]
    assert Score.objects.get().status == ScoreStatus.SENT


def test_a_failed_attempt_is_sent_in_points_too(live_platform, city, three_point_quiz, live_server):
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        live_launch(browser, live_platform, "live-tool", sub="points-b", target=f"quiz:{three_point_quiz.pk}")
    user = LtiIdentity.objects.get().user
    attempt = attempts.attempt_start(user=user, quiz=three_point_quiz)
    attempts.attempt_submit(attempt=attempt)  # nothing answered: 0 of 3, failed

    received = scores_at(live_platform, "points-b")
    assert [(s["scoreGiven"], s["scoreMaximum"]) for s in received] == [(0, 3)]
    assert GradeLink.objects.get().quiz_id == three_point_quiz.pk


def test_deep_linking_a_quiz_declares_its_line_item_in_points(
    live_platform, city, three_point_quiz, live_server
):
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        picker = live_launch(browser, live_platform, "live-tool", sub="author-p", deep_link=True)
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|launch_id)" value="([^"]+)"', picker.text))
        answer = browser.post(
            f"{live_server.url}/lti/deep-link/",
            data={**fields, "target": f"quiz:{three_point_quiz.pk}"},
            headers={"Referer": f"{live_server.url}/lti/launch/"},
            timeout=20,
        )
    return_url = html.unescape(re.search(r'<form method="post" action="([^"]+)"', answer.text)[1])
    jwt = html.unescape(re.search(r'name="JWT" value="([^"]+)"', answer.text)[1])
    assert requests.post(return_url, data={"JWT": jwt}, timeout=20).status_code == 200
    item = requests.get(f"{live_platform}/deep_links", timeout=10).json()[-1]["items"][0]
    assert item["lineItem"]["scoreMaximum"] == 3


def test_a_random_quiz_is_out_of_its_rules_counts_and_an_attempt_of_a_short_pool_out_of_its_own(framework):
    """The pool holds 2 questions of A1 but the rule draws 3: the line item says 3 (the quiz as set),
    the attempt is out of the 2 it drew, and the platform scales it to its line item."""
    for n in (1, 2):
        _true_false(f"POOL-{n}", framework)
    quiz = Quiz(title="無作為の小テスト", selection=Selection.RANDOM, passing_percent=50)
    quiz.draw_rules = [QuizDrawRule(competency=framework.competencies.get(code="A1"), max_level=2, count=3)]
    quiz.save()
    quiz.save_revision().publish()
    assert quiz_max_points(quiz=quiz) == 3

    attempt = pass_quiz(UserFactory(username="random-taker"), quiz)
    assert attempt.max_points == 2
    assert attempt_score(attempt) == (Decimal(2), Decimal(2))


def test_a_fixed_quiz_is_out_of_its_weights(three_point_quiz):
    assert quiz_max_points(quiz=three_point_quiz) == 3
