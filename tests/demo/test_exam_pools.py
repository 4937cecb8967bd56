"""The demo's quizzes as the security review reported them: practice and exam pools apart, the exam full."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.models import Attempt, AttemptItem, Quiz
from tests.security.test_exam_answer_key import start, submit


def test_the_demo_keeps_the_pools_apart_and_the_exam_full(client):
    """The demo as reported: demo-learner's practice attempts of area E never meet the exam's questions."""
    exam = Quiz.objects.get(is_leader_exam=True)
    practice_e = Quiz.objects.get(title__startswith="確認テスト E")
    assert not AttemptItem.objects.filter(
        attempt__quiz__is_leader_exam=False, version__question__exam_only=True
    ).exists()
    learner = get_user_model().objects.get(username="demo-learner")
    client.force_login(learner)
    seen: set[int] = set()
    for _ in range(6):
        attempt = start(client, practice_e)
        submit(client, attempt)
        seen |= set(attempt.items.values_list("version__question_id", flat=True))
    exam_attempt = start(client, exam)
    drawn = list(exam_attempt.items.values_list("version__question__exam_only", "version__question_id"))
    assert len(drawn) == 24 and all(exam_only for exam_only, _pk in drawn)
    assert seen.isdisjoint(pk for _exam_only, pk in drawn)
    # demo-reviewer (DX推進課 + 職員) is refused the exam.
    client.force_login(get_user_model().objects.get(username="demo-reviewer"))
    client.post(reverse("assessments:start", args=[exam.pk]))
    assert not Attempt.objects.filter(user__username="demo-reviewer", quiz=exam).exists()
